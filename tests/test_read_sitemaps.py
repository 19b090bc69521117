"""Sitemaps (urlset, index, Google News tags), served locally and as files: each URL is
fetched into a page with the entry's time; a dead URL fails alone."""

import gzip

import pytest
from local_inputs import articles, demo_html, serve

from marsad.model import Failure, Page
from marsad.pipeline import extract_page
from marsad.read import read

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def _urlset(entries: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS} {NEWS}>{entries}</urlset>'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    pages = demo_html(folder)
    with serve(folder) as (base, log):
        urls = "".join(
            f"<url><loc>{base}/{p.name}</loc><lastmod>2025-03-0{i + 1}</lastmod></url>"
            for i, p in enumerate(pages)
        )
        (folder / "sitemap.xml").write_text(_urlset(urls), encoding="utf-8")
        half = len(pages) // 2
        first = "".join(f"<url><loc>{base}/{p.name}</loc></url>" for p in pages[:half])
        rest = "".join(f"<url><loc>{base}/{p.name}</loc></url>" for p in pages[half:])
        (folder / "part1.xml").write_text(_urlset(first), encoding="utf-8")
        (folder / "part2.xml.gz").write_bytes(gzip.compress(_urlset(rest).encode()))
        (folder / "index.xml").write_text(
            f'<?xml version="1.0"?><sitemapindex {NS}>'
            f"<sitemap><loc>{base}/part1.xml</loc><lastmod>2025-03-09</lastmod></sitemap>"
            f"<sitemap><loc>{base}/part2.xml.gz</loc></sitemap></sitemapindex>",
            encoding="utf-8",
        )
        yield base, folder, pages, log


@pytest.mark.parametrize("how", ["url", "file"])
def test_a_sitemap_gives_the_articles_its_pages_give_as_files(site, how):
    base, folder, pages, _ = site
    got = list(read([f"{base}/sitemap.xml" if how == "url" else folder / "sitemap.xml"]))
    assert articles(got) == articles(read(pages))
    assert [p.url for p in got] == [f"{base}/{p.name}" for p in pages]
    assert [p.published for p in got][:2] == ["2025-03-01", "2025-03-02"]  # lastmod


def test_a_sitemap_index_reads_its_sitemaps_gzipped_or_not(site):
    base, folder, pages, _ = site
    got = list(read([folder / "index.xml"]))
    assert [p.url for p in got] == [f"{base}/{p.name}" for p in pages]


def test_news_tags_give_title_time_and_outlet(site, tmp_path):
    base, *_ = site
    path = tmp_path / "news.xml"
    path.write_text(_urlset(
        f"<url><loc>{base}/01_sada.html</loc><lastmod>2025-03-10</lastmod><news:news>"
        "<news:publication><news:name>صدى المدائن</news:name><news:language>ar"
        "</news:language></news:publication><news:publication_date>2025-03-09T21:30:00+03:00"
        "</news:publication_date><news:title>وصول رئيس زاهران إلى الشرفة</news:title>"
        "</news:news></url>"
    ), encoding="utf-8")  # fmt: skip
    (page,) = read([path])
    assert (page.title, page.outlet, page.published) == (
        "وصول رئيس زاهران إلى الشرفة", "صدى المدائن", "2025-03-09T21:30+03:00"
    )  # fmt: skip
    assert extract_page(page).articles[0].outlet == "صدى المدائن"


def test_a_dead_url_fails_alone_naming_it(site, tmp_path):
    base, *_ = site
    path = tmp_path / "dead.xml"
    path.write_text(_urlset(
        f"<url><loc>{base}/gone.html</loc></url><url><lastmod>2025-01-01</lastmod></url>"
        f"<url><loc>{base}/22_raed.html</loc></url>"
    ), encoding="utf-8")  # fmt: skip
    got = list(read([path]))
    assert [type(x) for x in got] == [Failure, Failure, Page]
    assert str(got[0]) == f"{base}/gone.html: HTTP 404 File not found"
    assert got[1].reason == "sitemap <url> without a <loc>"


def test_an_index_naming_itself_is_a_cycle_not_a_loop(site):
    base, folder, *_ = site
    (folder / "loop.xml").write_text(
        f'<?xml version="1.0"?><sitemapindex {NS}><sitemap><loc>{base}/loop.xml</loc>'
        "</sitemap></sitemapindex>",
        encoding="utf-8",
    )
    (failure,) = read([f"{base}/loop.xml"])
    assert failure.reason == f"sitemap index cycle: {base}/loop.xml -> {base}/loop.xml"


def test_broken_sitemap_xml_keeps_the_entries_before_the_break(site, tmp_path):
    base, *_ = site
    path = tmp_path / "cut.xml"
    path.write_text(_urlset(f"<url><loc>{base}/22_raed.html</loc></url>")[:-9] + "<url><lo")
    got = list(read([path]))
    assert [type(x) for x in got] == [Page, Failure]
    assert got[1].reason.startswith("invalid sitemap XML (")
