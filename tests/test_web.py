"""HTML: the self-contained report (hand-written digest and the demo's real one) and the
server-rendered pages over the demo corpus: RTL, escaping, working citation anchors."""

from __future__ import annotations

import copy
import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_sample import DIGEST

from marsad.api import create_app
from marsad.claims import article_sentences
from marsad.demo import DEMO_MANIFEST
from marsad.digest import build_digest
from marsad.model import Page
from marsad.pipeline import ingest, ingest_pages
from marsad.store import open_store
from marsad.web import render_report
from marsad.web.render import (
    DROP_REASONS,
    date_range,
    exact_copies,
    safe_marks,
    show_date,
    timeline_chart,
)

HTML_ROOT = re.compile(r'<html lang="ar" dir="rtl">')


def ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def in_page_links(html: str) -> list[str]:
    return re.findall(r'href="#([^"]+)"', html)


# --- the report ---------------------------------------------------------------------------
def test_report_is_one_self_contained_rtl_file():
    html = render_report(DIGEST)
    assert HTML_ROOT.search(html)
    assert "<style>" in html and "Noto Naskh Arabic" in html
    # nothing fetched: no external stylesheet, script, image, font or import
    assert not re.search(r'<link|<img|src=|@import|url\(|href="(?:https?:)?//', html)


def test_report_escapes_text_from_pages():
    html = render_report(DIGEST)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<b>قريبًا</b>" not in html and "&lt;b&gt;قريبًا&lt;/b&gt;" in html


def test_report_citations_land_on_the_cited_sentence():
    html = render_report(DIGEST)
    anchors = ids(html)
    links = in_page_links(html)
    assert links and all(link in anchors for link in links)
    # the summary's second item cites sentence 1 of p2-0 and p3-0: those spans hold it
    sentence = article_sentences_of("p3-0")[1]
    assert re.search(rf'id="a-p3-0-s-1">{re.escape(sentence)}</span>', html)
    assert 'href="#a-p2-0-s-1"' in html


def article_sentences_of(article_id: str) -> list[str]:
    from marsad.web.render import _article

    record = next(a for a in DIGEST["articles"] if a["id"] == article_id)
    return article_sentences(_article(record))


def test_report_shows_conflicts_entities_timeline_and_copies():
    html = render_report(DIGEST)
    conflict = html[html.index('class="conflict"') :]
    conflict = conflict[: conflict.index("</div>")]
    assert "عدد العمال المضربين" in conflict
    assert '<span class="value">1200</span>' in conflict
    assert '<span class="value">900</span>' in conflict
    assert 'title="العتيبي"' in html  # a variant of سالم العتيبي, on hover
    assert html.count('<circle class="dot"') == 2 and html.count('<rect class="bar"') == 1
    assert "نسخة معدّلة" in html and "83٪" in html


def test_report_shows_updates_in_their_order():
    digest = copy.deepcopy(DIGEST)
    story = digest["stories"][0]
    first, second = story["article_ids"][:2]
    steps = [{"value": v, "text": t, "article_ids": [a], "outlets": [], "published": None}
             for v, t, a in (("40+", "قتل 40 شخصا على الأقل.", first),
                             ("50+", "ارتفعت الحصيلة إلى 50 قتيلا.", second))]  # fmt: skip
    story["facts"]["updates"] = [{"kind": "figure", "heading": "عدد القتلى", "steps": steps,
                                  "label": "عدد القتلى: 40+ (أ) ثم 50+ (ب)"}]  # fmt: skip
    html = render_report(digest)
    update = html[html.index('class="update"') :]
    update = update[: update.index("</div>")]
    assert "تحديثات" in html and "عدد القتلى: 40+ (أ) ثم 50+ (ب)" in update
    assert update.index('<span class="value">40+</span>') < update.index(
        '<span class="value">50+</span>')  # fmt: skip
    assert 'class="update"' not in render_report(DIGEST)  # no updates, no section


