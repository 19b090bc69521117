"""The demo corpus is self-consistent: every page is labelled, every label points at real text.

These tests check the corpus and its gold labels only; they do not run marsad's extractor.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from marsad.demo import DEMO_DIR, LABELS_PATH, load_labels

LABELS = load_labels()
PAGES = LABELS["pages"]
TEXT_PAGES = {k: v for k, v in PAGES.items() if k.endswith(".txt")}
HTML_PAGES = {k: v for k, v in PAGES.items() if k.endswith(".html")}
RECORD_PAGES = {k: v for k, v in PAGES.items() if k.startswith("records.jsonl#")}
LINE_LABELS = {"title", "body", "meta", "boilerplate"}
ENCODINGS = {"utf-8", "utf-8-sig", "utf-16", "cp1256"}
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "seeds"


def decoded(name: str) -> str:
    return (DEMO_DIR / name).read_bytes().decode(PAGES[name]["encoding"])


def lines_of(name: str) -> list[str]:
    return decoded(name).splitlines()


def labelled(name: str, label: str, article: int | None = None) -> list[str]:
    """Texts of the lines of `name` carrying `label` (for one article, if given)."""
    lines = lines_of(name)
    return [
        lines[no - 1].strip()
        for no, lab, art in PAGES[name]["lines"]
        if lab == label and (article is None or art == article)
    ]


def records() -> dict[str, dict]:
    path = DEMO_DIR / "records.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {r["id"]: r for r in rows}


def all_articles():
    for key, page in PAGES.items():
        for i, art in enumerate(page["articles"]):
            yield key, i, art


# --------------------------------------------------------------------------- structure


def test_package_exposes_the_corpus():
    assert DEMO_DIR.is_dir()
    assert LABELS_PATH.is_file()
    assert LABELS["version"] == 1
    assert set(LABELS["stories"]) == {"E1", "E2", "E3", "E4"}


def test_every_page_file_is_labelled_and_every_label_has_a_page():
    files = {p.name for p in DEMO_DIR.iterdir() if p.is_file()}
    assert "records.jsonl" in files
    labelled_files = {key.split("#")[0] for key in PAGES}
    assert files == labelled_files
    assert {f"records.jsonl#{rid}" for rid in records()} == set(RECORD_PAGES)
    assert 22 <= len(files) <= 28
    assert len(HTML_PAGES) == 3
    assert 3 <= len(RECORD_PAGES) <= 4


@pytest.mark.parametrize("name", sorted(TEXT_PAGES))
def test_text_page_decodes_as_stated(name):
    enc = PAGES[name]["encoding"]
    assert enc in ENCODINGS
    data = (DEMO_DIR / name).read_bytes()
    text = data.decode(enc)
    assert "\ufffd" not in text and "\ufeff" not in text
    assert re.search("[\u0621-\u064a]", text)
    if enc == "utf-8":
        assert not data.startswith(b"\xef\xbb\xbf")
    elif enc == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    elif enc == "utf-16":
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    elif enc == "cp1256":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")


def test_special_encodings_are_each_present():
    counts = Counter(p["encoding"] for p in TEXT_PAGES.values())
    assert counts["cp1256"] >= 1 and counts["utf-16"] >= 1 and counts["utf-8-sig"] >= 1
    assert counts["utf-8"] > len(TEXT_PAGES) // 2


@pytest.mark.parametrize("name", sorted(TEXT_PAGES))
def test_every_nonblank_line_is_labelled_exactly_once(name):
    lines = lines_of(name)
    numbers = [no for no, _, _ in PAGES[name]["lines"]]
    assert len(numbers) == len(set(numbers)), "a line is labelled twice"
    nonblank = {no for no, line in enumerate(lines, 1) if line.strip()}
    assert set(numbers) == nonblank


@pytest.mark.parametrize("name", sorted(TEXT_PAGES))
def test_line_labels_and_article_indices_are_valid(name):
    page = PAGES[name]
    n = len(page["articles"])
    for no, label, art in page["lines"]:
        assert label in LINE_LABELS, (no, label)
        if label == "boilerplate":
            assert art is None, no
        else:
            assert isinstance(art, int) and 0 <= art < n, no
    for i in range(n):
        assert labelled(name, "body", i), f"article {i} has no body"
    # articles follow each other: a page's lines never go back to an earlier article
    order = [art for _, label, art in page["lines"] if label != "boilerplate"]
    assert order == sorted(order)


@pytest.mark.parametrize("name", sorted(TEXT_PAGES))
def test_title_lines_match_article_titles(name):
    for i, art in enumerate(PAGES[name]["articles"]):
        titles = labelled(name, "title", i)
        if art["title"] is None:
            assert titles == []
        else:
            assert titles == [art["title"]]
            first = min(no for no, lab, a in PAGES[name]["lines"] if lab == "title" and a == i)
            body = [no for no, lab, a in PAGES[name]["lines"] if lab == "body" and a == i]
            assert first < min(body), "the title comes before its body"


def test_every_article_has_a_story_and_credits():
    for key, i, art in all_articles():
        assert re.fullmatch(r"E[1-4]|X\d+", art["story"]), (key, i)
        assert isinstance(art["credits"], list), (key, i)
        if art["published"] is not None:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d)?", art["published"]), (key, i)


def test_articles_are_full_length():
    for name in TEXT_PAGES:
        for i in range(len(PAGES[name]["articles"])):
            paragraphs = labelled(name, "body", i)
            assert 4 <= len(paragraphs) <= 10, (name, i, len(paragraphs))


# --------------------------------------------------------------------------- metadata


MONTHS = {
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "أبريل": 4,
    "مايو": 5,
    "يونيو": 6,
    "يوليو": 7,
    "أغسطس": 8,
    "سبتمبر": 9,
    "أكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
}


def parse_date_line(line: str) -> str | None:
    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{4}) \| (\d\d):(\d\d)", line)
    if m:
        d, mo, y, hh, mm = m.groups()
        return f"{y}-{int(mo):02d}-{int(d):02d}T{hh}:{mm}"
    m = re.fullmatch(r"\S+ (\d{1,2}) (\S+) (\d{4}) - (\d\d):(\d\d)", line)
    if m and m.group(2) in MONTHS:
        d, mon, y, hh, mm = m.groups()
        return f"{y}-{MONTHS[mon]:02d}-{int(d):02d}T{hh}:{mm}"
    return None


@pytest.mark.parametrize("name", sorted(TEXT_PAGES))
def test_published_agrees_with_the_date_line(name):
    for i, art in enumerate(PAGES[name]["articles"]):
        dates = [d for d in map(parse_date_line, labelled(name, "meta", i)) if d]
        assert len(dates) <= 1
        assert art["published"] == (dates[0] if dates else None), (name, i)


def test_meta_lines_are_dates_or_source_credits():
    for name in TEXT_PAGES:
        for line in labelled(name, "meta"):
            assert parse_date_line(line) or line.startswith("المصدر:"), (name, line)


def test_source_credit_lines_are_in_the_credits():
    for name in TEXT_PAGES:
        for i, art in enumerate(PAGES[name]["articles"]):
            for line in labelled(name, "meta", i):
                if line.startswith("المصدر:"):
                    assert line.split(":", 1)[1].strip() in art["credits"], (name, i)


def test_filed_day_is_close_to_published():
    for key, page in PAGES.items():
        filed = date.fromisoformat(page["filed"])
        for art in page["articles"]:
            if art["published"]:
                gap = (filed - date.fromisoformat(art["published"][:10])).days
                assert 0 <= gap <= 1, key


@pytest.mark.parametrize("name", sorted(HTML_PAGES))
def test_html_page_metadata_and_gold_strings(name):
    html = decoded(name)
    page = PAGES[name]
    assert page["lines"] == []
    for tag in (
        'property="og:title"',
        'property="og:site_name"',
        'property="article:published_time"',
        "<header",
        "<nav",
        "<article",
        "<h1",
        "<p>",
        "<aside",
        "<footer",
    ):
        assert tag in html, tag
    assert f'property="og:site_name" content="{page["outlet"]}"' in html
    [art] = page["articles"]
    assert f'content="{art["title"]}"' in html
    assert f'content="{art["published"]}:00' in html
    assert len(art["must_contain"]) >= 2 and len(art["must_not_contain"]) >= 2
    for s in art["must_contain"] + art["must_not_contain"]:
        assert s in html, s


def test_records_fields_and_gold_strings():
    for rid, rec in records().items():
        page = PAGES[f"records.jsonl#{rid}"]
        assert {"id", "url", "outlet", "published", "title"} <= set(rec)
        assert ("text" in rec) != ("html" in rec)
        assert rec["outlet"] == page["outlet"]
        [art] = page["articles"]
        assert art["title"] == rec["title"]
        assert rec["published"].startswith(art["published"])
        content = rec.get("text") or rec.get("html")
        assert len(art["must_contain"]) >= 2 and len(art["must_not_contain"]) >= 2
        for s in art["must_contain"] + art["must_not_contain"]:
            assert s in content, s
    assert any("html" in r for r in records().values())


# --------------------------------------------------------------------------- coverage


def test_outlets_events_and_multi_article_pages():
    outlets = {p["outlet"] for p in PAGES.values()}
    assert len(outlets) >= 5
    text_outlets = {p["outlet"] for p in TEXT_PAGES.values()}
    assert len(text_outlets) >= 5
    multi = [k for k, p in PAGES.items() if len(p["articles"]) >= 2]
    assert len(multi) >= 5
    story_outlets: dict[str, set[str]] = defaultdict(set)
    story_days: dict[str, set[str]] = defaultdict(set)
    singles: Counter[str] = Counter()
    for key, _, art in all_articles():
        story_outlets[art["story"]].add(PAGES[key]["outlet"])
        story_days[art["story"]].add(PAGES[key]["filed"])
        if art["story"].startswith("X"):
            singles[art["story"]] += 1
    for story in ("E1", "E2", "E3", "E4"):
        assert len(story_outlets[story]) >= 3, story
        days = sorted(date.fromisoformat(d) for d in story_days[story])
        assert (days[-1] - days[0]).days <= 1, story
    assert singles and all(n == 1 for n in singles.values())


def test_page_without_title_and_in_article_subheads():
    assert any(a["title"] is None for name in TEXT_PAGES for a in PAGES[name]["articles"])
    # a short subheading line inside an article body (no sentence punctuation)
    subheads = [
        line
        for name in TEXT_PAGES
        for line in labelled(name, "body")
        if len(line) < 30 and not re.search(r"[.،:؟!]$", line)
    ]
    assert len(subheads) >= 2


DEBRIS = {
    "caption twice": None,  # handled below
    "TT": re.compile(r"^TT$"),
    "masthead": re.compile(r"رئيس (مجلس الإدارة|مجلس الادارة|التحرير)"),
    "tatweel": re.compile("\u0640{2,}"),
    "related block": re.compile(
        r"^(مقالات ذات صلة|إقرأ أيضاً:?|اقرأ أيضا|اقرأ أيضاً|مقالات مشابهة|أخبار ذات صلة)$"
    ),
    "bullet": re.compile(r"^\s*• "),
    "tags": re.compile(r"^كلمات دلالية:"),
    "ad": re.compile(r"^إعلان$"),
    "share": re.compile(r"^(شارك|تابعونا على)"),
    "copyright": re.compile(r"جميع الحقوق محفوظة ©"),
    # «Outlet» (City) or a reporter's name with the city, on a short line of its own
    "teaser credit": re.compile(
        r"^(«[^»]{2,20}»|[\u0621-\u064a]+ [\u0621-\u064a]+) \([\u0621-\u064a ]{2,15}\)$"
    ),
}


def boilerplate_lines(name: str) -> list[str]:
    lines = lines_of(name)
    return [lines[no - 1] for no, lab, _ in PAGES[name]["lines"] if lab == "boilerplate"]


def test_every_kind_of_debris_appears_in_two_outlet_styles():
    seen: dict[str, set[str]] = defaultdict(set)
    for name, page in TEXT_PAGES.items():
        lines = lines_of(name)
        bp = boilerplate_lines(name)
        for kind, rx in DEBRIS.items():
            if rx is not None and any(rx.search(line) for line in bp):
                seen[kind].add(page["outlet"])
        for a, b in zip(lines, lines[1:], strict=False):
            if a.strip() and a == b and re.search(r"\((إ\.ب\.أ|أ\.ف\.ب|رويترز)\)$", a):
                seen["caption twice"].add(page["outlet"])
        titles = {art["title"] for art in page["articles"] if art["title"]}
        if any(line.strip() in titles for line in bp):
            seen["repeated title"].add(page["outlet"])
        if any(line.startswith("المصدر:") for line in labelled(name, "meta")):
            seen["source credit"].add(page["outlet"])
        if any(parse_date_line(line) for line in labelled(name, "meta")):
            seen["date line"].add(page["outlet"])
    for kind in [*DEBRIS, "repeated title", "source credit", "date line"]:
        assert len(seen[kind]) >= 2, (kind, seen[kind])


def test_glued_second_articles_use_each_pattern():
    after_read_also = after_related = after_caption_block = 0
    for name, page in TEXT_PAGES.items():
        lines = lines_of(name)
        for i in range(1, len(page["articles"])):
            first = min(no for no, lab, a in page["lines"] if a == i)
            before = [lines[no - 1] for no, lab, a in page["lines"] if no < first][-6:]
            after = [lines[no - 1] for no, lab, a in page["lines"] if no > first][:4]
            if any(line.startswith("إقرأ أيضاً:") for line in before):
                after_read_also += 1
            elif "TT" in after:
                after_caption_block += 1
            elif any("(" in line for line in before):
                after_related += 1
    assert after_read_also >= 1 and after_related >= 1 and after_caption_block >= 1


def test_duplicate_pairs():
    def article_text(ref: str) -> list[str]:
        name, idx = ref.split("#")
        i = int(idx)
        return labelled(name, "title", i) + labelled(name, "body", i)

    kinds = Counter(d["kind"] for d in LABELS["duplicates"])
    assert kinds["exact"] >= 1 and kinds["near"] >= 1
    for dup in LABELS["duplicates"]:
        a, b = article_text(dup["a"]), article_text(dup["b"])
        pa, pb = PAGES[dup["a"].split("#")[0]], PAGES[dup["b"].split("#")[0]]
        if dup["kind"] == "exact":
            assert a == b
            assert pa["outlet"] == pb["outlet"]
            assert lines_of(dup["a"].split("#")[0]) != lines_of(dup["b"].split("#")[0])
        else:
            shared = set(a[1:]) & set(b[1:])
            assert a != b and len(shared) >= 0.7 * max(len(a) - 1, len(b) - 1)
            assert pa["outlet"] != pb["outlet"]


# --------------------------------------------------------------------------- our own words


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seed pages not available")
def test_no_seed_text_is_reused():
    seed_lines = {
        line.strip()
        for path in SEEDS.glob("*.txt")
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) >= 25
    }
    for name in PAGES:
        text = decoded(name.split("#")[0]) if "#" not in name else ""
        for line in text.splitlines():
            assert line.strip() not in seed_lines, (name, line)
    corpus = "\n".join(decoded(n) for n in PAGES if "#" not in n)
    corpus += (DEMO_DIR / "records.jsonl").read_text(encoding="utf-8")
    for masthead in ("الشرق الأوسط", "عين ليبيا", "فرغلي"):
        assert masthead not in corpus
