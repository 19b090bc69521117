"""Date lines: a line that is only a publish date (and maybe a time) becomes ISO 8601.

Works on `arabic.normalize`d text (ASCII digits, folded alef/yaa/taa marbuta, lower case), so
one pattern covers «18 أغسطس 2024», «١٨/٨/٢٠٢٤», `18-8-2024 | 22:14` and `August 18, 2024`.
"""

from __future__ import annotations

import re
from datetime import date

from marsad.dates.lexicon import MONTH, WEEKDAY, month_number
from marsad.model import MAX_YEAR, MIN_YEAR

_WEEKDAY = (
    rf"(?:(?:يوم\s+)?(?:ال)?{WEEKDAY}"
    r"|sunday|monday|tuesday|wednesday|thursday|friday|saturday)"
)
_PREFIX = (
    r"(?:نشر(?:\s+في)?|تاريخ النشر|اخر تحديث|تم التحديث|محدث|تحديث|بتاريخ|التاريخ"
    r"|published(?:\s+on)?|updated(?:\s+on)?|posted(?:\s+on)?|date)"
)
_SEP = r"\s*[|,،\-–—/:]?\s*"


def _time(tag: str) -> str:
    """A clock time; `tag` keeps group names unique where a time may come before or after."""
    return (
        rf"(?:(?:الساعه|at)\s*)?(?P<hh{tag}>\d{{1,2}}):(?P<mi{tag}>\d{{2}})(?::\d{{2}})?"
        rf"\s*(?P<ampm{tag}>ص|م|صباحا|مساء|مساءا|am|pm|a\.m\.|p\.m\.)?"
        r"(?:\s*(?:gmt|utc|بتوقيت \S+)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?)?"
    )


_DATE = (
    r"(?:(?P<d1>\d{1,2})\s*[-/.]\s*(?P<m1>\d{1,2})\s*[-/.]\s*(?P<y1>\d{4})"
    r"|(?P<y2>\d{4})\s*[-/.]\s*(?P<m2>\d{1,2})\s*[-/.]\s*(?P<d2>\d{1,2})"
    rf"|(?P<d3>\d{{1,2}})\s+(?P<mn3>{MONTH})(?:\s*\(\s*{MONTH}\s*\))?\s*[,،]?\s*(?P<y3>\d{{4}})"
    rf"|(?P<mn4>{MONTH})\s+(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?P<y4>\d{{4}}))"
)
_DATE_LINE = re.compile(
    rf"^(?:{_PREFIX}\s*:?\s*)?(?:{_WEEKDAY}{_SEP})?(?:{_time('a')}{_SEP})?"
    rf"{_DATE}(?:{_SEP}{_time('b')})?\s*(?:م\.?)?$"
)
# A cheap gate: date lines are short and hold a 4-digit year.
_HAS_YEAR = re.compile(r"\d{4}")


def parse_date_line(key: str) -> str | None:
    """ISO date (with `THH:MM` when a time is given) if the normalized line is only a date."""
    if len(key) > 80 or not _HAS_YEAR.search(key):
        return None
    m = _DATE_LINE.match(key)
    if m is None:
        return None
    g = m.groupdict()
    if g["y1"]:
        y, mo, d = int(g["y1"]), int(g["m1"]), int(g["d1"])
    elif g["y2"]:
        y, mo, d = int(g["y2"]), int(g["m2"]), int(g["d2"])
    elif g["y3"]:
        y, mo, d = int(g["y3"]), month_number(g["mn3"]), int(g["d3"])
    else:
        y, mo, d = int(g["y4"]), month_number(g["mn4"]), int(g["d4"])
    if not MIN_YEAR <= y <= MAX_YEAR:  # «9999-12-31» on a page is no publish time
        return None
    try:
        day = date(y, mo, d).isoformat()
    except ValueError:
        return None
    tag = "b" if g["hhb"] else "a"
    if not g["hh" + tag]:
        return day
    hh, mi = int(g["hh" + tag]), int(g["mi" + tag])
    ampm = (g["ampm" + tag] or "").replace(".", "")
    if ampm in ("م", "مساء", "مساءا", "pm") and hh < 12:
        hh += 12
    elif ampm in ("ص", "صباحا", "am") and hh == 12:
        hh = 0
    if hh > 23 or mi > 59:
        return day
    return f"{day}T{hh:02d}:{mi:02d}"