def test_report_handles_an_empty_digest_and_missing_dates():
    empty = render_report({"generated": "2025-01-01T00:00", "articles": [], "stories": []})
    assert HTML_ROOT.search(empty) and "لا قصص" in empty
    digest = copy.deepcopy(DIGEST)
    story = digest["stories"][0]
    story.update(start=None, end=None, timeline=[], entities=[], duplicates=[])
    story["facts"] = {"shared": [], "unique": [], "conflicts": []}
    html = render_report(digest)
    assert "بلا تاريخ" in html and 'class="chart"' not in html


def test_report_of_the_demo_links_every_citation(demo_store):
    digest = build_digest(demo_store)
    html = render_report(digest)
    anchors = ids(html)
    assert len(anchors) == len(re.findall(r'\sid="', html))  # every anchor is unique
    links = in_page_links(html)
    assert len(links) > 50
    assert [link for link in links if link not in anchors] == []
    for story in digest["stories"]:
        assert f'id="story-{story["id"]}"' in html


def test_dates_read_as_arabic_and_ranges_chart():
    nb = "\u00a0"  # a day does not break across lines
    assert show_date("2025-03-09") == f"9{nb}مارس{nb}2025"
    assert show_date("2025-03-09T10:30") == f"9{nb}مارس{nb}2025، 10:30"
    assert show_date("2025-03") == f"مارس{nb}2025"
    assert show_date("2025-03-01/2025-03-04") == f"1{nb}مارس{nb}2025 – 4{nb}مارس{nb}2025"
    assert show_date(None) == "؟"
    lo, hi = date_range("2024-02")
    assert (lo.day, hi.day) == (1, 29)
    assert date_range("soon") is None
    entries = [
        {"date": "2025-04-06", "text": "أ"},
        {"date": "2025-04-10", "text": "ب"},
        {"date": "1987", "text": "خلفية"},
    ]
    chart = timeline_chart(entries, "2025-04-06", "2025-04-10")
    assert [r["right"] for r in chart["rows"]] == [97, 3]  # earliest on the right
    assert chart["left_out"] == 1  # a background year stays in the list only


def test_timeline_chart_labels_its_marks_and_ticks_in_reading_order():
    entries = [{"date": f"2025-11-{d:02}", "text": f"حدث اليوم {d} " + "تفاصيل " * 12}
               for d in (13, 18, 29)]  # fmt: skip
    chart = timeline_chart(entries, "2025-11-13", "2025-11-29")
    rli, pdi = "\u2067", "\u2069"  # right-to-left isolates: «13 نوفمبر 2025», not «نوفمبر 2025 13»
    ticks = [t["label"] for t in chart["ticks"]]
    assert all(t.startswith(rli) and t.endswith(pdi) for t in ticks)
    assert ticks[0] == f"{rli}13\u00a0نوفمبر\u00a02025{pdi}" and ticks[-1].startswith(f"{rli}29")
    assert len(ticks) == 5 and [t["x"] for t in chart["ticks"]] == sorted(
        (t["x"] for t in chart["ticks"]), reverse=True
    )  # evenly spaced days between the ends, earliest on the right
    first, last = chart["rows"][0], chart["rows"][-1]
    assert first["label"].startswith(f"{rli}13 نوفمبر: حدث اليوم 13")
    assert first["label"].endswith(f"…{pdi}") and len(first["label"]) < 70  # cut to fit
    assert first["x"] < first["right"] and last["x"] > last["right"]  # into the wider side
    one_day = timeline_chart(entries[:1], "2025-11-13", "2025-11-13")
    assert len(one_day["ticks"]) == 1
    months = timeline_chart([{"date": "2025-01-05", "text": "أ"}, {"date": "2025-12-20", "text": "ب"}])
    assert [t["label"].strip(rli + pdi) for t in months["ticks"]][1:3] == ["أبريل 2025", "يوليو 2025"]


