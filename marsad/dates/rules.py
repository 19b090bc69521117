"""Date patterns over normalized text, each with how it resolves against the publish day.

A rule is a core pattern that starts with a date word or a digit (so the regex engine can skip
ahead fast) and a prefix pattern matched backwards from the core: «يوم», «شهر», «هذا», a
weekday or a part of the day («مساء») join the surface; clitics (و ف ب ل) and prepositions
(في، منذ، خلال) must be there for some rules but stay outside it. A rule returns None when its
match is not a date after all («الأحد عشر», 31 February, «في 2018 شخصا»).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from marsad.dates import calendar as cal
from marsad.dates.lexicon import ORDINAL, WEEKDAY, WEEKDAYS, calendar_month, ordinal_day
from marsad.dates.patterns import (
    ADVERBS,
    ANY_MONTH,
    BOUNDARY,
    COUNTED,
    DAY_PREFIX,
    ERA,
    FUTURE,
    GENERAL,
    MODS,
    NEXT,
    NOT_FUTURE,
    PAST,
    POD,
    PREP,
    REL,
    YEAR_OR_MOD,
    YEAR_REQ,
    E,
)

Recurrence = Callable[[date], list[cal.Period]]


@dataclass
class Hit:
    """A resolved match in normalized offsets. A date whose year was guessed keeps `recur`, its
    candidates around any day, so a nearby date that states the year can re-anchor it: «من 28
    ديسمبر إلى 3 يناير 2025», «في 20 مارس 2003 ... في التاسع من أبريل»."""

    start: int
    end: int
    first: date
    last: date
    granularity: str
    relative: bool
    recur: Recurrence | None = None
    also: tuple[date, ...] = ()  # further days the same surface names: «14 و16», «21 أو 22»


_SENTENCE = re.compile(r"[.!?؟¶]")


@dataclass
class Context:
    key: str
    pub: date | None

    def direction(self, start: int, default: cal.Direction) -> cal.Direction:
        """`future` when the mention's clause is in the future tense (سيزور، سوف، من المقرر)."""
        window = self.key[max(0, start - 100) : start].rstrip(" ,")
        cut = max((m.end() for m in BOUNDARY.finditer(window)), default=0)
        for m in FUTURE.finditer(window, cut):
            if m.group("w") not in NOT_FUTURE:
                return "future"
        return default

    def clause(self, start: int) -> str:
        """The text of the mention's clause before it."""
        window = self.key[max(0, start - 100) : start]
        return window[max((m.end() for m in BOUNDARY.finditer(window)), default=0) :]

    def sentence(self, start: int, end: int) -> str:
        """The mention's sentence around it (100 characters each way, up to its ends)."""
        before = self.key[max(0, start - 100) : start]
        after = self.key[end : end + 100]
        cut = max((m.end() for m in _SENTENCE.finditer(before)), default=0)
        stop = next((m.start() for m in _SENTENCE.finditer(after)), len(after))
        return before[cut:] + " " + after[:stop]

    def word_before(self, start: int) -> str:
        words = self.key[max(0, start - 30) : start].split()
        return words[-1] if words else ""


class Found:
    """A core match and where its surface starts (its prefix included): `f["m"]` is the surface,
    `f["p"]` the prefix, other names the core's groups (None when the core has no such group)."""

    __slots__ = ("core", "start", "key")

    def __init__(self, core: re.Match[str], start: int, key: str) -> None:
        self.core, self.start, self.key = core, start, key

    def __getitem__(self, name: str) -> str | None:
        if name == "m":
            return self.key[self.start : self.core.end()]
        if name == "p":
            return self.key[self.start : self.core.start()]
        return self.core[name] if name in self.core.re.groupindex else None

    def span(self) -> tuple[int, int]:
        """Where the surface is in the key."""
        return self.start, self.core.end()


def _shift(rel: str) -> int:
    rel = " ".join(rel.split())
    if rel.startswith(("اول", "امس ال")):
        return -2
    if rel.startswith("بعد"):
        return 2
    if rel in ("غدا", "يوم غد", "غد"):
        return 1
    if "امس" in rel or rel in ("البارحه", "الليله الماضيه"):
        return -1
    return 0


