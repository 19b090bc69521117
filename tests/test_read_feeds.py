"""RSS and Atom feeds, served locally and as files: an item is the page its link gives (the
same articles as the page as a file), or the item's own text when the link fails."""

import html

import pytest
from local_inputs import articles, demo_html, serve

from marsad.model import Failure, Page
from marsad.pipeline import extract_page
from marsad.read import read


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Our demo pages over HTTP, with an RSS and an Atom feed linking to them."""
    folder = tmp_path_factory.mktemp("site")
    pages = demo_html(folder)
    titles = {p.name: extract_page(next(iter(read([p])))).articles[0].title for p in pages}
    with serve(folder) as (base, log):
        rss = "".join(
            f"<item><title>{html.escape(titles[p.name])}</title><link>{base}/{p.name}</link>"
            f"<guid>{base}/{p.name}</guid><pubDate>Sun, 09 Mar 2025 10:0{i}:00 +0300</pubDate>"
            "<description>ملخص قصير</description></item>"
            for i, p in enumerate(pages)
        )
        (folder / "rss.xml").write_text(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>أخبار</title><link>{base}/</link>{rss}</channel></rss>",
            encoding="utf-8",
        )
        atom = "".join(
            f"<entry><title>{html.escape(titles[p.name])}</title>"
            f'<link rel="alternate" href="{base}/{p.name}"/><id>{base}/{p.name}</id>'
            f"<updated>2025-03-09T07:0{i}:00Z</updated></entry>"
            for i, p in enumerate(pages)
        )
        (folder / "atom.xml").write_text(
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>أخبار</title><id>{base}/</id><updated>2025-03-09T08:00:00Z</updated>"
            f"{atom}</feed>",
            encoding="utf-8",
        )
        yield base, folder, pages, log


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
@pytest.mark.parametrize("how", ["url", "file"])
def test_a_feed_gives_the_articles_its_linked_pages_give_as_files(site, name, how):
    base, folder, pages, _ = site
    got = list(read([f"{base}/{name}" if how == "url" else folder / name]))
    assert articles(got) == articles(read(pages))
    assert [p.url for p in got] == [f"{base}/{p.name}" for p in pages]
    assert got[0].source_path == got[0].url
    assert not got[0].warnings


def test_the_items_title_and_time_are_the_pages_metadata(site):
    base, folder, pages, _ = site
    rss = list(read([folder / "rss.xml"]))
    assert rss[0].title == extract_page(rss[0]).articles[0].title
    assert rss[0].published == "2025-03-09T10:00+03:00"
    atom = list(read([folder / "atom.xml"]))
    assert atom[1].published == "2025-03-09T07:01+00:00"
    bare = next(p for p in rss if p.url.endswith("01_sada.html"))
    article = extract_page(bare).articles[0]
    assert article.published == bare.published  # the page states no time: the item's
    assert article.outlet.startswith("127.0.0.1")  # nor an outlet: the link's host


def _feed(tmp_path, items: str):
    path = tmp_path / "feed.rss"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>'
        f"{items}</channel></rss>",
        encoding="utf-8",
    )
    return path


BODY = (
    "<p>أعلنت بلدية مرسى الزين إغلاق الطريق الساحلي أمام حركة السير حتى إشعار آخر بعد"
    " انهيار جزء من الجسر القديم فجر اليوم.</p><p>وقال رئيس البلدية إن فرق الصيانة بدأت"
    " العمل على تقييم الأضرار وإن الطريق البديل عبر الحي الشمالي مفتوح أمام الحافلات.</p>"
)


def test_an_item_whose_link_fails_is_read_from_its_own_text(site, tmp_path):
    base, *_ = site
    path = _feed(
        tmp_path,
        f"<item><title>إغلاق الطريق الساحلي</title><link>{base}/missing.html</link>"
        "<pubDate>Tue, 18 Nov 2025 09:00:00 GMT</pubDate>"
        f"<content:encoded><![CDATA[{BODY}]]></content:encoded></item>",
    )
    (page,) = read([path])
    assert page.url == f"{base}/missing.html"
    assert page.warnings == (
        "read from the feed's own text: its link could not be fetched: HTTP 404 File not found",
    )
    (article,) = extract_page(page).articles
    assert article.title == "إغلاق الطريق الساحلي"
    assert "انهيار جزء من الجسر القديم" in article.body
    assert article.published == "2025-11-18T09:00+00:00"


def test_bad_items_fail_alone_naming_the_url_and_the_reason(site, tmp_path):
    base, *_ = site
    path = _feed(
        tmp_path,
        f"<item><title>a</title><link>{base}/gone.html</link></item>"
        "<item><title>b</title><link>file:///etc/passwd</link></item>"
        "<item><title>c</title></item>"
        f"<item><title>d</title><link>{base}/22_raed.html</link></item>",
    )
    got = list(read([path]))
    assert [type(x) for x in got] == [Failure, Failure, Failure, Page]
    assert str(got[0]) == (
        f"{base}/gone.html: feed item has no content and its link could not be fetched:"
        " HTTP 404 File not found"
    )
    assert got[1].reason.startswith("feed item has no content and its link 'file:")
    assert got[1].reason.endswith("' is not an http(s) URL")  # never opened
    assert got[2].source_path == f"{path}#3"


def test_a_feed_url_that_cannot_be_fetched_is_one_failure(site):
    base, *_ = site
    assert [str(x) for x in read([f"{base}/nofeed.xml"])] == [
        f"{base}/nofeed.xml: HTTP 404 File not found"
    ]
    (refused,) = read(["http://127.0.0.1:9/feed.xml"])
    assert refused.reason == "connection refused"


def test_a_broken_feed_is_one_failure(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_bytes(b"<?xml version='1.0'?><rss><chan")
    (failure,) = read([path])
    assert failure.reason == "not a readable RSS or Atom feed (<unknown>:1:43: unclosed token)"


def test_entity_expansion_in_a_feed_is_refused_not_expanded(tmp_path):
    entities = "".join(f'<!ENTITY e{i + 1} "' + f"&e{i};" * 10 + '">' for i in range(9))
    path = tmp_path / "laughs.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e0 "ha">{entities}]>'
        "<rss version='2.0'><channel><item><title>&e9;</title></item></channel></rss>"
    )
    got = list(read([path]))
    assert all(len(getattr(x, "content", "")) < 10_000 for x in got)
