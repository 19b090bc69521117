"""Follows, the event log and alert cursors as rows, one SQL text for both backends.

A follow is a row (story, storyline or saved search); `follow_seen` holds the articles its
follower has been told of, so each ingest's events are the difference, whatever replays did
to story ids. Events get ids from an identity column: writers take turns under the store's
write lock, so ids commit in increasing order and a consumer resumes after the last id it
took. Each alert sink keeps its delivered cursor as a row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from marsad.store.state import StateRows, chunks

# Placeholders as in state.STATE_SCHEMA, and {ID}: an increasing integer primary key.
FOLLOW_SCHEMA = """
CREATE TABLE IF NOT EXISTS follows (
  id {ID}, kind {T} NOT NULL, target {T} NOT NULL, filters {T} NOT NULL, anchor {T},
  created {T} NOT NULL, UNIQUE (kind, target, filters));
CREATE TABLE IF NOT EXISTS follow_seen (
  follow_id {I} NOT NULL, article_id {T} NOT NULL, PRIMARY KEY (follow_id, article_id)){WR};
CREATE TABLE IF NOT EXISTS follow_events (
  id {ID}, follow_id {I} NOT NULL, at {T} NOT NULL, kind {T} NOT NULL, story_id {T},
  item {T} NOT NULL, body {T} NOT NULL);
CREATE TABLE IF NOT EXISTS alert_cursors (
  sink {T} PRIMARY KEY, event_id {I} NOT NULL, failures INTEGER NOT NULL, error {T}, at {T});
CREATE INDEX IF NOT EXISTS pages_added ON pages(added_at);
CREATE INDEX IF NOT EXISTS follow_events_follow ON follow_events(follow_id, id);
"""
NEWEST = "follow_events_follow"  # the last object FOLLOW_SCHEMA makes: a store has it all
KINDS = ("story", "storyline", "search")


def now() -> str:
    """The current UTC time as the ISO text follows and events carry."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Follow:
    """A followed story or storyline (`anchor`: the article that founded it, which stays
    in the story however replays rename it) or saved search (`target` the query, `filters`
    its outlet)."""

    id: int
    kind: str
    target: str
    filters: dict = field(default_factory=dict)
    anchor: str | None = None
    created: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "target": self.target,
                "filters": dict(self.filters), "created": self.created}  # fmt: skip


@dataclass(frozen=True)
class Event:
    """One change a follower is told of; `body` says what it is (docs/follow.md)."""

    id: int
    follow_id: int
    at: str
    kind: str
    story_id: str | None
    item: str
    body: dict

    def to_dict(self) -> dict:
        return {**self.body, "id": self.id, "follow_id": self.follow_id, "at": self.at,
                "kind": self.kind, "story_id": self.story_id, "item": self.item}  # fmt: skip


_FOLLOW = "id, kind, target, filters, anchor, created"
_EVENT = "id, follow_id, at, kind, story_id, item, body"


def _follow(row: Sequence) -> Follow:
    fid, kind, target, filters, anchor, created = row
    return Follow(int(fid), kind, target, json.loads(filters), anchor, created)


def _event(row: Sequence) -> Event:
    eid, fid, at, kind, story, item, body = row
    return Event(int(eid), int(fid), at, kind, story, item, json.loads(body))


