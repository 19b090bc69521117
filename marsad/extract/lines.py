"""The line classifier: what one line of a news page is, judged from the line alone.

Shared by the plain-text and HTML paths. Patterns run on the `arabic.normalize`d line, so
spelling variants (إقرأ أيضاً / اقرأ ايضا, tatweel, Arabic-Indic digits) need no extra cases.
Context (repetition, position, what follows) is the segmenter's job, not this module's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marsad.arabic import normalize
from marsad.extract.dates import parse_date_line

# Line kinds.
PARA = "para"  # a body paragraph: sentence-like or long
HEAD = "head"  # a short non-sentence line: title, dek, subhead, teaser headline, nav item
CAPTION = "caption"  # ends in a photo/wire agency credit
MARKER = "marker"  # a stray token such as a lone `TT`
ROLE = "role"  # a masthead role (رئيس التحرير ...)
DATE = "date"  # only a date/time
SOURCE = "source"  # المصدر: ...
TAGS = "tags"  # كلمات دلالية: ...
AD = "ad"  # إعلان
SHARE = "share"  # share buttons, follow us, copyright
RELATED = "related"  # a "related / read also" header alone on its line
RELATED_INLINE = "related_inline"  # "read also: <headline>" on one line
BULLET = "bullet"  # a bulleted headline (• ...)
CREDIT = "credit"  # a byline or teaser credit: «Outlet» (City), Name (City), كتب: Name
NAV = "nav"  # breadcrumbs: الرئيسية > أخبار > سياسة
TABLE = "table"  # a table row as trafilatura prints it: | a | b |


def _alternation(phrases: str) -> str:
    """A regex alternation of `|`-separated phrases, normalized like the lines they match."""
    words = {normalize(p) for p in phrases.split("|")}
    return "(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + ")"


_AGENCIES = _alternation(
    "رويترز|أسوشيتد برس|أسوشيتيد برس|أسوشييتد برس|الأناضول|غيتي|جيتي|غيتي إيميجز|واس|وام|"
    "سانا|قنا|كونا|بترا|شينخوا|سبوتنيك|أرشيفية|صورة أرشيفية|أرشيف|متداولة|مواقع التواصل|"
    "وسائل التواصل|وسائل التواصل الاجتماعي|مواقع التواصل الاجتماعي|منصة إكس|"
    "reuters|afp|ap|epa|ap photo|getty|getty images|anadolu|file photo|afp via getty images"
)
AGENCY = re.compile(_AGENCIES)  # a wire or photo agency, over normalized text
# (إ.ب.أ) (أ.ف.ب) (أ.ب) (د.ب.أ) (أ ف ب), a named agency, or (صورة: ...)/(تصوير ...).
_CAPTION_END = re.compile(
    r"\(\s*(?P<credit>(?:[\u0621-\u064a]\s?[.\s]\s?){1,3}[\u0621-\u064a]\.?"
    rf"|{_AGENCIES}|(?:صوره|تصوير|الصوره|photo|image|credit)\s*:?\s*[^()]{{1,40}})\s*\)$"
)
_MARKER = re.compile(r"^(?:[a-z]{1,3}|[^\w\s]{1,5}|\d{1,2})$")
_ROLE = re.compile(
    "^"
    + _alternation(
        "رئيس مجلس الإدارة|رئيس مجلس الإدارة ورئيس التحرير|رئيس التحرير|نائب رئيس التحرير|"
        "رئيس التحرير التنفيذي|مدير التحرير|مدير عام التحرير|مدير التحرير التنفيذي|"
        "سكرتير التحرير|المدير العام|المدير التنفيذي|المشرف العام|المدير المسؤول|"
        "مؤسس|المؤسس|editor in chief|editor-in-chief|managing editor|publisher"
    )
    + r"(?:\s*:.{0,40})?$"
)
_SOURCE = re.compile(
    r"^\W{0,3}(?:(?:المصدر|مصدر الخبر|مصدر|source|sources)\s*:|نقلا عن|منقول عن)\s*.{1,80}$"
)
_SOURCE_LEAD = re.compile(r"^\W{0,3}(?:[^:\s]+(?:\s[^:\s]+)?\s*:|\S+\s+\S+)\s*")
_TAGS = re.compile(
    "^"
    + _alternation(
        "كلمات دلالية|الكلمات الدلالية|كلمات مفتاحية|الكلمات المفتاحية|الوسوم|وسوم|"
        "الموضوعات|مواضيع|tags|topics|keywords"
    )
    + r"\s*(?::\s*(?P<rest>.*))?$"
)
_AD = re.compile(
    "^"
    + _alternation(
        "إعلان|إعلانات|مساحة إعلانية|محتوى مدفوع|محتوى برعاية|advertisement|advertising|"
        "ad|ads|sponsored|sponsored content"
    )
    + r"$"
)
_SOCIAL = _alternation(
    "شارك|فيسبوك|فيس بوك|تويتر|إكس|واتساب|واتس اب|تلغرام|تيليجرام|تليجرام|إنستغرام|إنستجرام|"
    "يوتيوب|لينكدإن|لينكد إن|بريد إلكتروني|البريد الإلكتروني|نسخ الرابط|طباعة|مشاركة|"
    "facebook|twitter|x|whatsapp|telegram|instagram|youtube|linkedin|email|e-mail|print|"
    "copy link|share|pinterest|reddit|messenger|تيليغرام"
)
# Whole-line phrases; "شارك"/"تابعوا" alone are verbs too, so only fixed phrases count.
_SHARE = re.compile(
    "^(?:©.*|"
    + _alternation(
        "شارك الخبر|شارك المقال|شارك هذا المقال|شارك هذا الخبر|شارك على|شاركها|"
        "تابعنا على|تابعونا على|تابعوا آخر الأخبار|تابعونا عبر|تابعنا عبر|تابعوا صفحتنا|"
        "اشترك الآن|اشترك في النشرة|اشترك في نشرتنا|جميع الحقوق محفوظة|كل الحقوق محفوظة|"
        "حقوق النشر محفوظة|جميع المقالات المنشورة تمثل رأي|المقالات المنشورة تعبر عن رأي|"
        "الآراء الواردة تعبر عن|حمل تطبيق|حملوا تطبيق|نزل تطبيق|download our app|"
        "download the app|share this|share on|follow us|subscribe|sign up for|"
        "all rights reserved|copyright"
    )
    + rf"(?:\W.{{0,80}})?|{_SOCIAL}(?:[\s,|/·•\-]+{_SOCIAL})*[\s,|/·•:\-]*)$"
)
_RELATED = re.compile(
    "^(?P<head>"
    + _alternation(
        "مقالات ذات صلة|أخبار ذات صلة|مواضيع ذات صلة|موضوعات ذات صلة|ذات صلة|اقرأ أيضا|"
        "اقرأ أيضاً|إقرأ أيضا|اقرأ كذلك|اقرأ المزيد|اقرأ ايضا|طالع أيضا|شاهد أيضا|"
        "مقالات مشابهة|أخبار مشابهة|مواضيع مشابهة|قد يهمك|قد يهمك أيضا|قد يعجبك|"
        "قد يعجبك أيضا|ننصحك بقراءة|الأكثر قراءة|الأكثر مشاهدة|الأكثر تداولا|المزيد من الأخبار|"
        "أخبار متعلقة|مقالات متعلقة|المزيد|أخبار أخرى|related|related articles|related stories|"
        "related news|read more|read also|see also|more stories|recommended|you may also like|"
        "most read|most popular|more from"
    )
    + r")\s*(?:[:：]\s*(?P<rest>.*))?$"
)
_BULLET = re.compile(r"^[•●▪◦·▸►■□➤✓\-*–—]+\s*")
# «Outlet» (City) | اسم المراسل (المدينة) | كتب: Name | By Name
_CREDIT = re.compile(
    r'^(?:"[^"]{1,40}"\s*\([^()\d]{2,30}\)'
    r"|[\u0621-\u064a][\u0621-\u064a ]{1,40}\([\u0621-\u064a ]{2,30}\)"
    r"|(?:(?:كتب|كتبت|اعداد|تحرير|ترجمه|متابعه)\s*:|(?:بقلم|by)\s*:?)\s*[^.!?؟:]{2,40})$"
)
_NAV = re.compile(r"^[^.!?؟|]{1,40}(?:(?:\s[>›»/|]\s[^.!?؟]{1,40}){2,}|\s[>›»]\s[^.!?؟>›»]{1,30})$")
_SENTENCE_END = re.compile(r"[.!?؟…:]['\"»”’)\]]*$")
_ASKS = re.compile(r"[!?؟]['\"»”’)\]]*$")
_TATWEEL_NAME = re.compile("\u0640{2,}")

# A paragraph: sentence-like with at least this many words, or this long in any case.
PARA_MIN_WORDS = 8
PARA_ANY_WORDS = 30
# A line ending in ? or ! needs this many words to be a paragraph: headlines ask questions.
QUESTION_PARA_WORDS = 16
# Sentence lines with more words than this are never one of the short boilerplate kinds
# (share lines, bylines, dates, markers, mastheads); only their lead and end are examined.
SHORT_WORDS = 16
# How much of a long line's start is normalized to find a lead (المصدر:, كلمات دلالية: ...).
_LEAD_CHARS = 48
# A caption is shorter than this.
CAPTION_MAX_WORDS = 60


@dataclass(slots=True)
class Line:
    """One non-blank line with its kind and the context the segmenter needs."""

    no: int  # 1-based line number in the page (0 when not line-addressable)
    text: str  # original text, stripped
    kind: str
    key: str  # normalized text ("" for long paragraphs, which are never compared)
    words: int
    gap: int = 0  # blank lines right before this one
    value: str = ""  # parsed date, credit or the text after a bullet
    tatweel: bool = False  # a stretched name (masthead style)


def classify(text: str, no: int = 0, gap: int = 0) -> Line:
    """Kind of one stripped, non-blank line, judged from the line alone."""
    words = len(text.split())
    sentence = _SENTENCE_END.search(text) is not None
    if text[0] == "|" and text[-1] == "|" and words > 2:
        return Line(no, text, TABLE, "", words, gap)
    if (sentence and words > SHORT_WORDS) or words >= PARA_ANY_WORDS:
        return _long(text, no, gap, words, sentence)
    key = normalize(text)
    line = Line(no, text, HEAD, key, words, gap, tatweel=_TATWEEL_NAME.search(text) is not None)
    if _is_caption(key):
        line.kind, line.value = CAPTION, _credit_text(text)
    elif _MARKER.match(key):
        line.kind = MARKER
    elif (iso := parse_date_line(key)) is not None:
        line.kind, line.value = DATE, iso
    elif _ROLE.match(key):
        line.kind = ROLE
    elif _AD.match(key):
        line.kind = AD
    elif _SHARE.match(key):
        line.kind = SHARE
    elif _lead(line, key):
        pass
    elif (m := _BULLET.match(text)) is not None and words > 1:
        rest = classify(text[m.end() :], no, gap)
        if rest.kind != HEAD:
            rest.text = text
            return rest
        line.kind = BULLET
    elif words <= 7 and _CREDIT.match(key):
        line.kind, line.value = CREDIT, _byline_name(text)
    elif _NAV.match(text):
        line.kind = NAV
    elif sentence and words >= (QUESTION_PARA_WORDS if _ASKS.search(text) else PARA_MIN_WORDS):
        line.kind = PARA
    return line


def _long(text: str, no: int, gap: int, words: int, sentence: bool) -> Line:
    """A long line is a paragraph unless its first words or its end say otherwise; only
    those ends are normalized (most of a page is long paragraphs)."""
    line = Line(no, text, PARA, "", words, gap)
    if _lead(line, normalize(text[:_LEAD_CHARS])):
        return line
    if not sentence and words < CAPTION_MAX_WORDS and _is_caption(normalize(text[-80:])):
        line.kind, line.key, line.value = CAPTION, normalize(text), _credit_text(text)
    return line


def _is_caption(key: str) -> bool:
    """Text ending in an agency credit; a finished sentence before the credit makes it a
    paragraph signed by the wire, not a caption."""
    m = _CAPTION_END.search(key)
    return m is not None and m.start() > 0 and not _SENTENCE_END.search(key[: m.start()].rstrip())


def _lead(line: Line, key: str) -> bool:
    """Kinds announced by the line's first words: source credit, tags, related header."""
    if _SOURCE.match(key):
        line.kind, line.value = SOURCE, _SOURCE_LEAD.sub("", line.text, count=1)
    elif (m := _TAGS.match(key)) is not None:
        line.kind = TAGS
        line.value = line.text.split(":", 1)[1].strip() if m["rest"] else ""
    elif (m := _RELATED.match(key)) is not None:
        line.kind = RELATED_INLINE if m["rest"] else RELATED
    else:
        return False
    return True


_CITY_TAIL = re.compile(r"\s*\([^()]*\)\s*$")
_BYLINE_LEAD = re.compile(r"^(?:[^:\s]+\s*:|\S+\s)\s*")
_QUOTES = '«»"“”'


def _byline_name(text: str) -> str:
    """Who is credited: «الشرق الأوسط» (موسكو) → الشرق الأوسط; كتب: سارة أحمد → سارة أحمد."""
    if text.rstrip().endswith(")"):
        return _CITY_TAIL.sub("", text).strip(_QUOTES + " ")
    return _BYLINE_LEAD.sub("", text, count=1).strip()


_PAREN_TAIL = re.compile(r"\(([^()]+)\)\s*\.?\s*$")


def _credit_text(text: str) -> str:
    """The credit as printed, without its parentheses: (إ.ب.أ) → إ.ب.أ."""
    m = _PAREN_TAIL.search(text)
    return m.group(1).strip() if m else ""
