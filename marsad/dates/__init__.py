"""Date expressions in Arabic news text, resolved against the article's publish day.

`find_dates(text, published)` finds «الأحد», «أمس», «18 و19 آب (أغسطس)», «أيلول 2018»,
«15 رمضان 1445هـ», «الأسبوع الماضي» ... and gives each its calendar period. Matching runs on a
normalized key of the text (see `_fold`); offsets map back so every mention carries its exact
original surface. Rules and the past/future choices are in docs/dates.md.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import accumulate
from typing import Literal

from marsad.arabic import normalize
from marsad.dates import calendar as cal
from marsad.dates.rules import Context, Hit, find

Granularity = Literal["day", "month", "year", "range"]
EDGE = 2  # years kept clear of date.min / date.max when resolving against a publish day


@dataclass(frozen=True)
class DateMention:
    """One date expression: its original surface and offsets, and the period it names."""

    text: str
    start: int
    end: int
    first: date
    last: date
    granularity: Granularity
    relative: bool  # resolved against the publish day (weekday, أمس, a date without its year)

    @property
    def value(self) -> str:
        """ISO value: YYYY-MM-DD, YYYY-MM, YYYY, or first/last for a range."""
        if self.granularity == "day":
            return self.first.isoformat()
        if self.granularity == "month":
            return self.first.isoformat()[:7]
        if self.granularity == "year":
            return f"{self.first.year:04d}"
        return f"{self.first.isoformat()}/{self.last.isoformat()}"


def parse_published(published: str | None) -> date | None:
    """The publish day of an ISO date or date-time (its local date, time zone ignored)."""
    if published is None:
        return None
    try:
        return date.fromisoformat(published.strip()[:10])
    except ValueError:
        raise ValueError(f"published must be ISO 8601 (YYYY-MM-DD...), got {published!r}") from None


class _FoldTable(dict):
    """`str.translate` table that learns each new character's key: `normalize` of it alone,
    ¶ for a newline (no date spans two paragraphs), a space for other whitespace."""

    def __init__(self) -> None:
        super().__init__()
        self.odd: set[str] = set()  # characters whose key is not one character long
        self.odd_pattern: re.Pattern[str] | None = None

    def __missing__(self, code: int) -> str:
        c = chr(code)
        folded = "¶" if c == "\n" else " " if c.isspace() else normalize(c)
        self[code] = folded
        if len(folded) != 1:
            self.odd.add(c)
            self.odd_pattern = re.compile("[" + re.escape("".join(sorted(self.odd))) + "]")
        return folded


_TABLE = _FoldTable()


class _Offsets:
    """Maps key offsets back to the text: only characters whose key is not one character long
    (diacritics and tatweel fold to nothing, ligatures to two letters) shift offsets."""

    def __init__(self, text: str) -> None:
        rx = _TABLE.odd_pattern
        found = [(m.start(), len(_TABLE[ord(m[0])]) - 1) for m in rx.finditer(text)] if rx else []
        self.n = len(text)
        self.positions = [p for p, _ in found]
        self.shift = list(accumulate((d for _, d in found), initial=0))

    def key_offset(self, i: int) -> int:
        return i + self.shift[bisect_left(self.positions, i)]

    def original(self, k: int) -> int:
        """The last text offset whose key offset is at most `k`: a surface's start skips marks
        before it, its end keeps the marks on its last letter («غداً»)."""
        lo, hi = 0, self.n
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.key_offset(mid) <= k:
                lo = mid
            else:
                hi = mid - 1
        return lo


def _select(hits: list[Hit]) -> list[Hit]:
    """Longest matches win; among equal lengths the earlier rule; no two overlap."""
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: h.start - h.end):  # stable: rule order kept
        if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


_SENTENCE_END = re.compile(r"[.!?¶]")


def _anchor_years(key: str, hits: list[Hit], pub: date | None) -> list[Hit]:
    """A date without its year takes the year nearest to the last date of its sentence that
    states one, when that date is over half a year from the publish day: «بدأت الحرب في 20
    مارس 2003 وسقطت بغداد في التاسع من أبريل» is April 2003."""
    out: list[Hit] = []
    anchor: Hit | None = None
    for hit in hits:
        if anchor is not None and _SENTENCE_END.search(key, anchor.end, hit.start):
            anchor = None
        if hit.recur and anchor and pub:
            middle = anchor.first + (anchor.last - anchor.first) / 2
            chosen = cal.pick(hit.recur(middle), middle, "near")
            if chosen and abs((middle - pub).days) > 183:
                hit = replace(hit, first=chosen[0], last=chosen[1])
        elif not hit.relative and hit.granularity in ("day", "month"):
            anchor = hit
        out.append(hit)
    return out


_TO = re.compile(r"\s*(?:-|/|الي|حتي|لغايه|و|وحتي|والي)\s*")
_BETWEEN = re.compile(r"بين\s+$")
_JOINABLE = ("day", "month")


def _join_ranges(key: str, hits: list[Hit]) -> list[Hit]:
    """«من 28 ديسمبر إلى 3 يناير 2025», «بين 3 مارس و5 أبريل», «من سبتمبر 2017 إلى أغسطس
    2018»: two days or months become one range. An end whose year was guessed is re-anchored to
    the other end."""
    out: list[Hit] = []
    for hit in hits:
        prev = out[-1] if out else None
        gap = key[prev.end : hit.start] if prev else ""
        before = key[max(0, prev.start - 12) : prev.start] if prev else ""
        if (
            prev is None
            or prev.granularity not in _JOINABLE
            or hit.granularity not in _JOINABLE
            or not _TO.fullmatch(gap)
            or (gap.strip() == "و" and not _BETWEEN.search(before))
        ):
            out.append(hit)
            continue
        first, last = prev.first, hit.last
        if prev.recur and not hit.recur:
            period = cal.pick(prev.recur(hit.first), hit.first - timedelta(days=1), "past")
            first = period[0] if period else first
        elif hit.recur and not prev.recur:
            period = cal.pick(hit.recur(prev.last), prev.last + timedelta(days=1), "future")
            last = period[1] if period else last
        if first >= last:
            out.append(hit)
            continue
        out[-1] = Hit(prev.start, hit.end, first, last, "range", prev.relative or hit.relative)
    return out


def find_dates(text: str, published: str | None) -> list[DateMention]:
    """Date mentions in `text`, in order. Without `published` only dates that carry their year
    resolve; «الأحد», «أمس» and «25 ديسمبر» need the publish day."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    pub = parse_published(published)
    if pub is not None and not EDGE < pub.year < date.max.year - EDGE:
        pub = None  # a publish day at the calendar's edge anchors nothing (no overflow)
    key = text.translate(_TABLE)
    ctx = Context(key, pub)
    hits = find(key, ctx)
    out = []
    offsets = _Offsets(text) if hits else None
    for h in _join_ranges(key, _anchor_years(key, _select(hits), pub)):
        start, end = offsets.original(h.start), offsets.original(h.end)
        for first, last in ((h.first, h.last), *((d, d) for d in h.also)):
            out.append(
                DateMention(text[start:end], start, end, first, last, h.granularity, h.relative)  # type: ignore[arg-type]
            )
    return out


__all__ = ["DateMention", "find_dates", "parse_published"]
