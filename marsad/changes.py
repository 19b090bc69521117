"""What changed in a story: its new articles, new outlets, new claims, claims that gained
articles or outlets, and new conflicts, given which of its articles are new.

One function serves both uses: the events an ingest records for a follower (new = the
articles the follower was not told of) and `marsad changes --since T` (new = the articles
whose page was stored after T). A claim is new when every article stating it is new, and
updated when new articles joined old ones in stating it; a conflict is new when fewer than
two of its values were stated by old articles (it did not stand before).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from marsad.model import Article, Story, content_hash, source_label
from marsad.store import Store

if TYPE_CHECKING:
    from marsad.digest import DigestConfig


@dataclass
class StoryChanges:
    """A story's changes; `claims` and `updated` are digest claim records (docs/digest.md),
    each updated one with `added_article_ids` and `added_outlets`."""

    story: Story
    articles: list[Article]
    outlets: list[str] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)

    def events(self) -> list[tuple[str, str, dict]]:
        """(kind, item, body) of each change, articles first (what alerts carry)."""
        story = {"story_title": self.story.title}
        out = [("article", a.id, {**story, **article_brief(a)}) for a in self.articles]
        out += [("outlet", o, {**story, "outlet": o}) for o in self.outlets]
        out += [("claim", c["id"], {**story, **_claim_brief(c)}) for c in self.claims]
        out += [("claim_update", c["id"], {**story, **_claim_brief(c)}) for c in self.updated]
        out += [("conflict", c["id"], {**story, "conflict": c}) for c in self.conflicts]
        return out

    def to_dict(self) -> dict:
        s = self.story
        return {
            "story": {"id": s.id, "title": s.title, "size": s.size, "outlets": list(s.outlets),
                      "start": s.start, "end": s.end, "storyline": s.storyline},
            "articles": [article_brief(a) for a in self.articles],
            "outlets": list(self.outlets),
            "claims": [_claim_brief(c) for c in self.claims],
            "updated_claims": [_claim_brief(c) for c in self.updated],
            "conflicts": list(self.conflicts),
        }  # fmt: skip


def article_brief(a: Article) -> dict:
    return {"article_id": a.id, "title": a.title, "outlet": a.outlet,
            "source": source_label(a), "published": a.published, "url": a.url}  # fmt: skip


def _claim_brief(claim: dict) -> dict:
    keep = ("id", "text", "article_ids", "outlets", "modality", "added_article_ids",
            "added_outlets")  # fmt: skip
    return {"claim_id" if k == "id" else k: claim[k] for k in keep if k in claim}


def story_changes(
    store: Store,
    story: Story,
    new: Iterable[str],
    config: DigestConfig | None = None,
    *,
    claims: bool = True,
) -> StoryChanges:
    """The changes of `story` when `new` (some of its article ids) are its new articles.
    With `claims`, the claims and conflicts its digest gives (`story_claims`); without,
    only articles and outlets."""
    new_ids = set(new) & set(story.article_ids)
    articles = list(store.articles([a for a in story.article_ids if a in new_ids]))
    outlet = {e.id: e.outlet for e in store.cluster_members(story.id)}
    outlet.update({a.id: a.outlet for a in articles})
    old_outlets = {outlet.get(a) for a in story.article_ids if a not in new_ids}
    out = StoryChanges(story, articles)
    out.outlets = sorted({o for a in articles if (o := a.outlet) and o not in old_outlets})
    if not (claims and new_ids):
        return out
    from marsad.digest import story_claims  # alignment, facts: only when claims are asked

    claims_now, conflicts = story_claims(store, story, config)
    for claim in claims_now:
        fresh = [a for a in claim["article_ids"] if a in new_ids]
        if not fresh:
            continue
        if len(fresh) == len(claim["article_ids"]):
            out.claims.append(claim)
            continue
        before = {outlet.get(a) for a in claim["article_ids"] if a not in new_ids}
        added = sorted({o for a in fresh if (o := outlet.get(a)) and o not in before})
        out.updated.append({**claim, "added_article_ids": fresh, "added_outlets": added})
    for conflict in conflicts:
        stood = [v for v in conflict["values"] if set(v["article_ids"]) - new_ids]
        if len(stood) < 2:
            key = f"{story.id}\x00{conflict['kind']}\x00{conflict['about']}"
            out.conflicts.append({"id": "k-" + content_hash(key)[:12], **conflict})
    return out


def text_lines(record: dict) -> list[str]:
    """A `what_changed` record for the terminal: the story, then one line per change."""
    s, f = record["story"], record["follow"]
    via = f"  (follow {f['id']}: {f['kind']} {f['target']})" if f else ""
    out = [f"{s['id']}  [+{len(record['articles'])} of {s['size']}] {s['title']}{via}"]
    out += [f"  + article {a['article_id']}  {a['source']}  {a['title']}"
            for a in record["articles"]]  # fmt: skip
    out += [f"  + outlet {o}" for o in record["outlets"]]
    out += [f"  + claim {c['claim_id']}  {c['text']}" for c in record["claims"]]
    for c in record["updated_claims"]:
        more = "، ".join(c["added_outlets"]) or f"{len(c['added_article_ids'])} articles"
        out.append(f"  ~ claim {c['claim_id']} (+{more})  {c['text']}")
    return out + [f"  ! conflict {c['label']}" for c in record["conflicts"]]


# --- "since T" ------------------------------------------------------------------------------
_AGO = re.compile(r"(\d+)\s*([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_since(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """A time the user gives: ISO 8601 (a day, or a time; without a zone it is UTC), or an
    age like 30m, 6h, 2d. ValueError says what is accepted."""
    text = text.strip()
    if m := _AGO.fullmatch(text):
        now = now or dt.datetime.now(dt.UTC)
        return now - dt.timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"since must be an ISO time (2026-12-01, 2026-12-01T09:30, 2026-12-01T09:30+03:00)"
            f" or an age (30m, 6h, 2d), not {text!r}"
        ) from None
    return utc(when)


def utc(when: dt.datetime) -> dt.datetime:
    """An aware UTC time (a naive one is UTC); out-of-range ends are the range's ends."""
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    try:
        return when.astimezone(dt.UTC)
    except OverflowError:
        end = dt.datetime.min if when.year == 1 else dt.datetime.max
        return end.replace(tzinfo=dt.UTC)


def stories_since(store: Store, since: dt.datetime) -> dict[str, set[str]]:
    """Story id -> its articles stored after `since` (articles not yet in a story are left
    out: they are still queued)."""
    out: dict[str, set[str]] = {}
    for aid, sid, _ in store.added_since(since):
        if sid is not None:
            out.setdefault(sid, set()).add(aid)
    return out


def changes_since(
    store: Store,
    since: dt.datetime,
    story_ids: Iterable[str] | None = None,
    config: DigestConfig | None = None,
    limit: int = 50,
) -> list[StoryChanges]:
    """The changes since `since` of these stories (every changed story when None), those
    with the most new articles first, at most `limit`."""
    fresh = stories_since(store, since)
    wanted = fresh if story_ids is None else {s: fresh[s] for s in story_ids if s in fresh}
    ranked = sorted(wanted, key=lambda s: (-len(wanted[s]), s))[:limit]
    out = []
    for sid in ranked:
        story = store.story(sid)
        if story is not None:
            out.append(story_changes(store, story, wanted[sid], config))
    return out