def _month_of(m: Found) -> tuple[bool, int] | None:
    """(is Hijri, month number) of the matched month; None when its second name is another
    month («مارس أبريل» is two months, not one)."""
    hijri, month = calendar_month(m["mon"])
    alt = m["alt"] or m["alt2"] or m["alt3"]
    if alt and (hijri or calendar_month(alt)[1] != month):
        return None
    return hijri, month


def _stated_year(m: Found, pub: date | None) -> tuple[int | None, bool]:
    """The year a date states (None if it states none) and whether that needed the publish
    day («من العام الماضي»); a relative year without a publish day is (None, True)."""
    if m["y"]:
        return int(m["y"]), False
    if m["ythis"] or m["ymod"]:
        return (pub.year + _shift_of(m["ymod"]) if pub else None), True
    return None, False


def _resolve_day(ctx: Context, m: Found, day: int) -> Hit | None:
    """A day of a named month, Gregorian or Hijri, with or without its year."""
    start, end = m.span()
    year, relative_year = _stated_year(m, ctx.pub)
    if relative_year and year is None:
        return None
    found_month = _month_of(m)
    if found_month is None:
        return None
    hijri, month = found_month
    if hijri:
        if year is not None:
            d = cal.hijri_date(year, month, day)
            return Hit(start, end, d, d, "day", relative_year) if d else None
        if month == 2 or ctx.pub is None:  # «صفر» alone is zero, not a month
            return None

        def recur(anchor: date) -> list[cal.Period]:
            return cal.hijri_candidates(anchor, month, day)
    else:
        if year is not None:
            try:
                d = date(year, month, day)
            except ValueError:
                return None
            return Hit(start, end, d, d, "day", relative_year)
        if ctx.pub is None or not 1 <= day <= 31:
            return None

        def recur(anchor: date) -> list[cal.Period]:
            return cal.day_candidates(anchor, month, day)

    mod = m["mod"]
    direction = _DAY_MODIFIER[_modifier(mod)] if mod else ctx.direction(start, "near")
    chosen = cal.pick(recur(ctx.pub), ctx.pub, direction)
    if chosen is None:
        return None
    return Hit(start, end, chosen[0], chosen[1], "day", True, None if mod else recur)


# «25 مايو الماضي» is the latest 25 May up to the publish day, «16 مايو المقبل» the next one.
_DAY_MODIFIER: dict[cal.Direction, cal.Direction] = {
    "before": "past",
    "after": "future",
    "near": "near",
}


def day_month(m: Found, ctx: Context) -> Hit | None:
    return _resolve_day(ctx, m, int(m["d"]))


def ordinal_month(m: Found, ctx: Context) -> Hit | None:
    return _resolve_day(ctx, m, ordinal_day(m["ord"]))


def week_of_month(m: Found, ctx: Context) -> Hit | None:
    """«الأسبوع الأول من أكتوبر»: days 1–7 (the second week 8–14 ...) of that month."""
    n = ordinal_day(m["ord"])
    month = _resolve_day(ctx, m, 1) if n <= 5 else None
    if month is None:
        return None
    first = month.first + timedelta(days=7 * (n - 1))
    last = min(first + timedelta(days=6), cal.month_period(first.year, first.month)[1])
    if first.month != month.first.month:
        return None
    return Hit(month.start, month.end, first, last, "range", month.relative, None)


def day_range(m: Found, ctx: Context) -> Hit | None:
    """«15 إلى 24 يوليو» is a range, and so are «18 و19 أغسطس» (two days in a row) and «بين 3
    و5 مارس»; «14 و16 أيار» names two days and «21 أو 22 أيار» one of two: each of those is a
    day of its own."""
    d1, d2 = int(m["d1"]), int(m["d2"])
    if d1 >= d2:
        return None
    hit = _resolve_day(ctx, m, d1)
    if hit is None:
        return None
    last = hit.first + timedelta(days=d2 - d1)
    if last.month != hit.first.month:  # d2 past the month's end
        return None
    between = re.search(r"بين\s+\Z", ctx.key[max(0, m.start - 8) : m.start])
    if m["conn"] == "او" or (m["conn"] == "و" and d2 - d1 > 1 and not between):
        return Hit(hit.start, hit.end, hit.first, hit.first, "day", hit.relative, also=(last,))
    return Hit(hit.start, hit.end, hit.first, last, "range", hit.relative)


