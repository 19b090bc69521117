"""Publish days for undated articles, inferred from their story and their own words.

Scraped pages often carry no publish time, and then «أمس الأحد» or «الاثنين» cannot be
placed. An undated article of a story is placed near its story's dated articles (the median
of their days), on the day its own weekday phrases agree with: «اليوم الأحد» says it was
written on a Sunday, «أمس الأحد» on a Monday, «غدا الأحد» on a Saturday. Without a dated
article in the story, the latest full date the article itself gives («16 أغسطس 2024») is a
lower bound and is taken. Every inference says so, with its basis and evidence: it is
never shown as a stated publish time.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta

from marsad.arabic import normalize
from marsad.dates import find_dates, parse_published
from marsad.dates.lexicon import WEEKDAYS
from marsad.model import MAX_YEAR, MIN_YEAR, Article

# How far from its story's dated articles an undated one may be placed, in days.
NEAR = (-1, 0, 1, 2)
# Matched on the original text (its words are shown as evidence); the captured words are
# normalized to look them up.
_SAID = re.compile(
    r"(?<!\w)(أمس|امس|اليوم|غدا|غداً)\s+(?:يوم\s+)?(?:ال)?"
    r"(أحد|احد|اثنين|إثنين|ثلاثاء|أربعاء|اربعاء|خميس|جمعة|جمعه|سبت)(?!\w)"
)
_SHIFT = {"امس": 1, "اليوم": 0, "غدا": -1}  # the writing day is the named day + shift


@dataclass(frozen=True)
class Inferred:
    """An undated article's inferred publish day: `basis` is "story" or "text", `evidence`
    the words it rests on (or the story's dated day)."""

    published: str  # YYYY-MM-DD
    basis: str
    evidence: str

    def to_dict(self) -> dict:
        return {"published": self.published, "basis": self.basis, "evidence": self.evidence}


def infer_published(articles: list[Article], days: list[date] | None = None) -> dict[str, Inferred]:
    """Inferred publish days of the undated articles of one story, by article id. `days`
    are the publish days of the story's dated articles (by default those of `articles`)."""
    if days is None:
        days = [d for a in articles if (d := parse_published(a.published)) is not None]
    days = sorted(days)
    near = days[len(days) // 2] if days else None
    out = {}
    for article in articles:
        if article.published:
            continue
        found = _near(article, near) if near is not None else _from_text(article)
        if found is not None:
            out[article.id] = found
    return out


def _near(article: Article, day: date) -> Inferred:
    """The day near the story's that the article's weekday phrases agree with most."""
    said = [(m.group(0), WEEKDAYS[normalize(m.group(2))], _SHIFT[normalize(m.group(1))])
            for m in _SAID.finditer(article.text)]  # fmt: skip
    votes: Counter[date] = Counter()
    for k in NEAR:
        try:
            candidate = day + timedelta(days=k)
        except OverflowError:  # a page dated at the calendar's edge
            continue
        votes[candidate] = sum((weekday + shift) % 7 == candidate.weekday()
                               for _, weekday, shift in said)  # fmt: skip
    best = max(votes.items(), key=lambda kv: (kv[1], kv[0] == day))
    if best[1] == 0:
        return Inferred(day.isoformat(), "story", f"its story's dated articles ({day})")
    phrases = sorted({s for s, weekday, shift in said
                      if (weekday + shift) % 7 == best[0].weekday()})  # fmt: skip
    return Inferred(best[0].isoformat(), "story", "، ".join(f"«{p}»" for p in phrases))


def _from_text(article: Article) -> Inferred | None:
    """The latest full date the article gives: it was written that day or later."""
    full = [m for m in find_dates(article.text, None)
            if m.granularity == "day" and MIN_YEAR <= m.first.year <= MAX_YEAR]  # fmt: skip
    if not full:
        return None
    latest = max(full, key=lambda m: m.first)
    return Inferred(latest.first.isoformat(), "text", f"«{latest.text}»")


def with_inferred(articles: list[Article], inferred: dict[str, Inferred]) -> list[Article]:
    """The articles with inferred days as their publish times, for resolving what they say."""
    return [replace(a, published=inferred[a.id].published) if a.id in inferred else a
            for a in articles]  # fmt: skip


Ends = tuple[tuple[str | None, bool], tuple[str | None, bool]]


def span_with(start: str | None, end: str | None, inferred: tuple[str, str] | None) -> Ends:
    """A story's first and last publish time counting its undated articles' inferred days
    (`inferred`: their first and last), each with whether it is inferred (shown marked:
    no page states it)."""
    first, last = (start, False), (end, False)
    if inferred:
        if start is None or inferred[0] < start[:10]:
            first = (inferred[0], True)
        if end is None or inferred[1] > end[:10]:
            last = (inferred[1], True)
    return first, last
