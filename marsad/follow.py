"""Follow a story, a storyline or a saved search, and record what changes in it as events.

Story ids are not forever: a late article can found a story earlier than the one it joins,
and a replay renames or splits stories. A follow therefore holds the article that founded
what it follows (its anchor) and means "the story, or storyline, that now holds that
article". Its follower has been told of a set of articles (`follow_seen`): each ingest
transaction that touches a followed story records, in that same transaction, one event per
new article, new outlet, new or updated claim and new conflict (marsad.changes), and marks
the articles seen. Only the follows whose story or storyline the transaction touched cost
anything; a store without follows pays one small query per chunk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from marsad.changes import (
    StoryChanges,
    article_brief,
    changes_since,
    stories_since,
    story_changes,
)
from marsad.cluster.storylines import storyline
from marsad.model import Article, Story, content_hash
from marsad.query import QueryError, analyze, matches, parse_query
from marsad.store import Store
from marsad.store.follows import KINDS, Follow

if TYPE_CHECKING:
    from marsad.digest import DigestConfig


class FollowError(ValueError):
    """A follow that cannot be made: no such story or storyline, or a query that cannot be
    searched."""


def founder(story: Story) -> str:
    """The article a story is named after (its first one, as the clusterer founded it)."""
    return next(
        (a for a in story.article_ids if "s-" + content_hash(a)[:12] == story.id),
        story.article_ids[0],
    )


def follow(
    store: Store, kind: str, target: str, *, outlet: str | None = None
) -> tuple[Follow, bool]:
    """Follow a story or storyline by id, or a search query (with an outlet filter); the
    follow and whether it is new. What it holds now counts as seen: events tell what comes."""
    if kind not in KINDS:
        raise FollowError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    with store.transaction():
        filters: dict = {}
        anchor: str | None = None
        seen: list[str] = []
        if kind == "story":
            story = store.story(target)
            if story is None:
                raise FollowError(f"no story {target!r}")
            anchor, seen = founder(story), story.article_ids
        elif kind == "storyline":
            line = storyline(store, target)
            if line is None:
                raise FollowError(f"no storyline {target!r}")
            named = next((s for s in line.stories if s.id == line.id), line.stories[0])
            anchor, seen = founder(named), [a for s in line.stories for a in s.article_ids]
        else:
            try:
                parse_query(target)
            except QueryError as exc:
                raise FollowError(f"cannot follow this search: {exc}") from None
            if outlet:
                filters["outlet"] = outlet
        return store.follow_add(kind, target, filters, anchor, seen)


def unfollow(store: Store, follow_id: int) -> bool:
    """Stop following; False when there was no such follow. Its past events stay."""
    with store.transaction():
        return store.follow_remove(follow_id)


def followed_stories(store: Store) -> list[tuple[Follow, list[str]]]:
    """Each follow with the ids of the stories it means now (none for a search, or while
    its anchor is still queued)."""
    out = []
    for f, sid, line in store.follows_placed():
        if f.kind == "search" or sid is None:
            out.append((f, []))
        elif f.kind == "story" or line is None:
            out.append((f, [sid]))
        else:
            out.append((f, store.storylines(line).get(line, [sid])))
    return out


# --- events of one ingest transaction -------------------------------------------------------
def record_events(
    store: Store,
    articles: list[Article],
    touched: Iterable[Story],
    config: DigestConfig | None = None,
) -> int:
    """Events for the follows this transaction's new `articles` and `touched` stories
    concern, written in the caller's transaction; how many."""
    follows = followed_stories(store)
    if not follows:
        return 0
    known = {s.id: s for s in touched}
    fields: dict[str, tuple] = {}  # each new article analysed once for every saved search
    rows: list[tuple[int, str, str | None, str, dict]] = []
    for f, story_ids in follows:
        if f.kind == "search":
            rows += _search_events(store, f, articles, fields)
        elif not known.keys().isdisjoint(story_ids):
            rows += _story_events(store, f, [known.get(s) or store.story(s) for s in story_ids],
                                  config)  # fmt: skip
    store.add_events(rows)
    return len(rows)