# --- the UI -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("web") / "demo.db")
    with open_store(db) as store:
        ingest([DEMO_MANIFEST], store)
        hostile = Page(
            content=(
                "<script>alert(1)</script> عنوان خبيث\n\n"
                "افتتحت البلدية حديقة عامة جديدة في حي الزيتون صباح اليوم بحضور المحافظ. "
                "وتضم الحديقة ملعبا للأطفال ومكتبة صغيرة.\n"
            ),
            kind="text",
            source_path="hostile.txt",
            title="<script>alert(1)</script> عنوان خبيث",
            outlet="<b>منفذ</b>",
            url="javascript:alert(2)",
            published="2025-08-01",
        )
        assert ingest_pages([hostile], store).articles == 1
    return db


@pytest.fixture(scope="module")
def demo_store(demo_db):
    with open_store(demo_db) as store:
        yield store


@pytest.fixture(scope="module")
def client(demo_db):
    return TestClient(create_app(demo_db))


def test_story_list_is_rtl_and_pages(client, demo_store):
    r = client.get("/")
    assert r.status_code == 200 and HTML_ROOT.search(r.text)
    titles = [s.title for s in demo_store.stories() if s.title]
    assert titles and all(t in r.text for t in titles[:3])
    assert client.get("/?page=0").status_code == 422
    assert client.get("/?page=99").status_code == 200
    # single-article stories hidden on request
    singles = [s.title for s in demo_store.stories() if s.size == 1 and s.title]
    multi = client.get("/?min_size=2").text
    assert "عرض كل القصص" in multi and all(t not in multi for t in singles)
    assert "إخفاء القصص ذات المقال الواحد" in r.text
    assert f"عدد القصص: {sum(s.size > 1 for s in demo_store.stories())}" in multi


def test_story_page_chips_lead_to_existing_sentences(client, demo_store):
    story = max(demo_store.stories(), key=lambda s: s.size)
    r = client.get(f"/stories/{story.id}")
    assert r.status_code == 200 and HTML_ROOT.search(r.text)
    assert story.title in r.text
    chips = re.findall(r'href="/articles/([^"#]+)#s-(\d+)"', r.text)
    assert chips
    for article_id, i in set(chips):
        assert article_id in story.article_ids
        page = client.get(f"/articles/{article_id}")
        assert f'id="s-{i}"' in page.text


def test_article_page_has_sentence_anchors_and_its_drops(client, demo_store):
    article = next(a for a in demo_store.articles() if demo_store.dropped(a.page_id))
    r = client.get(f"/articles/{article.id}")
    assert r.status_code == 200 and HTML_ROOT.search(r.text)
    sentences = article_sentences(article)
    assert all(f'id="s-{i}"' in r.text for i in range(len(sentences)))
    assert f'id="s-{len(sentences)}"' not in r.text
    dropped = demo_store.dropped(article.page_id)
    assert "ما حُذف من الصفحة" in r.text
    cells = re.findall(r'<td class="reason" title="([a-z_]+)">([^<]+)</td>', r.text)
    assert sorted(code for code, _ in cells) == sorted(d.reason for d in dropped)
    assert all(label == DROP_REASONS[code] for code, label in cells)  # Arabic, not the code
    story = demo_store.story_of(article.id)
    assert f'href="/stories/{story.id}"' in r.text


def test_every_drop_reason_has_an_arabic_label(demo_store):
    from marsad.extract import segment

    codes = {*segment._ALWAYS.values(), *segment._META_REASON.values(), *demo_store.drop_counts()}
    assert codes - set(DROP_REASONS) == set()
    assert all(re.fullmatch(r"[\u0600-\u06ff ]+", label) for label in DROP_REASONS.values())


def test_text_from_pages_is_escaped_everywhere(client, demo_store):
    article = next(a for a in demo_store.articles() if a.source_path == "hostile.txt")
    story = demo_store.story_of(article.id)
    for url in (f"/articles/{article.id}", f"/stories/{story.id}", "/"):
        html = client.get(url).text
        assert "<script>alert(1)" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<b>منفذ</b>" not in html
    assert "javascript:" not in client.get(f"/articles/{article.id}").text