class FollowRows(StateRows):
    """The SQL of follows, events and cursors; a backend supplies the time conversions."""

    def _time_param(self, when: dt.datetime) -> object:
        """A UTC time as the backend compares it with `pages.added_at`."""
        raise NotImplementedError

    def _time_value(self, value: object) -> dt.datetime:
        """`pages.added_at` as an aware UTC datetime."""
        raise NotImplementedError

    # --- follows ----------------------------------------------------------------------------
    def follow_add(
        self, kind: str, target: str, filters: dict, anchor: str | None, seen: Iterable[str]
    ) -> tuple[Follow, bool]:
        """The follow (made now, with the articles its follower starts from), and whether
        it is new: following twice is one follow."""
        text = json.dumps(filters, ensure_ascii=False, sort_keys=True)
        sql = f"SELECT {_FOLLOW} FROM follows WHERE kind = ? AND target = ? AND filters = ?"
        if found := self._rows(sql, (kind, target, text)):
            return _follow(found[0]), False
        self._run(
            "INSERT INTO follows (kind, target, filters, anchor, created) VALUES (?,?,?,?,?)",
            (kind, target, text, anchor, now()),
        )
        made = _follow(self._rows(sql, (kind, target, text))[0])
        self.follow_saw(made.id, seen)
        return made, True

    def follow_remove(self, follow_id: int) -> bool:
        if not self._rows("SELECT 1 FROM follows WHERE id = ?", (follow_id,)):
            return False
        self._run("DELETE FROM follows WHERE id = ?", (follow_id,))
        self._run("DELETE FROM follow_seen WHERE follow_id = ?", (follow_id,))
        return True

    def follows(self) -> list[Follow]:
        return [_follow(r) for r in self._rows(f"SELECT {_FOLLOW} FROM follows ORDER BY id")]

    def follows_placed(self) -> list[tuple[Follow, str | None, str | None]]:
        """Every follow with the story now holding its anchor and that story's storyline:
        one query, whatever the number of stories."""
        rows = self._rows(
            f"SELECT {', '.join('f.' + c for c in _FOLLOW.split(', '))}, sa.story_id, l.line"
            " FROM follows f LEFT JOIN story_articles sa ON sa.article_id = f.anchor"
            " LEFT JOIN story_lines l ON l.story = sa.story_id ORDER BY f.id"
        )
        return [(_follow(r[:6]), r[6], r[7]) for r in rows]

    def follow_seen(self, follow_id: int, ids: Sequence[str]) -> set[str]:
        """Which of these articles the follower was told of."""
        sql = "SELECT article_id FROM follow_seen WHERE follow_id = ? AND article_id IN ({})"
        out: set[str] = set()
        for part in chunks(list(ids)):
            marks = ",".join("?" * len(part))
            out |= {r[0] for r in self._rows(sql.format(marks), [follow_id, *part])}
        return out

    def follow_saw(self, follow_id: int, ids: Iterable[str]) -> None:
        self._run_many(
            "INSERT INTO follow_seen VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(follow_id, aid) for aid in ids],
        )

    # --- events -----------------------------------------------------------------------------
    def add_events(self, events: Iterable[tuple[int, str, str | None, str, dict]]) -> None:
        """(follow id, kind, story id, item, body) rows, stamped now, in this order."""
        at = now()
        self._run_many(
            "INSERT INTO follow_events (follow_id, at, kind, story_id, item, body)"
            " VALUES (?,?,?,?,?,?)",
            [(fid, at, kind, story, item, json.dumps(body, ensure_ascii=False))
             for fid, kind, story, item, body in events],
        )  # fmt: skip

    def events(self, after: int = 0, limit: int = 100, follow_id: int | None = None) -> list[Event]:
        """Events with ids above `after`, oldest first."""
        where, args = ("AND follow_id = ? ", [follow_id]) if follow_id is not None else ("", [])
        rows = self._rows(
            f"SELECT {_EVENT} FROM follow_events WHERE id > ? {where}ORDER BY id LIMIT ?",
            [after, *args, limit],
        )
        return [_event(r) for r in rows]

    def last_event(self) -> int:
        return int(self._rows("SELECT COALESCE(MAX(id), 0) FROM follow_events")[0][0])

    # --- alert sinks ------------------------------------------------------------------------
    def alert_cursor(self, sink: str) -> tuple[int, int, str | None]:
        """(last delivered event id, failed rounds in a row, last error) of a sink; a new
        sink starts before the first event: it loses nothing recorded before it was set."""
        rows = self._rows("SELECT event_id, failures, error FROM alert_cursors WHERE sink = ?",
                          (sink,))  # fmt: skip
        return (int(rows[0][0]), int(rows[0][1]), rows[0][2]) if rows else (0, 0, None)

    def alert_mark(self, sink: str, event_id: int, failures: int, error: str | None) -> None:
        self._run(
            "INSERT INTO alert_cursors VALUES (?, ?, ?, ?, ?) ON CONFLICT (sink) DO UPDATE SET"
            " event_id = excluded.event_id, failures = excluded.failures,"
            " error = excluded.error, at = excluded.at",
            (sink, event_id, failures, error, now()),
        )

    # --- ingest times -----------------------------------------------------------------------
    def added_since(self, since: dt.datetime) -> list[tuple[str, str | None, dt.datetime]]:
        """(article id, story id, when its page was stored) of articles stored after
        `since`, oldest first (the pages' added_at index gives the range)."""
        rows = self._rows(
            "SELECT a.id, sa.story_id, p.added_at FROM pages p"
            " JOIN articles a ON a.page_id = p.id"
            " LEFT JOIN story_articles sa ON sa.article_id = a.id"
            " WHERE p.added_at > ? ORDER BY p.added_at, a.id",
            (self._time_param(since),),
        )
        return [(aid, sid, self._time_value(at)) for aid, sid, at in rows]

    def added_at(self, ids: Sequence[str]) -> dict[str, dt.datetime]:
        """When each of these articles' pages was stored."""
        rows = self._in(
            "SELECT a.id, p.added_at FROM articles a JOIN pages p ON p.id = a.page_id"
            " WHERE a.id IN ({})",
            ids,
        )
        return {aid: self._time_value(at) for aid, at in rows}
