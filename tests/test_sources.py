"""marsad.extract.source and marsad.sources: a page's outlet named from its own credit lines,
and pages of one unknown site grouped by their template into one anonymous source."""

from __future__ import annotations

from marsad.extract.source import own_outlet, template_keys
from marsad.model import Dropped, Page
from marsad.pipeline import ingest_pages

BODY = (
    "افتتحت بلدية المدينة صباح اليوم جسرا جديدا فوق النهر بعد عامين من أعمال البناء المتواصلة.\n\n"
    "وقال رئيس البلدية في كلمة أمام الحضور إن الجسر سيخفف الازدحام في وسط المدينة بشكل كبير.\n\n"
    "وأضاف أن كلفة المشروع بلغت نحو عشرين مليون دولار وأن العمل سيبدأ في جسر ثان العام المقبل.\n\n"
    "ورحب السكان بالمشروع وقالوا إن الطريق إلى أعمالهم كان يستغرق ساعة كاملة في أوقات الذروة."
)


def page(name: str, head: str, topic: str, tail: str = "") -> Page:
    body = BODY.replace("الجسر", f"جسر {topic}").replace("جسرا", f"جسرا باسم {topic}")
    content = f"{head}\n\nعنوان عن {topic}\n\n{body}\n\n{tail}".strip()
    return Page(content, "text", f"/scrape/{name}.txt")


def test_own_credit_lines_name_the_page_and_agencies_never_do() -> None:
    lines = [
        Dropped(3, "«مرفأ نت» (بيروت)", "credit"),
        Dropped(9, "صيدا: «مرفأ نت»", "credit"),
        Dropped(12, "«رويترز» (لندن)", "credit"),
        Dropped(14, "سمير الحلبي (بيروت)", "credit"),
    ]
    assert own_outlet(lines) == "مرفأ نت"
    assert own_outlet(lines[2:]) is None  # an agency, a person's byline
    assert own_outlet([Dropped(1, "المصدر: صدى المدائن", "source_credit")]) is None


def test_template_keys_are_site_lines_not_anybodys() -> None:
    lines = [
        Dropped(1, "رئيس التحرير", "masthead"),
        Dropped(2, "سمـــير الحلبي", "masthead"),
        Dropped(3, "MN", "marker"),
        Dropped(4, "•", "marker"),
        Dropped(5, "صورة من الحفل (أ.ف.ب)", "caption"),
    ]
    assert template_keys(lines) == ["mn", "رييس التحرير", "سمير الحلبي"]


def test_unknown_sites_grouped_by_template_across_ingests(store) -> None:
    masthead = "رئيس التحرير\n\nسمـــير الحلبي"
    first = [
        page("a1", "MN", "الميناء", "«مرفأ نت» (بيروت)"),  # names itself
        page("a2", "MN", "السوق"),  # same template, no name: the same site
        page("b1", masthead, "الحديقة"),  # another unknown site
    ]
    ingest_pages(first, store)
    second = [page("b2", masthead, "المكتبة"), page("c1", "", "الملعب")]
    ingest_pages(second, store)
    outlets = {a.source_path.rsplit("/", 1)[1][:2]: a.outlet for a in store.articles()}
    assert outlets == {
        "a1": "مرفأ نت",
        "a2": "مرفأ نت",
        "b1": "موقع غير معروف ١",
        "b2": "موقع غير معروف ١",  # a later ingest finds the stored template
        "c1": "موقع غير معروف ٢",  # no template lines: a source of its own
    }
    # A page its record names keeps that name.
    named = Page(f"MN\n\nعنوان عن القلعة\n\n{BODY}", "text", "/scrape/d1.txt", outlet="صدى المدائن")
    ingest_pages([named], store)
    assert {a.outlet for a in store.articles() if "d1" in a.source_path} == {"صدى المدائن"}


def test_undated_articles_get_their_storys_day_as_rows(store) -> None:
    """An undated page saying «أمس الأحد» in a story dated Sunday 2024-08-18 was written on
    Monday: the row says so, with its basis; the dated page keeps its stated time."""
    text = BODY.replace("صباح اليوم", "أمس الأحد")
    dated = Page(f"عنوان عن الجسر\n\n{BODY}", "text", "/scrape/x1.txt", outlet="صدى المدائن",
                 published="2024-08-18T10:00")  # fmt: skip
    undated = Page(f"عنوان عن الجسر\n\n{text}", "text", "/scrape/x2.txt", outlet="مرفأ نت")
    ingest_pages([dated, undated], store)
    (story,) = [s for s in store.stories() if s.size == 2]
    days = store.inferred_days(story.article_ids)
    (inferred,) = days.values()
    assert inferred[:2] == ("2024-08-19", "story") and "أمس الأحد" in inferred[2]
    assert store.inferred_spans([story.id]) == {story.id: ("2024-08-19", "2024-08-19")}