def day_of_relative_month(m: Found, ctx: Context) -> Hit | None:
    if ctx.pub is None or not (m["mod"] or m["this"]):
        return None
    first, last = cal.shift_month(ctx.pub, _shift_of(m["mod"]))
    day = int(m["d"]) if m["d"] else ordinal_day(m["ord"])
    if day > last.day:
        return None
    d = first.replace(day=day)
    return Hit(*m.span(), d, d, "day", True)


def numeric(m: Found, ctx: Context) -> Hit | None:
    day, month = int(m["d"]), int(m["mo"])
    if month > 12 >= day:  # 8/18/2024 written month first
        day, month = month, day
    try:
        d = date(int(m["y"]), month, day)
    except ValueError:
        return None
    return Hit(*m.span(), d, d, "day", False)


def _month_hit(m: Found, ctx: Context, direction: cal.Direction | None) -> Hit | None:
    """A whole month: with its year, or the one a direction picks around the publish day."""
    start, end = m.span()
    year, relative_year = _stated_year(m, ctx.pub)
    if relative_year and year is None:
        return None
    found_month = _month_of(m)
    if found_month is None:
        return None
    hijri, month = found_month
    if hijri:
        if year is not None:
            period = cal.hijri_month(year, month)
            return Hit(start, end, *period, "range", relative_year) if period else None
        if ctx.pub is None or (month == 2 and not m["p"]):
            return None

        def recur(anchor: date) -> list[cal.Period]:
            return cal.hijri_candidates(anchor, month, None)

        granularity = "range"
    else:
        if year is not None:
            return Hit(start, end, *cal.month_period(year, month), "month", relative_year)
        if ctx.pub is None:
            return None

        def recur(anchor: date) -> list[cal.Period]:
            return cal.month_candidates(anchor, month)

        granularity = "month"
    chosen = cal.pick(recur(ctx.pub), ctx.pub, direction or ctx.direction(start, "near"))
    if chosen is None:
        return None
    return Hit(start, end, *chosen, granularity, True, None if direction else recur)


def month_year(m: Found, ctx: Context) -> Hit | None:
    return _month_hit(m, ctx, None)


def _shift_of(mod: str | None) -> int:
    """-1, 0 or 1 period from the publish day's: الماضي، الجاري (or none)، المقبل."""
    if mod and re.fullmatch(PAST, mod):
        return -1
    return 1 if mod and re.fullmatch(NEXT, mod) else 0


def _modifier(mod: str) -> cal.Direction:
    if re.fullmatch(PAST, mod):
        return "before"
    return "after" if re.fullmatch(NEXT, mod) else "near"


def month_modified(m: Found, ctx: Context) -> Hit | None:
    return _month_hit(m, ctx, _modifier(m["mod"]))


def _year_period(year: int, era: str | None) -> cal.Period | None:
    if era and era != "م":
        first, nxt = cal.hijri_date(year, 1, 1), cal.hijri_date(year + 1, 1, 1)
        return (first, nxt - timedelta(days=1)) if first and nxt else None
    return (date(year, 1, 1), date(year, 12, 31)) if 1000 <= year <= 2200 else None


def year_named(m: Found, ctx: Context) -> Hit | list[Hit] | None:
    if m["y2"]:
        return year_pair(m, ctx)
    period = _year_period(int(m["y"]), m["era"])
    if period is None:
        return None
    granularity = "year" if not m["era"] or m["era"] == "م" else "range"
    return Hit(*m.span(), *period, granularity, False)


def year_pair(m: Found, ctx: Context) -> Hit | list[Hit] | None:
    """«العام 2018-2019», «بين عامي 2011 و2014» are spans; «عامي 2008 و2012» two years."""
    y1, y2 = int(m["y"]), int(m["y2"])
    if not 1000 <= y1 < y2 <= 2200:
        return None
    start, end = m.span()
    if m["conn"] == "و" and ctx.word_before(start).lstrip("وف") != "بين":
        second = m.core.start("y2")
        return [
            Hit(start, m.core.end("y"), date(y1, 1, 1), date(y1, 12, 31), "year", False),
            Hit(second, end, date(y2, 1, 1), date(y2, 12, 31), "year", False),
        ]
    return Hit(start, end, date(y1, 1, 1), date(y2, 12, 31), "range", False)


