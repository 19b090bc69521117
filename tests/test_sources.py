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
