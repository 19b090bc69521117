"""marsad.dates: each form of date expression, offsets into the original text, and a floor on
our labelled set (eval/data/dates.jsonl)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import load_eval
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.arabic import normalize
from marsad.dates import DateMention, find_dates, parse_published

ROOT = Path(__file__).resolve().parents[1]
TUESDAY = "2024-08-20"  # a Tuesday: Sunday is the 18th, last Thursday the 15th
FRIDAY = "2025-01-03"


def found(text: str, published: str | None = TUESDAY) -> list[tuple[str, str]]:
    return [(m.text, m.value) for m in find_dates(text, published)]


# --- weekdays ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أعلنت الوزارة الأحد ارتفاع الإصابات.", [("الأحد", "2024-08-18")]),
        ("وقال المتحدث، الاثنين، إن القوات انسحبت.", [("الاثنين", "2024-08-19")]),
        ("عقد المجلس جلسة يوم الثلاثاء.", [("يوم الثلاثاء", "2024-08-20")]),  # publish day
        ("وشهدت المدينة الأربعاء احتجاجات.", [("الأربعاء", "2024-08-14")]),  # never a week early
        ("وفي يوم الخميس، شارك الآلاف.", [("يوم الخميس", "2024-08-15")]),
        ("والجمعة خرجت مظاهرات.", [("الجمعة", "2024-08-16")]),
        ("واستؤنف القصف فجر السبت.", [("فجر السبت", "2024-08-17")]),
    ],
)
def test_weekday_is_the_latest_up_to_the_publish_day(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("زار المنطقة الأحد الماضي.", [("الأحد الماضي", "2024-08-18")]),
        ("تستعد للانتخابات هذا الأحد.", [("هذا الأحد", "2024-08-25")]),
        ("وانتهت الجولة الثلاثاء الماضي.", [("الثلاثاء الماضي", "2024-08-13")]),
        ("تعقد القمة الثلاثاء المقبل.", [("الثلاثاء المقبل", "2024-08-27")]),
        ("وتعود البعثة الخميس القادم.", [("الخميس القادم", "2024-08-22")]),
        ("وخرجوا الجمعة الماضية.", [("الجمعة الماضية", "2024-08-16")]),
    ],
)
def test_weekday_modifiers(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("سيزور الرئيس القاهرة الأحد.", [("الأحد", "2024-08-25")]),
        ("وقال إن الحكومة ستعقد اجتماعاً الخميس.", [("الخميس", "2024-08-22")]),
        ("ومن المقرر أن تبدأ المحادثات السبت.", [("السبت", "2024-08-24")]),
        ("وسوف يصوت البرلمان الأربعاء.", [("الأربعاء", "2024-08-21")]),
        # the future verb is after the weekday, in the reported clause: the statement was made
        # on the past Sunday
        ("أعلن المتحدث الأحد أن الوفد سيصل إلى جنيف.", [("الأحد", "2024-08-18")]),
        # nouns that look like future verbs do not count
        ("تراجعت أسعار سيارات الأجرة الأحد.", [("الأحد", "2024-08-18")]),
    ],
)
def test_future_tense_picks_the_next_weekday(text: str, expected: list) -> None:
    assert found(text) == expected


# --- relative days and periods -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وصل الوفد اليوم.", [("اليوم", "2024-08-20")]),
        ("وقعت الاشتباكات أمس.", [("أمس", "2024-08-19")]),
        ("أكدت الوزارة أول أمس.", [("أول أمس", "2024-08-18")]),
        ("أعلنت أمس الأول.", [("أمس الأول", "2024-08-18")]),
        ("تستأنف الدراسة غداً.", [("غداً", "2024-08-21")]),
        ("تستأنف الدراسة غدا.", [("غدا", "2024-08-21")]),
        ("ويصل بعد غد.", [("بعد غد", "2024-08-22")]),
        ("وتشهد العاصمة الليلة حفلاً.", [("الليلة", "2024-08-20")]),
        ("اندلع الحريق مساء أمس.", [("مساء أمس", "2024-08-19")]),
        ("التقى الوفد صباح اليوم.", [("صباح اليوم", "2024-08-20")]),
        ("وقع انفجار ليلة أمس.", [("ليلة أمس", "2024-08-19")]),
        ("وذكرت بالأمس أن الحدود أغلقت.", [("الأمس", "2024-08-19")]),
        ("وفرقت الشرطة أمس الاثنين تجمعاً.", [("أمس الاثنين", "2024-08-19")]),
        ("تعلن النتائج يوم غد.", [("يوم غد", "2024-08-21")]),
    ],
)
def test_relative_days(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ارتفعت الأسعار الأسبوع الماضي.", [("الأسبوع الماضي", "2024-08-11/2024-08-17")]),
        ("وتعقد الجولة الأسبوع المقبل.", [("الأسبوع المقبل", "2024-08-25/2024-08-31")]),
        ("وشهدت البورصة هذا الأسبوع تقلبات.", [("هذا الأسبوع", "2024-08-18/2024-08-24")]),
        ("تراجع التضخم الشهر الماضي.", [("الشهر الماضي", "2024-07")]),
        ("وتبدأ المرحلة الشهر المقبل.", [("الشهر المقبل", "2024-09")]),
        ("سجلت الصادرات العام الماضي رقماً.", [("العام الماضي", "2023")]),
        ("وينمو الاقتصاد العام المقبل.", [("العام المقبل", "2025")]),
        ("وكانت السنة الماضية حارة.", [("السنة الماضية", "2023")]),
        ("وخلال العام الجاري افتتحت مستشفيات.", [("العام الجاري", "2024")]),
    ],
)
def test_relative_periods(text: str, expected: list) -> None:
    assert found(text) == expected


def test_week_crosses_the_year() -> None:
    assert found("وانخفضت البطالة الأسبوع الماضي.", FRIDAY) == [
        ("الأسبوع الماضي", "2024-12-22/2024-12-28")
    ]


# --- absolute dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وصل في 18 أغسطس 2024 إلى باكو.", [("18 أغسطس 2024", "2024-08-18")]),
        ("وقعت في ١٨ آب ٢٠٢٤ قرب الحدود.", [("١٨ آب ٢٠٢٤", "2024-08-18")]),
        ("صدر بتاريخ 18/8/2024 ونشر.", [("18/8/2024", "2024-08-18")]),
        ("دخل حيز التنفيذ في 2024-08-01.", [("2024-08-01", "2024-08-01")]),
        ("الموعد النهائي ١٥/٩/٢٠٢٤.", [("١٥/٩/٢٠٢٤", "2024-09-15")]),
        ("وأجريت في 5 تشرين الثاني 2023.", [("5 تشرين الثاني 2023", "2023-11-05")]),
        ("عقدت في 2 جانفي 2025 بتونس.", [("2 جانفي 2025", "2025-01-02")]),
        ("وفي الأحد 18 أغسطس 2024 أعلنت.", [("الأحد 18 أغسطس 2024", "2024-08-18")]),
        ("يوم الاثنين الموافق 19 أغسطس 2024", [("يوم الاثنين الموافق 19 أغسطس 2024", "2024-08-19")]),
        ("في الأول من أغسطس", [("الأول من أغسطس", "2024-08-01")]),
        ("منذ الحادي عشر من سبتمبر 2001", [("الحادي عشر من سبتمبر 2001", "2001-09-11")]),
        ("في الخامس والعشرين من ديسمبر المقبل", [("الخامس والعشرين من ديسمبر المقبل", "2024-12-25")]),
        ("في الثاني من الشهر المقبل", [("الثاني من الشهر المقبل", "2024-09-02")]),
        ("في 7 سبتمبر/أيلول من عام 1923", [("7 سبتمبر/أيلول من عام 1923", "1923-09-07")]),
        ("في 5 مارس من العام الماضي", [("5 مارس من العام الماضي", "2023-03-05")]),
    ],
)
def test_absolute_days(text: str, expected: list) -> None:
    assert found(text) == expected


def test_impossible_days_are_not_days() -> None:
    assert found("في 30/2/2024") == []
    # a typo'd day still names its month
    assert found("في 31 فبراير 2024") == [("فبراير 2024", "2024-02")]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("وقع الهجوم في 25 ديسمبر.", FRIDAY, [("25 ديسمبر", "2024-12-25")]),  # past year
        ("تبدأ المحاكمة في 15 يناير.", FRIDAY, [("15 يناير", "2025-01-15")]),
        ("وتنتهي المهلة في 30 سبتمبر.", TUESDAY, [("30 سبتمبر", "2024-09-30")]),
        ("وسيعقد في 20 أكتوبر المقبل.", TUESDAY, [("20 أكتوبر المقبل", "2024-10-20")]),
        ("وانتهت في 31 ديسمبر الماضي.", FRIDAY, [("31 ديسمبر الماضي", "2024-12-31")]),
        # the sentence's stated year anchors a later date without one
        (
            "بدأت الحرب في 20 مارس 2003 وسقطت بغداد في التاسع من أبريل.",
            TUESDAY,
            [("20 مارس 2003", "2003-03-20"), ("التاسع من أبريل", "2003-04-09")],
        ),
    ],
)
def test_missing_year_is_closest_to_the_publish_day(text: str, published: str, expected: list) -> None:
    assert found(text, published) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("في أيلول (سبتمبر) 2018", [("أيلول (سبتمبر) 2018", "2018-09")]),
        ("في سبتمبر (أيلول) 2018", [("سبتمبر (أيلول) 2018", "2018-09")]),
        ("افتتح في 12 آب (أغسطس) بحضور", [("12 آب (أغسطس)", "2024-08-12")]),
        ("في 8 ديسمبر/كانون الأول", [("8 ديسمبر/كانون الأول", "2024-12-08")]),
        ("إلى كانون الأول/ديسمبر 2023", [("كانون الأول/ديسمبر 2023", "2023-12")]),
        ("في أكتوبر/تشرين أول 2016", [("أكتوبر/تشرين أول 2016", "2016-10")]),
        ("في سبتمبر 2018 أعلنت", [("سبتمبر 2018", "2018-09")]),
        ("منذ شهر مارس 2020", [("شهر مارس 2020", "2020-03")]),
        ("في سبتمبر الماضي", [("سبتمبر الماضي", "2023-09")]),  # August now: last year's
        ("خلال يوليو الماضي", [("يوليو الماضي", "2024-07")]),
        ("في نوفمبر المقبل", [("نوفمبر المقبل", "2024-11")]),
        ("منذ مطلع أغسطس الجاري", [("أغسطس الجاري", "2024-08")]),
        ("خلال شهر أبريل", [("شهر أبريل", "2024-04")]),
        ("خلال يناير كانون الثاني", [("يناير كانون الثاني", "2025-01")]),  # Reuters style
        ("بين مارس أبريل 2018", [("أبريل 2018", "2018-04")]),  # two months, not one
        ("في الأسبوع الأول من أكتوبر المقبل", [("الأسبوع الأول من أكتوبر المقبل", "2024-10-01/2024-10-07")]),
        ("في شهر مايو من هذا العام", [("شهر مايو من هذا العام", "2024-05")]),
    ],
)
def test_months(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("في 18 و19 أغسطس (آب)", TUESDAY, [("18 و19 أغسطس (آب)", "2024-08-18/2024-08-19")]),
        ("من 18 إلى 20 أغسطس", TUESDAY, [("18 إلى 20 أغسطس", "2024-08-18/2024-08-20")]),
        ("بين 3 و5 مارس", "2018-03-12", [("3 و5 مارس", "2018-03-03/2018-03-05")]),
        ("في 18-19 أغسطس 2024", TUESDAY, [("18-19 أغسطس 2024", "2024-08-18/2024-08-19")]),
        (
            "من 28 ديسمبر إلى 3 يناير 2025",
            FRIDAY,
            [("28 ديسمبر إلى 3 يناير 2025", "2024-12-28/2025-01-03")],
        ),
        ("يومي الثلاثاء والأربعاء", FRIDAY, [("يومي الثلاثاء والأربعاء", "2024-12-31/2025-01-01")]),
        ("ليل الخميس الجمعة", FRIDAY, [("ليل الخميس الجمعة", "2025-01-02/2025-01-03")]),
        ("قمة الخميس والجمعة", FRIDAY, [("الخميس والجمعة", "2025-01-02/2025-01-03")]),
        ("الاثنين والخميس", FRIDAY, [("الاثنين", "2024-12-30"), ("الخميس", "2025-01-02")]),
        (
            "من سبتمبر 2017 إلى أغسطس/آب 2018",
            TUESDAY,
            [("سبتمبر 2017 إلى أغسطس/آب 2018", "2017-09-01/2018-08-31")],
        ),
        (
            "بين أيلول/سبتمبر 2013 وأيلول/سبتمبر 2014",
            TUESDAY,
            [("أيلول/سبتمبر 2013 وأيلول/سبتمبر 2014", "2013-09-01/2014-09-30")],
        ),
        # «و» between two full dates is a list unless «بين» opens it
        ("في 3 مارس 2018 و5 أبريل 2018", TUESDAY, [("3 مارس 2018", "2018-03-03"), ("5 أبريل 2018", "2018-04-05")]),
    ],
)
def test_ranges(text: str, published: str, expected: list) -> None:
    assert found(text, published) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وتأسست الشركة عام 2018 في دبي.", [("عام 2018", "2018")]),
        ("وفي 2018 فاز المنتخب.", [("2018", "2018")]),
        ("ونما خلال العام 2023 بنسبة 2%.", [("العام 2023", "2023")]),
        ("بحلول 2030", [("2030", "2030")]),
        ("بين عامي 2015 و2017", [("عامي 2015 و2017", "2015-01-01/2017-12-31")]),
        ("في الموسم العام 2018-2019", [("العام 2018-2019", "2018-01-01/2019-12-31")]),
        ("بكأس أوروبا عامي 2008 و2012", [("عامي 2008", "2008"), ("2012", "2012")]),
        # numbers that count something are not years
        ("أكثر من 2018 شخصاً", []),
        ("وسجل في 2019 حالة إصابة", []),
        ("وشارك في كوب 29 في باكو", []),
        ("وارتفع المؤشر إلى 2018 نقطة", []),
        ("وخصصت 2024 مليون دولار", []),
        ("بلغت 45% من أصل 2024 ناخباً", []),
    ],
)
def test_years(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("في 1 رمضان 1445", [("1 رمضان 1445", "2024-03-11")]),
        ("يوم 15 رمضان 1445هـ", [("يوم 15 رمضان 1445هـ", "2024-03-25")]),
        ("في 1 محرم 1446 هـ", [("1 محرم 1446 هـ", "2024-07-07")]),
        ("في 10 ذو الحجة 1445هـ", [("10 ذو الحجة 1445هـ", "2024-06-16")]),
        ("في 20 ربيع الأول 1446 هـ", [("20 ربيع الأول 1446 هـ", "2024-09-23")]),
        ("عام 1445 هـ", [("عام 1445 هـ", "2023-07-19/2024-07-06")]),
        ("فاز 1 صفر على ضيفه", []),  # «صفر» without a year is zero
    ],
)
def test_hijri(text: str, expected: list) -> None:
    assert found(text) == expected


def test_hijri_month_nearest_the_publish_day() -> None:
    assert found("وخلال شهر رمضان تراجعت الحركة.", "2024-03-28") == [
        ("شهر رمضان", "2024-03-11/2024-04-09")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "وقال عبد الله الأحمد إن الحزب سيواصل.",
        "وأقيمت أمسية شعرية.",
        "وتنشر الصحيفة تقاريرها اليومية.",
        "وقال إن يوم الحساب قادم.",
        "وضمت القائمة الأحد عشر لاعباً.",
        "وأكدت قناة روسيا اليوم الخبر.",
        "ويحتفل العالم باليوم العالمي للمرأة.",
        "ووصلت في اليوم التالي إلى الحدود.",
        "واتفق الاثنين معاً على التنسيق.",
        "واتفق الطرفين الاثنين على التنسيق.",
        "ومارس الضغط على الحكومة.",
        "وقال الأب إن ابنه لم يعد.",
        "وتعهد الأمين العام المقبل بإصلاحات.",
        "وغدا الأمر أكثر تعقيداً.",
        "وأغلق باب المعبر.",
    ],
)
def test_not_dates(text: str) -> None:
    assert found(text) == []


# --- API -----------------------------------------------------------------------------------


def test_offsets_point_into_the_original_text() -> None:
    text = "وَقَالَ المُتَحَدِّثُ «الأحـــد» إنَّ الوفدَ وصلَ غداً\nالاثنين ﻻ"
    mentions = find_dates(text, TUESDAY)
    assert [(m.text, m.value) for m in mentions] == [
        ("الأحـــد", "2024-08-18"),
        ("غداً", "2024-08-21"),
        ("الاثنين", "2024-08-19"),
    ]
    for m in mentions:
        assert text[m.start : m.end] == m.text


def test_dates_do_not_span_paragraphs() -> None:
    assert found("وقال الأحد\n18 أغسطس 2024 كان يوماً") == [
        ("الأحد", "2024-08-18"),
        ("18 أغسطس 2024", "2024-08-18"),
    ]


def test_mention_fields() -> None:
    (m,) = find_dates("ارتفعت الأسعار الأسبوع الماضي", "2024-08-20T23:10:00+03:00")
    assert m == DateMention(
        "الأسبوع الماضي", 15, 29, date(2024, 8, 11), date(2024, 8, 17), "range", True
    )
    (y,) = find_dates("عام 2018", None)
    assert (y.granularity, y.relative, y.value) == ("year", False, "2018")


def test_without_publish_day_only_full_dates_resolve() -> None:
    assert found("وقع الحادث الأحد 18 أغسطس 2024 وأمس وفي 25 ديسمبر", None) == [
        ("الأحد 18 أغسطس 2024", "2024-08-18")
    ]


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="published must be ISO 8601"):
        find_dates("أمس", "18/08/2024")
    with pytest.raises(TypeError, match="text must be str"):
        find_dates(None, TUESDAY)  # type: ignore[arg-type]
    assert parse_published(" 2024-08-20T10:00Z ") == date(2024, 8, 20)


_MARKS = st.sampled_from(["", "", "", "\u064b", "\u064e", "\u0651", "\u0640", "\u200f"])


@settings(max_examples=60, deadline=None)
@given(st.lists(_MARKS, min_size=40, max_size=40))
def test_marks_anywhere_keep_offsets_and_values(marks: list[str]) -> None:
    """Diacritics, tatweel and direction marks sprinkled anywhere change neither what is found
    nor where: every surface is the original slice and normalizes like the plain one."""
    plain = "وقال أمس إن القمة في 18 و19 أغسطس 2024 والأحد الماضي"
    text = "".join(c + mark for c, mark in zip(plain, marks + [""] * len(plain), strict=False))
    want = find_dates(plain, TUESDAY)
    got = find_dates(text, TUESDAY)
    assert [m.value for m in got] == [m.value for m in want]
    for g, w in zip(got, want, strict=True):
        assert text[g.start : g.end] == g.text
        assert normalize(g.text) == normalize(w.text)


_PIECES = st.sampled_from(
    "الأحد|يوم|أمس|غداً|اليوم|الماضي|المقبل|18|2024|١٤٤٥|/|-|و|في|من|إلى|بين|أغسطس|آب|(|)|رمضان"
    "|هـ|عام|الأسبوع|الشهر|الأول|مساء|سيزور|،|.|\n| |  |ً|ـ|ﻻ|x|3".split("|")
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=30), st.sampled_from([None, TUESDAY, "2018-02-28"]))
def test_any_text_gives_consistent_mentions(pieces: list[str], published: str | None) -> None:
    text = " ".join(pieces)
    mentions = find_dates(text, published)
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:], strict=False))
    for m in mentions:
        assert text[m.start : m.end] == m.text and m.text.strip() == m.text
        assert m.first <= m.last
        assert m.granularity != "day" or m.first == m.last


# --- the labelled set ----------------------------------------------------------------------


def _eval_module():
    return load_eval("dates")


def test_labelled_set_floor() -> None:
    """Measured 0.993 exact (138/139); the floor leaves room for one or two regressions."""
    ev = _eval_module()
    cases = ev.load_cases()
    assert len(cases) >= 80 and {c["form"] for c in cases} >= {
        "weekday", "relative_day", "range", "hijri", "negative", "year", "dual_month",
    }
    rows = ev.score(ev.ours, cases)["rows"]
    assert rows["ALL"][1] >= 0.97
    assert rows["negative"][1] == 1.0


DATA = ROOT.parent / "shared" / "data"


def test_real_sentences_floor() -> None:
    """140 labelled ANT sentences (sets A and B, rules tuned on them), 80 held out (set C,
    measured 0.950 before its misses were looked at, 0.988 now) and 161 of the dev window's
    hard forms (set D: 0.764 when labelled, 0.851 after rules tuned on its misses)."""
    if not (DATA / "ant" / "ant_v2.1.jsonl.gz").exists():
        pytest.skip("../shared/data/ant not present")
    ev = _eval_module()
    real = ev.load_real()
    by_set = {name: [c for c in real if c["set"] == name] for name in ("A", "B", "C", "D")}
    assert [len(v) for v in by_set.values()] == [60, 80, 80, 161]
    for name, floor in (("A", 0.98), ("B", 0.98), ("C", 0.95), ("D", 0.84)):
        assert ev.score(ev.ours, by_set[name])["rows"]["ALL"][1] >= floor, name
    mentions = ev.mention_scores(ev.ours, [c for c in real if c["set"] != "D"])
    assert mentions["precision"] >= 0.97 and mentions["recall"] >= 0.97
    hard = ev.mention_scores(ev.ours, by_set["D"])  # the dev window's hard forms: 0.890 / 0.910
    assert hard["precision"] >= 0.88 and hard["recall"] >= 0.90


def test_labelled_set_is_well_formed() -> None:
    for line in (ROOT / "eval" / "data" / "dates.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        for e in case["expected"]:
            assert e["surface"] in case["text"]


def test_undated_articles_are_placed_by_story_and_weekday_phrases() -> None:
    from marsad.dates.infer import infer_published
    from marsad.model import Article

    dated = Article("p1", 0, "وصول الوفد", "وصل الوفد اليوم الأحد إلى العاصمة.", "2024-08-18T20:00")
    monday = Article("p2", 0, "مباحثات", "بعد وصوله أمس الأحد، عقد الوفد اليوم الاثنين مباحثات.")
    bare = Article("p3", 0, "زيارة", "يواصل الوفد زيارته إلى العاصمة.")
    got = infer_published([dated, monday, bare])
    assert set(got) == {monday.id, bare.id}
    assert got[monday.id].published == "2024-08-19"
    assert got[monday.id].evidence == "«أمس الأحد»، «اليوم الاثنين»"
    assert got[bare.id].published == "2024-08-18" and got[bare.id].basis == "story"
    # Alone, an undated article takes the latest full date it gives, as a lower bound.
    alone = Article("p4", 0, "تقرير", "اندلعت الحرب في 27 سبتمبر 2020 وتوقفت في 10 نوفمبر 2020.")
    (only,) = infer_published([alone]).values()
    assert (only.published, only.basis) == ("2020-11-10", "text")
    assert infer_published([bare]) == {}


# --- direction, lists, time zones (issue 13) ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وتستمر موجة الحر حتى يوم الخميس.", [("يوم الخميس", "2024-08-22")]),
        ("واستمرت الاشتباكات حتى يوم الخميس.", [("يوم الخميس", "2024-08-15")]),
        ("ويسري القرار اعتبارا من مساء الخميس.", [("مساء الخميس", "2024-08-22")]),
        # «اليوم الخميس» on a Tuesday page: a paragraph kept from Thursday's page
        ("وقالت الوزارة اليوم الخميس إن المعبر مغلق.", [("اليوم الخميس", "2024-08-15")]),
        # «أمس الثلاثاء» on a Tuesday: a desk whose day is already Wednesday
        ("وكان الوفد قد وصل أمس الثلاثاء.", [("أمس الثلاثاء", "2024-08-20")]),
        ("هذا ما يحدث اليوم في أسواق المنطقة.", []),
        # a fixture a day ahead, told of nothing done: coming; a told one stays past
        ("ويلتقي الفريقان في مباراة الإياب الخميس.", [("الخميس", "2024-08-22")]),
        ("وفاز الفريق في مباراة الإياب الخميس.", [("الخميس", "2024-08-15")]),
        ("وقعت الحادثة في فبراير/شباط العام الماضي.", [("فبراير/شباط العام الماضي", "2023-02")]),
    ],
)
def test_direction_and_binding(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("جرت الجولتان في 14 و16 أيار.", [("14 و16 أيار", "2024-05-14"), ("14 و16 أيار", "2024-05-16")]),
        ("يعقد الاجتماع في 21 أو 22 أيار.", [("21 أو 22 أيار", "2024-05-21"), ("21 أو 22 أيار", "2024-05-22")]),
        ("زيارة في 18 و19 أيار.", [("18 و19 أيار", "2024-05-18/2024-05-19")]),
        ("هطلت الأمطار بين 3 و5 أيار.", [("3 و5 أيار", "2024-05-03/2024-05-05")]),
    ],
)
def test_lists_alternatives_and_ranges(text: str, expected: list) -> None:
    assert found(text) == expected


def test_gmt_stamps_are_read_in_the_outlets_zone() -> None:
    from marsad.dates.zones import ZoneConfig, local_published

    zones = ZoneConfig(outlets={"مرفأ نت": "Asia/Damascus"})
    stamp = "2024-08-21T22:19+00:00"  # Wednesday evening GMT: Thursday in Damascus and Dubai
    assert local_published(stamp, "مرفأ نت", zones) == "2024-08-22T01:19+03:00"
    assert local_published(stamp, "العربية", zones) == "2024-08-22T02:19+04:00"
    assert local_published(stamp, "skynews", zones) == stamp  # writes in GMT's day
    assert local_published(stamp, "مجهول", zones) == stamp  # no zone known: kept
    assert local_published("2024-08-21T22:19", "العربية", zones) == "2024-08-21T22:19"  # no offset
    local = local_published(stamp, "مرفأ نت", zones)
    assert found("وأعلن الجيش اليوم الخميس", local) == [("اليوم الخميس", "2024-08-22")]
    with pytest.raises(ValueError, match="unknown time zone"):
        ZoneConfig(default="Mars/Olympus")