def year_after_preposition(m: Found, ctx: Context) -> Hit | None:
    year = int(m["y"])
    end = m.span()[1]
    rest = ctx.key[end : end + 30]
    if not 1900 <= year <= 2100 or (COUNTED.match(rest) and not ADVERBS.match(rest)):
        return None
    return Hit(*m.span(), date(year, 1, 1), date(year, 12, 31), "year", False)


def _weekday(ctx: Context, wd: str, direction: cal.Direction) -> date | None:
    if ctx.pub is None:
        return None
    chosen = cal.pick(cal.weekday_candidates(ctx.pub, WEEKDAYS[wd]), ctx.pub, direction)
    return chosen[0] if chosen else None


def weekday(m: Found, ctx: Context) -> Hit | None:
    start, end = m.span()
    # «الطرفين الاثنين»: "the two", agreeing with a dual or plural noun.
    dual = re.fullmatch(r"ال\w+ين", ctx.word_before(start))
    if m["wd"] == "اثنين" and dual and not m["p"]:
        return None
    mod = m["mod"]
    if mod:
        direction = _modifier(mod)
    elif m["p"].startswith(("هذا", "هذه")) or _STARTING.search(ctx.key, max(0, start - 24), start):
        direction = "future"  # «هذا الأحد», «اعتبارا من مساء الخميس»: the coming one
    elif _UNTIL.search(ctx.key, max(0, start - 16), start):
        direction = ctx.direction(start, "past" if _LASTED.search(ctx.clause(start)) else "future")
    else:
        direction = ctx.direction(start, "past")
        if direction == "past" and _soon(ctx, m["wd"]) and _coming(ctx.sentence(start, end)):
            direction = "future"  # «تشهد مصر، الثلاثاء، افتتاح …» on a Monday: tomorrow
    d = _weekday(ctx, m["wd"], direction)
    return Hit(start, end, d, d, "day", True) if d else None


# «اعتبارا من الخميس» starts what is announced; «حتى الخميس» ends a forecast or a deadline,
# unless the clause tells of what lasted («استمرت المعارك حتى الخميس»، «منذ الأحد حتى الخميس»).
_STARTING = re.compile(r"(?<!\w)(?:اعتبارا|ابتداء|بدءا|بدء)\s+من\s+\Z")
_UNTIL = re.compile(r"(?<!\w)(?:حتي|لغايه|الي\s+غايه)\s+\Z")
_LASTED = re.compile(
    r"(?<!\w)(?:منذ|[وف]?(?:استمر|استمرت|استمروا|ظل|ظلت|ظلوا|بقي|بقيت|امتد|امتدت|تواصل|تواصلت"
    r"|دام|دامت))(?!\w)"
)


# A bare weekday a day or two ahead is coming when its sentence tells of a fixture or
# something to be done, and of nothing done: «مواجهة برشلونة، الأربعاء» on a Monday.
_TOLD = re.compile(
    r"(?<!\w)[وف]?(?:قال|اعلن|اكد|ذكر|افاد|اضاف|وقع|فاز|شهد|جري|جرت|التقي|استقبل|اصدر|نشر|كان"
    r"|تعرض|قتل|اصيب|لقي|اعتبر|اوضح|صرح|اشار|دعا|دعت|طالب|وصل|عقد|بدا|انتهي|انتهت|خسر|تغلب"
    r"|تعادل|سجل|شارك|غادر|توفي|رقص|احتفل|نفذ|شن|ضرب|اطلق)(?:ت|وا|ه|ها|هم|تها|ته)?(?!\w)"
)
_AHEAD = re.compile(
    r"(?<!\w)[وفل]?(?:ال)?(?:مباراه|مواجهه|لقاء|اجتماع|قمه|افتتاح|جلسه|انتخابات|اياب|ذهاب|نهائي"
    r"|موعد|مهله|[يت](?:لتقي|زور|عقد|شهد|قدم|توجه|لعب|واجه|ستضيف|تعين|بدا|نطلق|حتمل|ستانف|صل))"
    r"(?!\w)"
)


def _coming(sentence: str) -> bool:
    return bool(_AHEAD.search(sentence)) and not _TOLD.search(sentence)


