"""Extraction: boilerplate removal, article splitting, metadata, HTML path, quality floors.

Fixtures are our own sentences; the real seeds and benchmarks are used only when present.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from marsad.arabic import normalize
from marsad.extract import extract
from marsad.extract.dates import parse_date_line
from marsad.model import Page

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SEEDS = DATA / "seeds"
SCRAPINGHUB = DATA / "extraction" / "scrapinghub"


def text_page(content: str, **meta: str) -> Page:
    return Page(content=content, kind="text", source_path="t.txt", **meta)


def load_eval():
    spec = importlib.util.spec_from_file_location(
        "eval_extraction", ROOT / "eval" / "extraction.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- our own fixtures --------------------------------------------------------------------

LEAD = "افتتح وزير النقل اليوم الخط الجديد للقطار السريع بين المدينتين بعد أربع سنوات من العمل."
BODY = [
    "وقال الوزير في كلمة خلال الحفل إن الخط سيختصر زمن الرحلة إلى النصف تقريبا.",
    "ويبلغ طول الخط نحو مئتي كيلومتر، ويضم ست محطات رئيسية ومركزا للصيانة.",
    "وأشار مسؤولون إلى أن التذاكر ستطرح للبيع مطلع الشهر المقبل بأسعار مخفضة.",
]
TITLE = "افتتاح خط القطار السريع بين المدينتين"
CAPTION = "الوزير خلال جولة في المحطة الرئيسية (أ.ف.ب)"

PAGE = f"""رئيس التحرير

محمــد عبــد اللــه

{TITLE}

2024/08/18

{CAPTION}
{CAPTION}
TT

{TITLE}

{LEAD}

{BODY[0]}

المحطات

{BODY[1]}

إعلان

{BODY[2]}

المصدر: وكالة الأنباء المحلية

كلمات دلالية: القطار السريع النقل

شارك الخبر

مقالات ذات صلة

ارتفاع أسعار الوقود للمرة الثانية هذا العام

الاقتصاد محطة وقود في العاصمة (رويترز)

قررت الحكومة رفع أسعار الوقود بنسبة خمسة في المائة اعتبارا من الأسبوع المقبل.

«الصحيفة» (القاهرة)

افتتاح مكتبة عامة جديدة في وسط المدينة

تفتح المكتبة أبوابها للجمهور يوم السبت بعد أعمال ترميم استمرت عامين.

