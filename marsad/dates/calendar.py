"""Calendar arithmetic for date mentions: which Sunday, which September, which Ramadan.

An incomplete date («الأحد», «25 ديسمبر», «رمضان») names a period that recurs; the candidates
around the publish day are listed and one is picked by a direction (see `pick`).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

from hijridate import Gregorian, Hijri

Period = tuple[date, date]
# past: latest period that has begun by the publish day; future: earliest that has not ended;
# before / after: strictly before / after the publish day; near: the closest, ties to the past.
Direction = Literal["past", "future", "before", "after", "near"]


def pick(candidates: list[Period], pub: date, direction: Direction) -> Period | None:
    """The candidate period a direction selects, relative to the publish day."""
    if direction == "past":
        pool = [p for p in candidates if p[0] <= pub]
        return max(pool, default=None)
    if direction == "future":
        pool = [p for p in candidates if p[1] >= pub]
        return min(pool, default=None)
    if direction == "before":
        return max((p for p in candidates if p[1] < pub), default=None)
    if direction == "after":
        return min((p for p in candidates if p[0] > pub), default=None)

    def distance(p: Period) -> tuple[int, date]:
        gap = (p[0] - pub).days if p[0] > pub else (pub - p[1]).days if p[1] < pub else 0
        return gap, p[0]

    return min(candidates, key=distance, default=None)


def weekday_candidates(pub: date, weekday: int) -> list[Period]:
    """That weekday in the week before, the week of, and the two weeks after the publish day."""
    latest = pub - timedelta(days=(pub.weekday() - weekday) % 7)
    return [(d, d) for d in (latest + timedelta(days=7 * k) for k in (-1, 0, 1))]


def week(pub: date, shift: int) -> Period:
    """The Sunday–Saturday week `shift` weeks from the publish week (الأحد is the first day)."""
    sunday = pub - timedelta(days=(pub.weekday() + 1) % 7) + timedelta(days=7 * shift)
    return sunday, sunday + timedelta(days=6)


def month_period(year: int, month: int) -> Period:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def shift_month(pub: date, shift: int) -> Period:
    index = pub.year * 12 + pub.month - 1 + shift
    return month_period(index // 12, index % 12 + 1)


def month_candidates(pub: date, month: int) -> list[Period]:
    return [month_period(y, month) for y in (pub.year - 1, pub.year, pub.year + 1)]


def day_candidates(pub: date, month: int, day: int) -> list[Period]:
    """That day of the month in the years around the publish day (29 February only in leap
    years)."""
    out = []
    for y in (pub.year - 1, pub.year, pub.year + 1):
        if day <= calendar.monthrange(y, month)[1]:
            out.append((date(y, month, day), date(y, month, day)))
    return out


def hijri_date(year: int, month: int, day: int) -> date | None:
    """Gregorian date of a Hijri (Umm al-Qura) date; None outside 1343–1500 AH or invalid."""
    try:
        return date(*Hijri(year, month, day).to_gregorian().datetuple())
    except (OverflowError, ValueError):
        return None


def hijri_month(year: int, month: int) -> Period | None:
    first = hijri_date(year, month, 1)
    if first is None:
        return None
    return first, first + timedelta(days=Hijri(year, month, 1).month_length() - 1)


def hijri_year(pub: date) -> int | None:
    try:
        return Gregorian(pub.year, pub.month, pub.day).to_hijri().year
    except (OverflowError, ValueError):
        return None


def hijri_candidates(pub: date, month: int, day: int | None) -> list[Period]:
    """That Hijri day (or whole month when `day` is None) in the Hijri years around the publish
    day."""
    year = hijri_year(pub)
    if year is None:
        return []
    out = []
    for y in (year - 1, year, year + 1):
        if day is None:
            period = hijri_month(y, month)
        else:
            d = hijri_date(y, month, day)
            period = (d, d) if d else None
        if period:
            out.append(period)
    return out
