"""Publish stamps in their outlet's local time, so «اليوم» and «أمس» resolve to the writer's day.

Records often stamp in GMT: «22:19 GMT» on a Damascus or Dubai desk is already the next day,
and «الخميس» read from the GMT day lands a week early. A stamp with a UTC offset is moved to
its outlet's zone (known outlets by default, more in `[digest.zones]`); a stamp without an
offset is the writer's own clock and is kept as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marsad.arabic import normalize
from marsad.model import Article

# Newsrooms by the names records give them (ANT's `source` ids, Arabic and Latin names).
# Sky News Arabia and CNN Arabic stamp in GMT and write in GMT's day too: read by the dev
# window's labelled sentences (eval/data/dates_dev.jsonl), their evening items name that
# day's events with GMT's weekday («اليوم الثلاثاء» at 21:20 GMT), so they are not listed.
KNOWN = {
    "Asia/Dubai": "alarabia، alarabiya، العربية، العربية.نت، الخليج، البيان، الإمارات اليوم",
    "Asia/Riyadh": "الشرق الأوسط، asharq al-awsat، aawsat، الرياض، عكاظ، سبق",
    "Asia/Qatar": "الجزيرة، الجزيرة نت، aljazeera، العربي الجديد",
    "Asia/Damascus": "سانا، عنب بلدي، الوطن السورية",
    "Asia/Beirut": "النهار، الأخبار، الميادين، المنار، لبنان 24",
    "Asia/Amman": "الغد، الرأي، عمون، بترا",
    "Asia/Baghdad": "السومرية، شفق نيوز",
    "Africa/Cairo": "الأهرام، بوابة الأهرام، اليوم السابع، المصري اليوم، مصراوي",
    "Africa/Tripoli": "عين ليبيا، بوابة الوسط",
    "Africa/Casablanca": "هسبريس، hespress",
    "Europe/London": "bbc، بي بي سي، بي بي سي عربي، القدس العربي، اندبندنت عربية",
    "Europe/Paris": "france24، فرانس 24، مونت كارلو الدولية",
    "Europe/Berlin": "dw، دويتشه فيله",
    "Europe/Moscow": "rt، روسيا اليوم، سبوتنيك",
    "Europe/Istanbul": "الأناضول، trt عربي",
}


def _key(outlet: str) -> str:
    return " ".join(normalize(outlet).lower().split())


_KNOWN = {_key(name): zone for zone, names in KNOWN.items() for name in names.split("، ")}


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name: Asia/Beirut)") from None


@dataclass(frozen=True)
class ZoneConfig:
    """`outlets` maps outlet names to IANA zones («Asia/Beirut»), over the known ones;
    `default` is the zone of outlets known to neither (None: their stamps stay as given)."""

    outlets: dict[str, str] = field(default_factory=dict)
    default: str | None = None

    def __post_init__(self) -> None:
        for name in [*self.outlets.values(), *([self.default] if self.default else [])]:
            _zone(name)

    def zone(self, outlet: str | None) -> ZoneInfo | None:
        key = _key(outlet) if outlet else ""
        named = {_key(name): zone for name, zone in self.outlets.items()}
        zone = named.get(key) or _KNOWN.get(key) or self.default
        return _zone(zone) if zone else None


def local_published(published: str | None, outlet: str | None, config: ZoneConfig) -> str | None:
    """`published` in its outlet's zone, when it carries an offset and the zone is known."""
    if not published or len(published) <= 10:
        return published
    zone = config.zone(outlet)
    try:
        stamp = datetime.fromisoformat(published)
    except ValueError:
        return published
    if zone is None or stamp.tzinfo is None:
        return published
    return stamp.astimezone(zone).isoformat(timespec="minutes")


def in_local_time(articles: list[Article], config: ZoneConfig) -> list[Article]:
    """The articles with their publish stamps in their outlets' local time."""
    return [replace(a, published=local) if (local := local_published(a.published, a.outlet, config))
            != a.published else a for a in articles]  # fmt: skip