SOON = 2  # days: a bare weekday this close ahead, in a clause that tells nothing done, is coming


def _soon(ctx: Context, wd: str) -> bool:
    return ctx.pub is not None and 0 < (WEEKDAYS[wd] - ctx.pub.weekday()) % 7 <= SOON


def weekday_pair(m: Found, ctx: Context) -> Hit | None:
    """«ليل الخميس الجمعة», «يومي الثلاثاء والأربعاء»: from the first day to the next second.
    Without «ليل»/«يومي» only two days in a row are one span: «قمة الخميس والجمعة»."""
    start, end = m.span()
    if not m["p"] and (WEEKDAYS[m["wd2"]] - WEEKDAYS[m["wd"]]) % 7 != 1:
        return None
    first = _weekday(ctx, m["wd"], ctx.direction(start, "past"))
    if first is None:
        return None
    last = first + timedelta(days=(WEEKDAYS[m["wd2"]] - WEEKDAYS[m["wd"]]) % 7 or 7)
    return Hit(start, end, first, last, "range", True)


def relative_day(m: Found, ctx: Context) -> Hit | None:
    """«أمس الأربعاء» is the latest Wednesday up to the day after «أمس»: a stamp in another
    time zone («22:19 GMT» is Thursday in Damascus) puts the named day one later, a paragraph
    kept from an older page («اليوم الخميس» on a Sunday page) days earlier; the weekday
    says which."""
    if ctx.pub is None:
        return None
    d = ctx.pub + timedelta(days=_shift(m["rel"]))
    if m["wd"]:
        d += timedelta(days=1 - (d.weekday() + 1 - WEEKDAYS[m["wd"]]) % 7)
    return Hit(*m.span(), d, d, "day", True)


def relative_period(m: Found, ctx: Context) -> Hit | None:
    start, end = m.span()
    mod = m["mod"]
    if ctx.pub is None or (not mod and not m["p"]):
        return None
    unit = m["unit"]
    if unit == "العام" and ctx.word_before(start) in GENERAL:
        return None
    shift = _shift_of(mod)
    if unit == "الاسبوع":
        return Hit(start, end, *cal.week(ctx.pub, shift), "range", True)
    if unit == "الشهر":
        return Hit(start, end, *cal.shift_month(ctx.pub, shift), "month", True)
    year = ctx.pub.year + shift
    return Hit(start, end, date(year, 1, 1), date(year, 12, 31), "year", True)


