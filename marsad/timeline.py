"""A story's timeline: the dated happenings its articles state, with who states them.

Dates are resolved per article (its own publish time anchors «أمس» and «الأحد»), then read
through the story's claims, so one happening reported by four outlets is one entry citing all
four, and the same sentence dated differently by two outlets shows up as two entries. A
sentence is listed once per date it gives. Dates well before the story's first article
(«أعلن الأرمن تأسيسها عام 1991») are background: kept, marked, and after the story's own
entries when the list is cut.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from marsad.claims import Claim, article_sentences
from marsad.dates import DateMention, find_dates, parse_published
from marsad.model import Article

DateFinder = Callable[[str, str | None], list[DateMention]]
# A date ending this long before the story's first publish day is background.
BACKGROUND_DAYS = 14


@dataclass
class TimelineEntry:
    date: str  # ISO: day, month, year or "first/last" range
    text: str  # the first sentence that states the date
    article_ids: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    surfaces: list[str] = field(default_factory=list)  # how the articles wrote the date
    background: bool = False  # before the story: context, not what happens in it

    def to_dict(self) -> dict:
        return {
            "date": self.date,
            "text": self.text,
            "article_ids": list(self.article_ids),
            "outlets": list(self.outlets),
            "surfaces": list(self.surfaces),
            "background": self.background,
        }


def _restates_now(mention: DateMention, day: date | None) -> bool:
    """«هذا العام», «الشهر الجاري»: a relative month or year that holds the publish day dates
    nothing the reader does not know."""
    return (
        mention.relative
        and mention.granularity in ("month", "year")
        and day is not None
        and mention.first <= day <= mention.last
    )


def timeline(
    articles: list[Article],
    claims: list[Claim],
    *,
    find: DateFinder = find_dates,
    limit: int = 30,
) -> list[TimelineEntry]:
    """Dated entries in date order; when there are more than `limit`, the best-supported."""
    by_id = {a.id: a for a in articles}
    sentences = {a.id: article_sentences(a) for a in articles}
    days = [d for a in articles if (d := parse_published(a.published)) is not None]
    before = _days_before(min(days), BACKGROUND_DAYS) if days else None
    entries: dict[tuple[int, str], TimelineEntry] = {}
    for n, claim in enumerate(claims):
        for article_id, index in claim.members:
            article = by_id.get(article_id)
            if article is None or index >= len(sentences[article_id]):
                continue
            sentence = sentences[article_id][index]
            day = parse_published(article.published)
            for mention in find(sentence, article.published):
                if _restates_now(mention, day):
                    continue
                # the sentence that carries the date, not the claim's representative: a claim
                # may group a compound sentence with the shorter ones it contains
                entry = entries.setdefault(
                    (n, mention.value),
                    TimelineEntry(mention.value, sentence,
                                  background=before is not None and mention.last < before),
                )  # fmt: skip
                if article_id not in entry.article_ids:
                    entry.article_ids.append(article_id)
                if article.outlet and article.outlet not in entry.outlets:
                    entry.outlets.append(article.outlet)
                if mention.text not in entry.surfaces:
                    entry.surfaces.append(mention.text)
    chosen = sorted(
        _once(entries.values()),
        key=lambda e: (e.background, -len(e.outlets), -len(e.article_ids)),
    )
    return sorted(chosen[:limit], key=lambda e: e.date)


def _days_before(day: date, n: int) -> date:
    try:
        return day - timedelta(days=n)
    except OverflowError:  # a page dated at the calendar's start
        return date.min


def _once(entries: Iterable[TimelineEntry]) -> list[TimelineEntry]:
    """One entry per sentence and date: two claims holding one sentence (a compound sentence
    grouped with each of its parts) merge their articles."""
    out: dict[tuple[str, str], TimelineEntry] = {}
    for entry in entries:
        kept = out.setdefault((entry.date, entry.text), entry)
        if kept is not entry:
            for field_name in ("article_ids", "outlets", "surfaces"):
                mine = getattr(kept, field_name)
                mine.extend(x for x in getattr(entry, field_name) if x not in mine)
    return list(out.values())