def test_search_page_shows_marked_results(client):
    r = client.get("/search", params={"q": "والسيول", "since": "", "until": ""})
    assert r.status_code == 200 and HTML_ROOT.search(r.text)
    assert "<mark>" in r.text and 'href="/articles/' in r.text
    assert "قصص مطابقة" in r.text and 'href="/stories/' in r.text
    assert client.get("/search").status_code == 200
    bad = client.get("/search", params={"q": "سيول", "since": "أمس"})
    assert bad.status_code == 400 and "تاريخ غير صالح" in bad.text
    hostile = client.get("/search", params={"q": "<script>"})
    assert "<script>" not in hostile.text.split("<main>")[1]


def test_unknown_pages_are_html_404(client):
    for url in ("/stories/nope", "/articles/nope"):
        r = client.get(url)
        assert r.status_code == 404 and HTML_ROOT.search(r.text) and "nope" in r.text


def test_snippets_keep_only_their_marks():
    assert str(safe_marks("أ &lt;b&gt; <mark>السيول</mark> <script>x</script>")) == (
        "أ &lt;b&gt; <mark>السيول</mark> &lt;script&gt;x&lt;/script&gt;"
    )


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    q=st.text(max_size=30),
    outlet=st.text(max_size=10),
    since=st.one_of(st.just(""), st.dates().map(str), st.text(max_size=12)),
    some_id=st.text(min_size=1, max_size=20),
)
def test_pages_never_fail_on_odd_input(client, q, outlet, since, some_id):
    """Whatever a form or a hand-typed URL sends, the pages answer without a server error."""
    pages = [
        client.get("/search", params={"q": q, "outlet": outlet, "since": since, "until": ""}),
        client.get(f"/stories/{quote(some_id, safe='')}"),
        client.get(f"/articles/{quote(some_id, safe='')}"),
    ]
    assert all(r.status_code < 500 for r in pages), [r.status_code for r in pages]


def test_chips_name_pages_of_unknown_outlets_by_host_or_file():
    from marsad.model import UNNAMED, source_label

    assert source_label({"outlet": "صدى المدائن", "url": "https://x.com/a"}) == "صدى المدائن"
    assert source_label({"outlet": None, "url": "https://www.example.org/n/1"}) == "example.org"
    assert source_label({"outlet": None, "url": None, "source_path": "/d/000_b43e0beb79e5534a.txt"}) == "000_b43e0beb79…"
    assert source_label({"outlet": None, "source_path": "feed.jsonl#rec-7"}) == "feed"
    assert source_label({}) == UNNAMED


def test_report_of_an_archive_shows_the_largest_stories():
    from marsad.demo import DEMO_MANIFEST
    from marsad.digest import build_digest
    from marsad.pipeline import ingest
    from marsad.store import open_store
    from marsad.web import render_report

    with open_store(":memory:") as store:
        ingest([DEMO_MANIFEST], store)
        digest = build_digest(store)
    html = render_report(digest, max_stories=2)
    first, second, third = digest["stories"][:3]
    assert f'id="story-{first["id"]}"' in html and f'id="story-{second["id"]}"' in html
    assert f'id="story-{third["id"]}"' not in html
    assert "القصص كلها في digest.json" in html
    assert "القصص كلها في digest.json" not in render_report(digest)


def test_citations_group_into_one_chip_per_source():
    from marsad.web.render import chip_groups

    articles = {
        "a": {"id": "a", "outlet": "صدى", "title": "أ"},
        "b": {"id": "b", "outlet": "صدى", "title": "ب"},
        "c": {"id": "c", "outlet": None, "url": "https://www.example.org/x", "title": "ج"},
    }
    cites = [
        {"article_id": "b", "outlet": "صدى", "sentence": 4},
        {"article_id": "a", "outlet": "صدى", "sentence": 0},
        {"article_id": "c", "outlet": None, "sentence": 2},
    ]
    groups = chip_groups(cites, articles)
    assert [(g["label"], g["count"], g["article_id"], g["sentence"]) for g in groups] == [
        ("صدى", 2, "b", 4),
        ("example.org", 1, "c", 2),
    ]
    assert groups[0]["titles"] == ["ب", "أ"]
    assert [g["label"] for g in chip_groups(["c", "a"], articles)] == ["example.org", "صدى"]