def _story_events(
    store: Store, f: Follow, stories: list[Story | None], config: DigestConfig | None
) -> list[tuple]:
    present = [s for s in stories if s is not None]
    seen = store.follow_seen(f.id, [a for s in present for a in s.article_ids])
    rows: list[tuple] = []
    for story in present:
        new = [a for a in story.article_ids if a not in seen]
        if not new:
            continue
        if f.kind == "storyline" and len(new) == story.size:  # a story joined the storyline
            rows.append((f.id, "story", story.id, story.id,
                         {"story_title": story.title, "size": story.size}))  # fmt: skip
        changes = story_changes(store, story, new, config)
        rows += [(f.id, kind, story.id, item, body) for kind, item, body in changes.events()]
        store.follow_saw(f.id, new)
    return rows


def _search_events(
    store: Store, f: Follow, articles: list[Article], fields: dict[str, tuple]
) -> list[tuple]:
    """New articles matching a saved search: stored after it was saved (a rebuild that
    processes old articles again tells nothing), and not told before."""
    matched = search_matches(f, articles, fields)
    if not matched:
        return []
    seen = store.follow_seen(f.id, [a.id for a in matched])
    created = dt.datetime.fromisoformat(f.created)
    added = store.added_at([a.id for a in matched])
    new = [a for a in matched if a.id not in seen and added.get(a.id, created) >= created]
    rows = []
    for a in new:
        story = store.story_of(a.id)
        body = {**article_brief(a), "story_title": story.title if story else None}
        rows.append((f.id, "article", story.id if story else None, a.id, body))
    store.follow_saw(f.id, [a.id for a in new])
    return rows


def search_matches(
    f: Follow, articles: list[Article], fields: dict[str, tuple] | None = None
) -> list[Article]:
    """The articles a saved search finds (`fields` caches their analysis across searches)."""
    query = parse_query(f.target)
    outlet = f.filters.get("outlet")
    fields = {} if fields is None else fields
    out = []
    for a in articles:
        if outlet is not None and a.outlet != outlet:
            continue
        if a.id not in fields:
            fields[a.id] = analyze(a)
        if matches(query, fields[a.id]):
            out.append(a)
    return out


# --- what changed since T, for what is followed ---------------------------------------------
def followed_changes(
    store: Store, since: dt.datetime, config: DigestConfig | None = None
) -> list[tuple[Follow, list[StoryChanges]]]:
    """Each follow with the changes since `since` of its stories; a saved search with its
    new matching articles per story (articles only: a search is no story)."""
    fresh = stories_since(store, since)
    out = []
    for f, story_ids in followed_stories(store):
        if f.kind != "search":
            changes = [
                story_changes(store, story, fresh[sid], config)
                for sid in story_ids
                if sid in fresh and (story := store.story(sid))
            ]
        else:
            home = {aid: sid for sid, ids in fresh.items() for aid in ids}
            by_story: dict[str, list[str]] = {}
            for a in search_matches(f, list(store.articles(home))):
                by_story.setdefault(home[a.id], []).append(a.id)
            changes = [
                story_changes(store, story, ids, claims=False)
                for sid, ids in by_story.items()
                if (story := store.story(sid))
            ]
        out.append((f, changes))  # fmt: skip
    return out


def what_changed(
    store: Store,
    since: dt.datetime,
    *,
    every: bool = False,
    story_id: str | None = None,
    config: DigestConfig | None = None,
    limit: int = 50,
) -> list[dict]:
    """`marsad changes` and `GET /api/changes`: one record per changed story, with the
    follow it is reported for (None with `every` or `story_id`: any story)."""
    if every or story_id is not None:
        ids = None if story_id is None else [story_id]
        return [{"follow": None, **c.to_dict()}
                for c in changes_since(store, since, ids, config, limit)]  # fmt: skip
    found = followed_changes(store, since, config)
    return [{"follow": f.to_dict(), **c.to_dict()} for f, cs in found for c in cs][:limit]