سارة أحمد (عمّان)
"""

SECOND_TITLE = "انطلاق موسم قطف الزيتون في القرى الجبلية"
SECOND = [
    "انطلق موسم قطف الزيتون في القرى الجبلية وسط توقعات بإنتاج وفير هذا العام.",
    "ويقول مزارعون إن الأمطار الغزيرة في الشتاء الماضي ساعدت الأشجار على الإثمار.",
    "وتخطط الجمعيات التعاونية لتصدير جزء من الزيت إلى الأسواق الأوروبية.",
]


def test_own_page_keeps_title_body_and_metadata() -> None:
    ex = extract(text_page(PAGE, outlet="صحيفة", url="https://example.org/a", source_id="r1"))
    assert len(ex.articles) == 1
    art = ex.articles[0]
    assert art.title == TITLE
    assert art.paragraphs == [LEAD, BODY[0], "المحطات", BODY[1], BODY[2]]
    assert art.published == "2024-08-18"
    assert art.credits == ["أ.ف.ب", "وكالة الأنباء المحلية"]
    assert (art.outlet, art.url, art.source_id) == ("صحيفة", "https://example.org/a", "r1")
    reasons = ex.drop_counts()
    for reason in ("masthead", "caption", "marker", "repeated_title", "date_line", "ad"):
        assert reasons[reason] >= 1, reason
    for reason in ("source_credit", "tags", "share_footer", "related_block", "teaser", "credit"):
        assert reasons[reason] >= 1, reason


def test_every_line_is_kept_or_dropped_once() -> None:
    ex = extract(text_page(PAGE))
    kept = sum(len(a.paragraphs) + bool(a.title) for a in ex.articles)
    assert kept + len(ex.dropped) == sum(1 for line in PAGE.splitlines() if line.strip())


def test_glued_article_after_marker_header_is_split() -> None:
    glued = f"{SECOND_TITLE}\n\nمزارعون في حقل زيتون (إ.ب.أ)\nTT\n\n{SECOND_TITLE}\n\n"
    page = f"{TITLE}\n\n{LEAD}\n\n{BODY[0]}\n\n\n\n{glued}" + "\n\n".join(SECOND)
    arts = extract(text_page(page)).articles
    assert [a.title for a in arts] == [TITLE, SECOND_TITLE]
    assert arts[0].paragraphs == [LEAD, BODY[0]]
    assert arts[1].paragraphs == SECOND
    assert arts[1].credits == ["إ.ب.أ"]


def test_subhead_over_a_photo_stays_in_the_article() -> None:
    page = "\n\n".join([TITLE, LEAD, BODY[0], "\n\nالمحطات", CAPTION, BODY[1], BODY[2]])
    ex = extract(text_page(page))
    assert len(ex.articles) == 1
    assert ex.articles[0].paragraphs == [LEAD, BODY[0], "المحطات", BODY[1], BODY[2]]


def test_byline_and_dated_header() -> None:
    page = "\n".join([TITLE, "كتب: سارة أحمد", "الأحد، 18 أغسطس 2024 - 10:30 م", LEAD, BODY[0]])
    (art,) = extract(text_page(page)).articles
    assert (art.title, art.published) == (TITLE, "2024-08-18T22:30")
    assert art.credits == ["سارة أحمد"] and art.paragraphs == [LEAD, BODY[0]]


def test_full_article_after_read_also_header_is_split() -> None:
    page = "\n\n".join([LEAD, *BODY, "اقرأ أيضا:", SECOND_TITLE, *SECOND])
    arts = extract(text_page(page)).articles
    assert [a.title for a in arts] == ["", SECOND_TITLE]
    assert arts[0].paragraphs == [LEAD, *BODY]
    assert arts[1].paragraphs == SECOND


def test_read_also_insert_inside_an_article_does_not_split_it() -> None:
    teaser = "ارتفاع أسعار الذهب في الأسواق المحلية"
    page = "\n\n".join([TITLE, LEAD, "اقرأ أيضا:", teaser, *BODY])
    ex = extract(text_page(page))
    assert len(ex.articles) == 1
    assert ex.articles[0].paragraphs == [LEAD, *BODY]
    page = "\n\n".join([TITLE, LEAD, f"اقرأ أيضا: {teaser}", *BODY])
    assert extract(text_page(page)).articles[0].paragraphs == [LEAD, *BODY]
    headlines = [teaser, "تأجيل افتتاح المطار الجديد", "القطار السريع يصل إلى المدينة"]
    page = "\n".join([TITLE, LEAD, "اقرأ أيضاً:", *headlines, *BODY])
    ex = extract(text_page(page))
    assert [a.paragraphs for a in ex.articles] == [[LEAD, *BODY]]
    assert ex.drop_counts() == {"related_block": 1, "teaser": 3}


def test_teaser_items_are_not_articles() -> None:
    teasers = "\n\n".join(
        [
            "مقالات مشابهة",
            SECOND_TITLE,
            SECOND[0],
            "«الصحيفة» (بيروت)",
            "افتتاح مكتبة عامة جديدة في وسط المدينة",
            "تفتح المكتبة أبوابها للجمهور يوم السبت بعد أعمال ترميم استمرت عامين.",
        ]
    )
    ex = extract(text_page(f"{TITLE}\n\n{LEAD}\n\n{BODY[0]}\n\n{teasers}"))
    assert len(ex.articles) == 1
    assert ex.articles[0].paragraphs == [LEAD, BODY[0]]


def test_bullets_are_body_except_in_a_related_block() -> None:
    bullets = ["• زيادة عدد الرحلات اليومية", "• خفض أسعار الاشتراكات الشهرية"]
    page = "\n".join([TITLE, LEAD, *bullets, BODY[0], *bullets, "اقرأ أيضا", *bullets])
    ex = extract(text_page(page))
    assert ex.articles[0].paragraphs == [LEAD, *bullets, BODY[0], *bullets]
    assert ex.drop_counts()["related_block"] == 3


def test_one_line_page_is_body_not_a_title() -> None:
    (art,) = extract(text_page("هل تنجح خطة الحكومة في خفض الأسعار؟", title="عنوان")).articles
    assert (art.title, art.body) == ("عنوان", "هل تنجح خطة الحكومة في خفض الأسعار؟")


def test_untitled_page_takes_record_title_and_never_invents_one() -> None:
    body = "\n".join([LEAD, *BODY])
    assert extract(text_page(body)).articles[0].title == ""
    art = extract(text_page(body, title="عنوان من السجل", published="2024-01-02")).articles[0]
    assert (art.title, art.published) == ("عنوان من السجل", "2024-01-02")
    titled = extract(text_page(f"{TITLE}\n{body}", title=f"{TITLE} | الصحيفة")).articles[0]
    assert (titled.title, titled.paragraphs) == (TITLE, [LEAD, *BODY])
    short_lead = "هزت ثلاثة انفجارات وسط العاصمة."
    record = extract(text_page(f"{short_lead}\n{body}", title="انفجارات تهز العاصمة")).articles[0]
    assert (record.title, record.paragraphs[0]) == ("انفجارات تهز العاصمة", short_lead)


def test_doubled_caption_without_credit_and_empty_page() -> None:
    cap = "لقطة من حفل الافتتاح"
    ex = extract(text_page(f"{TITLE}\n\n{cap}\n{cap}\n\n{LEAD}\n\n{BODY[0]}"))
    assert ex.articles[0].paragraphs == [LEAD, BODY[0]]
    assert ex.drop_counts()["caption"] == 2
    assert extract(text_page("   \n\n")).articles == []


def test_signed_paragraph_is_not_a_caption_and_invisible_lines_are_blank() -> None:
    signed = f"{BODY[0]} (أ ف ب)"
    ex = extract(text_page(f"{LEAD}\n\u200f\u202b\n{signed}\r\n{BODY[1]}"))
    assert ex.articles[0].paragraphs == [LEAD, signed, BODY[1]]
    assert ex.dropped == []


def test_extract_is_pure() -> None:
    page = text_page(PAGE)
    a, b = extract(page), extract(page)
    assert [x.to_dict() for x in a.articles] == [x.to_dict() for x in b.articles]
    assert a.dropped == b.dropped


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("18-8-2024 | 22:14", "2024-08-18T22:14"),
        ("2024/08/18", "2024-08-18"),
        ("18 أغسطس 2024", "2024-08-18"),
        ("١٨ أغسطس (آب) ٢٠٢٤", "2024-08-18"),
        ("الأحد 18 أغسطس 2024 - 10:30 م", "2024-08-18T22:30"),
        ("نشر في: 2024-08-18 09:05", "2024-08-18T09:05"),
        ("5 تشرين الأول 2020", "2020-10-05"),
        ("August 18, 2024", "2024-08-18"),
        ("وصل الرئيس في 18 أغسطس 2024 إلى باكو", None),
        ("31-2-2024", None),
    ],
)
def test_date_lines(line: str, iso: str | None) -> None:
    assert parse_date_line(normalize(line)) == iso


# --- HTML ----------------------------------------------------------------------------------


def html_page(html: str) -> Page:
    return Page(content=html, kind="html", source_path="p.html", url="https://example.org/p")


def test_html_article_is_cleaned_with_the_shared_classifier() -> None:
    paras = "".join(f"<p>{p}</p>" for p in [LEAD, BODY[0], "اقرأ أيضا: عنوان خبر آخر", *BODY[1:]])
    html = (
        f'<html lang="ar"><head><title>{TITLE} | الصحيفة</title></head><body>'
        f"<nav><a href='/'>الرئيسية</a></nav><article><h1>{TITLE}</h1>"
        f"<p>{CAPTION}</p>{paras}<p>كلمات دلالية: القطار النقل</p></article></body></html>"
    )
    ex = extract(html_page(html))
    assert len(ex.articles) == 1
    art = ex.articles[0]
    assert art.title == TITLE
    assert art.paragraphs == [LEAD, *BODY]
    assert "أ.ف.ب" in art.credits
    assert {"caption", "related_block", "tags"} <= set(ex.drop_counts())


@pytest.mark.parametrize("html", ["", "<html><body></body></html>", "<<<not html", "\x00\x01"])
def test_html_without_article_gives_no_articles_and_a_reason(html: str) -> None:
    ex = extract(html_page(html))
    assert ex.articles == []
    assert ex.drop_counts()["no_article"] == 1


# --- the seeds (real pages; skipped when the data is not there) -----------------------------

AGENCY_END = re.compile(r"\((?:إ\.ب\.أ|أ\.ف\.ب|أ\.ب|رويترز|أسوشيتيد برس)\)$")
BOILERPLATE = [
    AGENCY_END,
    re.compile(r"^TT$"),
    re.compile(r"^(?:رئيس مجلس الادارة|رئيس التحرير)$"),
    re.compile(r"^(?:مقالات ذات صلة|مقالات مشابهة|إقرأ أيضاً:?)$"),
    re.compile(r"^كلمات دلالية:"),
    re.compile(r"^المصدر:"),
    re.compile(r"^إعلان$"),
    re.compile(r"^\s*•"),
    re.compile(r"^«[^»]+» \([^)]+\)$"),
    re.compile(r"^\S+ \S+ \(\S+\)$"),
    re.compile("\u0640{2,}"),
]


def seed(prefix: str):
    if not SEEDS.is_dir():
        pytest.skip("seed pages not available")
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return extract(text_page(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_bodies_carry_no_boilerplate(prefix: str) -> None:
    ex = seed(prefix)
    assert ex.articles
    for art in ex.articles:
        for para in art.paragraphs:
            assert normalize(para) != normalize(art.title)
            for pattern in BOILERPLATE:
                assert not pattern.search(para), (pattern.pattern, para)


def test_seed_000_splits_the_oreshnik_article() -> None:
    arts = seed("000").articles
    assert len(arts) == 2
    assert "أوريشنيك" in arts[1].title and "أوريشنيك" not in arts[0].body
    assert arts[0].credits == ["إ.ب.أ"] and arts[1].credits == ["أ.ب"]


def test_seed_001_splits_the_ukraine_article_and_drops_teasers() -> None:
    arts = seed("001").articles
    assert len(arts) == 2
    assert "إقناع" in arts[1].title and "إقناع" not in arts[0].body
    assert "أرمينيا" in arts[0].paragraphs  # an in-article subhead stays
    assert "نافالنايا" not in arts[0].body and "نافالنايا" not in arts[1].body


def test_seed_002_date_and_masthead() -> None:
    (art,) = seed("002").articles
    assert art.published == "2024-08-18T22:14"
    assert art.title == "الرئيس الروسي يصل إلى أذربيجان"


def test_seed_003_splits_the_sudan_article() -> None:
    arts = seed("003").articles
    assert len(arts) == 2
    assert arts[0].title == "" and arts[0].credits == ["عين ليبيا"]
    assert "السودان" in arts[1].title and "السودان" not in arts[0].body


def test_seed_004_one_untitled_article() -> None:
    (art,) = seed("004").articles
    assert art.title == "" and len(art.paragraphs) == 13


# --- quality floors (only ever go up) ----------------------------------------------------


def test_scrapinghub_quality_floor() -> None:
    if not (SCRAPINGHUB / "ground-truth.json").is_file():
        pytest.skip("scrapinghub benchmark not available")
    scores = load_eval().scrapinghub_scores(SCRAPINGHUB, plain=False)
    assert scores["marsad"]["f1"] >= 0.965


def test_demo_quality_floor() -> None:
    if not (ROOT / "marsad" / "demo" / "labels.json").is_file():
        pytest.skip("demo corpus not available")
    scores = load_eval().demo_scores()
    assert scores["boilerplate_precision"] >= 0.98
    assert scores["boilerplate_recall"] >= 0.98
    assert scores["boundary_accuracy"] >= 0.98
    assert scores["article_count_accuracy"] >= 0.96
    assert scores["title_accuracy"] >= 0.96
    assert scores["published_accuracy"] >= 0.96
    assert scores["credits_accuracy"] >= 0.95
    assert scores["containment_accuracy"] >= 0.96


def test_ant_real_arabic_text_is_kept() -> None:
    ev = load_eval()
    if not ev.ANT.is_file():
        pytest.skip("ANT corpus not available")
    scores = ev.ant_scores(n_text=600, n_html=60)
    # The reference is the record text without its trailing teasers (eval/teasers.py): we
    # keep the ones our rule misses (precision) and drop some the corpus cannot confirm.
    assert scores["marsad text"]["recall"] >= 0.995
    assert scores["marsad text"]["precision"] >= 0.994
    assert scores["marsad text"]["f1"] >= 0.996
    assert scores["marsad html"]["f1"] >= 0.99


def test_trailing_teasers_of_other_articles_are_dropped() -> None:
    body = [
        "أعلنت وزارة الصحة، الأحد، ارتفاع عدد المصابين في حادث القطار إلى 34 شخصا.",
        "وقال المتحدث باسم الوزارة إن فرق الإسعاف نقلت المصابين إلى ثلاثة مستشفيات.",
        "وأضاف أن حالة خمسة منهم خطيرة، وأن التحقيق في أسباب الحادث ما زال جاريا.",
    ]
    teasers = [
        "قال وزير المالية، سامي الحداد، الاثنين، إن الموازنة الجديدة تخفض العجز.",
        "ارتفعت أسعار الذهب، الثلاثاء، مع تراجع الدولار أمام العملات الرئيسية",
        "تعتمد السعادة على عوامل منها التوازن بين العمل والحياة.",
    ]
    ex = extract(text_page("\n\n".join([TITLE, *body, *teasers])))
    assert [p for p in ex.articles[0].paragraphs] == body
    assert ex.drop_counts() == {"trailing_teaser": 3}
    # A body that goes on after a bare paragraph keeps it; so does a short article.
    kept = extract(text_page("\n\n".join([TITLE, *body, teasers[0], body[2]])))
    assert len(kept.articles[0].paragraphs) == 5
    short = extract(text_page("\n\n".join([TITLE, body[0], *teasers[:2]])))
    assert len(short.articles[0].paragraphs) == 3


def test_a_trailing_paragraph_with_its_own_dateline_is_a_teaser() -> None:
    from marsad.extract.teasers import DATELINE, trailing_teasers

    other = "دبي، الإمارات العربية المتحدة (CNN)-- تسعى شركة الطيران إلى خفض أسعار التذاكر."
    assert DATELINE.match(other)
    assert not DATELINE.match("حراسة المرمى: منير المحمدي (نومانسيا الإسباني) - ياسين بونو")
    assert trailing_teasers(["الفقرة الأولى.", "وقال الوزير إن …", "وأضاف …", other]) == 1


def test_the_html_cleaner_trafilatura_needs_is_a_declared_dependency():
    """lxml 5.2 moved lxml.html.clean into lxml_html_clean: without it declared, installs with
    an older pip warn about the `html_clean` extra, and HTML extraction fails to import."""
    import tomllib

    import lxml.html.clean  # noqa: F401 - what trafilatura imports

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    assert "lxml_html_clean" in names