def test_exact_copies_fold_under_the_first_listed():
    pairs = [{"a": "x", "b": "z", "kind": "exact"}, {"a": "z", "b": "y", "kind": "exact"},
             {"a": "x", "b": "w", "kind": "near"}, {"a": "x", "b": "gone", "kind": "exact"}]  # fmt: skip
    assert exact_copies(["w", "y", "x", "z"], pairs) == {"y": ["x", "z"]}
    assert exact_copies(["w", "x"], pairs) == {}


def test_one_page_filed_twice_is_listed_once(client, demo_store):
    pair = next(p for p in demo_store.duplicates() if p.kind == "exact")
    a, b = demo_store.article(pair.a), demo_store.article(pair.b)
    assert a.outlet == b.outlet and a.title == b.title  # the demo files one page twice
    story = demo_store.story_of(a.id)
    html = client.get(f"/stories/{story.id}").text
    articles = html[html.index("<h3>المقالات</h3>") :]
    assert articles.count(f">{a.title}</a>") == 1 and "ونسخة مطابقة" in articles
    dup = html[html.index('<div class="dup">') :].split("</div>")[0]
    assert f"نشره <bdi>{a.outlet}</bdi> مرتين" in dup and "نقل عن" not in dup
    near = next(p for p in demo_store.duplicates() if p.kind == "near")
    other = client.get(f"/stories/{demo_store.story_of(near.a).id}").text
    assert "نقل عن" in other  # across outlets a copy is still a copy
    found = client.get("/search", params={"q": a.title}).text
    links = re.findall(r'<a class="title" href="/articles/([^"]+)"', found)
    assert len({pair.a, pair.b} & set(links)) == 1 and 'class="copy"' in found


def test_inferred_days_are_marked_on_the_list_and_the_story_page(tmp_path):
    """A story of a dated Sunday page and an undated «أمس الأحد» page ends on the inferred
    Monday, marked as inferred wherever its span is shown."""
    from test_sources import BODY

    from marsad.model import Page
    from marsad.pipeline import ingest_pages
    from marsad.store import open_store

    db = str(tmp_path / "w.db")
    pages = [
        Page(f"عنوان عن الجسر\n\n{BODY}", "text", "/p/x1.txt", outlet="صدى المدائن",
             published="2024-08-18T10:00"),
        Page(f"عنوان عن الجسر\n\n{BODY.replace('صباح اليوم', 'أمس الأحد')}", "text",
             "/p/x2.txt", outlet="مرفأ نت"),
    ]  # fmt: skip
    with open_store(db) as store:
        ingest_pages(pages, store)
        (story,) = [s for s in store.stories() if s.size == 2]
    client = TestClient(create_app(db))
    listed = client.get("/").text
    assert "(مستنتج)" in listed
    page = client.get(f"/stories/{story.id}").text
    assert "(مستنتج)" in page and "تواريخ نشر مستنتجة" in page


def test_report_lists_the_developments_of_a_story_that_has_several():
    digest = copy.deepcopy(DIGEST)
    story = digest["stories"][0]
    ids = story["article_ids"]
    story["developments"] = [{"title": "أول <تطور>", "article_ids": ids[:1]},
                             {"title": "تطور ثان", "article_ids": ids[1:]}]  # fmt: skip
    page = render_report(digest)
    assert "تطورات القصة" in page and "أول &lt;تطور&gt;" in page and "تطور ثان" in page
    story["developments"] = story["developments"][:1]  # one development: nothing to list
    assert "تطورات القصة" not in render_report(digest)
