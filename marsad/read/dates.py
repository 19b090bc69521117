"""Dates as records, feeds and archives give them (ISO 8601, RFC 2822, epoch seconds)."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from marsad.model import MAX_YEAR, MIN_YEAR
from marsad.read.base import ReadError

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_LIKE = re.compile(r"[+-]?\d{4,}-\d{1,2}-\d{1,2}(?:[T ]|$)")
_EPOCH_MIN = datetime(MIN_YEAR, 1, 2, tzinfo=UTC).timestamp()
_EPOCH_MAX = datetime(MAX_YEAR, 12, 30, tzinfo=UTC).timestamp()


def _in_range(stamp: datetime | date, text: str) -> None:
    if not MIN_YEAR <= stamp.year <= MAX_YEAR:
        raise ReadError(f"{text} is not a valid date (years {MIN_YEAR}–{MAX_YEAR})")


def iso_datetime(value: object) -> str | None:
    """ISO 8601 for the date forms records carry (ISO, RFC 2822, epoch seconds); None if none.

    Raises ReadError (and nothing else) for a value that is no date: "unrecognised date
    'next week'", "2018-02-30 is not a valid date", "1e+20 is not a valid date (...)"."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not (math.isfinite(value) and _EPOCH_MIN <= value <= _EPOCH_MAX):
            shown = f"{value:g}" if isinstance(value, float) else str(value)[:24]
            raise ReadError(
                f"{shown} is not a valid date (epoch seconds of years {MIN_YEAR}–{MAX_YEAR})"
            )
        return datetime.fromtimestamp(value).isoformat(timespec="minutes")
    if not isinstance(value, str):
        raise ReadError(f"unrecognised date {str(value)[:40]!r}")
    text = value.strip()
    if len(text) > 80:
        raise ReadError(f"unrecognised date {text[:40] + '…'!r}")
    if _DAY.fullmatch(text):  # a day without a time stays a day: no invented midnight
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ReadError(f"{text} is not a valid date") from None
        _in_range(day, text)
        return day.isoformat()
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        if _ISO_LIKE.match(text):
            raise ReadError(f"{text} is not a valid date") from None
    else:
        _in_range(stamp, text)
        return stamp.isoformat(timespec="minutes")
    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        raise ReadError(f"unrecognised date {text!r}") from None
    _in_range(stamp, text)
    return stamp.isoformat(timespec="minutes")


def record_date(value: object) -> tuple[str | None, list[str]]:
    """A record's `published`: (ISO date, []) or, when it is no date, (None, [warning]): the
    page is kept, undated, rather than lost for a broken field."""
    try:
        return iso_datetime(value), []
    except ReadError as exc:
        return None, [f"published: {exc}; the record's date is ignored"]