Resolver = Callable[[Found, Context], Hit | list[Hit] | None]
WD = rf"ال(?P<wd>{WEEKDAY})(?!(?<=احد)\s+عشر)(?!(?<=اثنين)\s+(?:معا|منهما|منهم|فقط))"
W = r"(?<!\w)[وف]?[بل]?"  # a word start, then clitics that stay outside the surface
# Prefixes end where the core starts; group p is the part that joins the surface.
PREFIXES = {
    "word": rf"{W}(?P<p>)",
    "day": rf"{W}(?P<p>{DAY_PREFIX}(?:ال)?)",  # «الـ23 من أكتوبر»
    "weekday": rf"(?<!كلا )(?<!كلتا ){W}(?P<p>(?:(?:هذا|هذه)\s+)?(?:{POD})?(?:يوم\s+)?)",
    "week": rf"{W}(?P<p>الاسبوع\s+)",
    "pod": rf"{W}(?P<p>(?:{POD})?)",
    "pair": rf"{W}(?P<p>{POD}|يومي\s+|يوما\s+)",
    "month": rf"{W}(?P<p>(?:شهر\s+)?)",
    "bare_month": rf"(?:{PREP}|{W}(?=شهر))(?P<p>(?:شهر\s+)?)",  # «في سبتمبر», «شهر سبتمبر»
    "preposition": rf"{PREP}(?P<p>)",
    "this": rf"{W}(?P<p>(?:(?:هذا|هذه)\s+)?)",
}
_RULES: list[tuple[str, str, Resolver]] = [
    (
        "day",
        r"(?P<d>\d{1,2})\s*(?P<sep>[-/.])\s*(?P<mo>\d{1,2})\s*(?P=sep)\s*(?P<y>\d{4})"
        r"(?![\w/]|[-.]\d)",
        numeric,
    ),
    (
        "day",
        r"(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<mo>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})"
        r"(?![\w/]|[-.]\d)",
        numeric,
    ),
    (
        "day",
        rf"(?P<d1>\d{{1,2}})\s*(?P<conn>-|/|و|او|الي|حتي|لغايه|وحتي|والي)\s*(?P<d2>\d{{1,2}})\s*(?:من\s+)?"
        rf"(?:شهر\s+)?{ANY_MONTH}{YEAR_OR_MOD}{E}",
        day_range,
    ),
    ("day", rf"(?P<d>\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?{ANY_MONTH}{YEAR_OR_MOD}{E}", day_month),
    ("day", rf"(?P<ord>{ORDINAL})\s+من\s+(?:شهر\s+)?{ANY_MONTH}{YEAR_OR_MOD}{E}", ordinal_month),
    ("week", rf"(?P<ord>{ORDINAL})\s+من\s+(?:شهر\s+)?{ANY_MONTH}{YEAR_OR_MOD}{E}", week_of_month),
    (
        "day",
        rf"(?:(?P<d>\d{{1,2}})|(?P<ord>{ORDINAL}))\s+(?:من\s+)?(?:(?P<this>هذا)\s+)?الشهر"
        rf"(?:\s+{MODS})?{E}",
        day_of_relative_month,
    ),
    ("month", rf"{ANY_MONTH}{YEAR_REQ}{E}", month_year),
    ("month", rf"{ANY_MONTH}\s+{MODS}{E}", month_modified),
    ("bare_month", rf"{ANY_MONTH}{E}", month_year),
    (
        "word",
        rf"(?:العام|عام|السنه|سنه)\s+(?P<y>\d{{4}})"
        rf"(?:\s*(?P<conn>[-/])\s*(?P<y2>\d{{4}}))?{ERA}{E}",
        year_named,
    ),
    (
        "word",
        rf"(?:العامي|عامي|السنتي|سنتي)\s+(?P<y>\d{{4}})\s*(?P<conn>و|-|الي|حتي)\s*"
        rf"(?P<y2>\d{{4}}){E}",
        year_pair,
    ),
    ("preposition", rf"(?P<y>\d{{4}}){E}", year_after_preposition),
    ("weekday", rf"{WD}(?:\s+(?P<mod>{PAST}|{NEXT}))?{E}", weekday),
    (
        "pair",
        rf"ال(?P<wd>{WEEKDAY})\s*(?:-|/|و|الي|حتي)?\s*(?:يوم\s+)?ال(?P<wd2>{WEEKDAY}){E}",
        weekday_pair,
    ),
    ("word", rf"ال(?P<wd>{WEEKDAY})\s*و\s*ال(?P<wd2>{WEEKDAY}){E}", weekday_pair),
    ("pod", rf"{REL}(?:\s*,?\s*(?:يوم\s+)?ال(?P<wd>{WEEKDAY}))?{E}", relative_day),
    ("this", rf"(?P<unit>الاسبوع|الشهر|العام|السنه)(?:\s+{MODS})?{E}", relative_period),
]


@dataclass(frozen=True)
class Rule:
    core: re.Pattern[str]
    prefix: re.Pattern[str]  # searched in the few characters before a core match, up to it
    resolve: Resolver


RULES = [Rule(re.compile(c), re.compile(PREFIXES[p] + r"\Z"), r) for p, c, r in _RULES]
PREFIX_REACH = 48  # characters: longer than any prefix («بعد ظهر يوم الأربعاء، الموافق »)


def find(key: str, ctx: Context) -> list[Hit]:
    """Every rule's resolved hits, overlapping ones included."""
    hits = []
    for rule in RULES:
        for core in rule.core.finditer(key):
            start = core.start()
            if start and key[start - 1].isalpha() and key[start - 1] not in "وفبل":
                continue  # glued to a word: «باب» is not «آب»
            prefix = rule.prefix.search(key, max(0, start - PREFIX_REACH), start)
            if prefix is None:
                continue
            found = rule.resolve(Found(core, prefix.start("p"), key), ctx)
            if isinstance(found, list):
                hits.extend(found)
            elif found is not None:
                hits.append(found)
    return hits
