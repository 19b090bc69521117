"""State of the stateful stages as indexed rows, one SQL text for both backends.

The duplicate index (who was seen, first body per exact key, LSH buckets), the story
clusterer (the time-ordered log of placed articles and their term vectors) and the queue
of articles still to process live here as rows that each ingest reads and writes per
candidate, inside the same transaction as the articles they come from. Nothing is a blob
to load whole, and nothing read back is ever executed: values are numbers, ids and JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from marsad.model import Notice

# Placeholders {T} text, {R} float, {I} 64-bit int, {WR} "WITHOUT ROWID" where supported.
STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS dedup_docs (article_id {T} PRIMARY KEY, exact_key {T}, at {R});
CREATE INDEX IF NOT EXISTS dedup_docs_key ON dedup_docs(exact_key);
CREATE TABLE IF NOT EXISTS dedup_exact (exact_key {T} PRIMARY KEY, article_id {T} NOT NULL);
CREATE TABLE IF NOT EXISTS dedup_bands (
  bucket {I} NOT NULL, article_id {T} NOT NULL, PRIMARY KEY (bucket, article_id)){WR};
CREATE TABLE IF NOT EXISTS cluster_log (
  article_id {T} PRIMARY KEY, ts {R} NOT NULL, at {R} NOT NULL, published {T}, outlet {T},
  story {T} NOT NULL, title {T});
CREATE INDEX IF NOT EXISTS cluster_log_key ON cluster_log(ts, article_id);
CREATE INDEX IF NOT EXISTS cluster_log_at ON cluster_log(at);
CREATE INDEX IF NOT EXISTS cluster_log_story ON cluster_log(story, ts, article_id);
CREATE TABLE IF NOT EXISTS cluster_vectors (
  article_id {T} PRIMARY KEY, title {T}, terms {T} NOT NULL);
CREATE TABLE IF NOT EXISTS pending (article_id {T} PRIMARY KEY, published {T});
CREATE INDEX IF NOT EXISTS pending_at ON pending(published, article_id);
CREATE TABLE IF NOT EXISTS notices (
  source_path {T} NOT NULL, seq INTEGER NOT NULL, message {T} NOT NULL,
  PRIMARY KEY (source_path, seq));
CREATE TABLE IF NOT EXISTS digests (story_id {T} PRIMARY KEY, key {T} NOT NULL, body {T});
CREATE TABLE IF NOT EXISTS story_sigs (
  story {T} PRIMARY KEY, start {R}, stop {R}, terms {T} NOT NULL);
CREATE TABLE IF NOT EXISTS story_terms (
  term {T} NOT NULL, start {R} NOT NULL, story {T} NOT NULL,
  PRIMARY KEY (term, start, story)){WR};
CREATE INDEX IF NOT EXISTS story_terms_story ON story_terms(story);
CREATE TABLE IF NOT EXISTS story_links (
  a {T} NOT NULL, b {T} NOT NULL, score {R}, PRIMARY KEY (a, b)){WR};
CREATE INDEX IF NOT EXISTS story_links_b ON story_links(b);
CREATE TABLE IF NOT EXISTS story_lines (story {T} PRIMARY KEY, line {T} NOT NULL);
CREATE INDEX IF NOT EXISTS story_lines_line ON story_lines(line);
CREATE TABLE IF NOT EXISTS inferred_days (
  article_id {T} PRIMARY KEY, story {T} NOT NULL, day {T} NOT NULL, basis {T} NOT NULL,
  evidence {T} NOT NULL);
CREATE INDEX IF NOT EXISTS inferred_days_story ON inferred_days(story);
CREATE TABLE IF NOT EXISTS source_keys (
  key {T} PRIMARY KEY, label {T} NOT NULL, anonymous INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS seen (key {T} PRIMARY KEY, version {T} NOT NULL, at {R});
CREATE TABLE IF NOT EXISTS partitions (key {T} PRIMARY KEY, path {T} NOT NULL, pages {I});
"""
NEWEST_TABLE = "partitions"  # a store without it was made by an older marsad: run the DDL
# Stage state of marsad ≤ 0.1 kept as pickled / compressed blobs under these keys of the
# `state` table. They are deleted unread on open; the stages rebuild from stored articles.
LEGACY_STATE_KEYS = ("dedup", "cluster")
CHUNK = 500  # ids per IN (...) list: under every SQLite build's variable limit


@dataclass
class Entry:
    """One placed article in the clusterer's log; `title` is its story's title right after
    it joined. `ts` is inf when undated; `at` is the time it counts at (undated articles
    take the newest date before them)."""

    id: str
    ts: float
    at: float
    published: str | None
    outlet: str | None
    story: str
    title: str

    def key(self) -> tuple[float, str]:
        return (self.ts, self.id)

    def row(self) -> tuple:
        return (self.id, _real(self.ts), self.at, self.published, self.outlet, self.story,
                self.title)  # fmt: skip


_ENTRY = "article_id, ts, at, published, outlet, story, title"
_FAR = 1e300  # stands for an undated article's infinite time in SQL (portable, indexable)


def _real(ts: float) -> float:
    return _FAR if ts == math.inf else ts


def _entry(row: Sequence) -> Entry:
    aid, ts, at, published, outlet, story, title = row
    return Entry(aid, math.inf if ts >= _FAR else ts, at, published, outlet, story, title or "")


def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class StateRows:
    """The state tables' SQL, written once with `?` marks; a backend supplies `_rows`,
    `_run` and `_run_many` (PostgreSQL turns the marks into its own)."""

    def _rows(self, sql: str, args: Sequence = ()) -> list[tuple]:
        raise NotImplementedError

    def _run(self, sql: str, args: Sequence = ()) -> None:
        raise NotImplementedError

    def _run_many(self, sql: str, rows: Iterable[Sequence]) -> None:
        raise NotImplementedError

    def _in(self, sql: str, ids: Sequence, extra: Sequence = ()) -> list[tuple]:
        """Rows of `sql` whose `IN ({})` takes `ids`, chunked."""
        out: list[tuple] = []
        for part in chunks(list(ids)):
            out += self._rows(sql.format(",".join("?" * len(part))), [*part, *extra])
        return out

    # --- publish days inferred for undated articles (marsad.dates.infer) -------------------
    def cluster_undated(self, stories: Sequence[str]) -> dict[str, list[str]]:
        """The undated articles of each of these stories."""
        sql = "SELECT story, article_id FROM cluster_log WHERE story IN ({}) AND ts >= ?"
        out: dict[str, list[str]] = {}
        for story, aid in self._in(sql, stories, (_FAR,)):
            out.setdefault(story, []).append(aid)
        return out

    def inferred_put(self, story: str, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """(article id, day, basis, evidence) of one story's undated articles."""
        self._run_many(
            "INSERT INTO inferred_days VALUES (?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE"
            " SET story = excluded.story, day = excluded.day, basis = excluded.basis,"
            " evidence = excluded.evidence",
            [(aid, story, day, basis, evidence) for aid, day, basis, evidence in rows],
        )

    def inferred_drop(self, stories: Sequence[str]) -> None:
        for part in chunks(list(stories)):
            marks = ",".join("?" * len(part))
            self._run(f"DELETE FROM inferred_days WHERE story IN ({marks})", part)

    def inferred_days(self, article_ids: Sequence[str]) -> dict[str, tuple[str, str, str]]:
        """Article id → (day, basis, evidence) for those with an inferred publish day."""
        sql = "SELECT article_id, day, basis, evidence FROM inferred_days WHERE article_id IN ({})"
        return {aid: (day, basis, why) for aid, day, basis, why in self._in(sql, article_ids)}

    def inferred_spans(self, stories: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Story id → (first, last) inferred day of its undated articles."""
        sql = "SELECT story, MIN(day), MAX(day) FROM inferred_days WHERE story IN ({})"
        sql += " GROUP BY story"
        return {story: (first, last) for story, first, last in self._in(sql, stories)}

    # --- sources of unnamed pages (marsad.sources) ----------------------------------------
    def sources_of(self, keys: Sequence[str]) -> dict[str, str]:
        """The source each known template line belongs to."""
        return dict(self._in("SELECT key, label FROM source_keys WHERE key IN ({})", keys))

    def sources_add(self, rows: Iterable[tuple[str, str, bool]]) -> None:
        """(template line, source label, anonymous); a line keeps its first source."""
        self._run_many(
            "INSERT INTO source_keys VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
            [(k, label, int(anon)) for k, label, anon in rows],
        )

    def sources_anonymous(self) -> int:
        """How many anonymous sources there are."""
        sql = "SELECT COUNT(DISTINCT label) FROM source_keys WHERE anonymous = 1"
        return self._rows(sql)[0][0]

    # --- duplicate index ------------------------------------------------------------------
    def dedup_seen(self, ids: Sequence[str]) -> set[str]:
        sql = "SELECT article_id FROM dedup_docs WHERE article_id IN ({})"
        return {r[0] for r in self._in(sql, ids)}

    def dedup_first(self, exact_key: str, article_id: str) -> str:
        """The first article with this body key (this one when it is the first)."""
        self._run(
            "INSERT INTO dedup_exact VALUES (?, ?) ON CONFLICT (exact_key) DO NOTHING",
            (exact_key, article_id),
        )
        sql = "SELECT article_id FROM dedup_exact WHERE exact_key = ?"
        return self._rows(sql, (exact_key,))[0][0]

    def dedup_candidates(
        self, buckets: Sequence[int], near: tuple[float, float] | None = None
    ) -> set[str]:
        """Articles sharing a bucket; with `near` (earliest, latest epoch seconds), only
        those published then or undated: a template recurring for months stays cheap."""
        if near is None:
            rows = self._in("SELECT article_id FROM dedup_bands WHERE bucket IN ({})", buckets)
        else:
            rows = self._in(
                "SELECT b.article_id FROM dedup_bands b JOIN dedup_docs d"
                " ON d.article_id = b.article_id WHERE b.bucket IN ({})"
                " AND (d.at IS NULL OR d.at BETWEEN ? AND ?)",
                buckets,
                near,
            )
        return {r[0] for r in rows}

    def dedup_add(
        self,
        article_id: str,
        exact_key: str | None,
        buckets: Sequence[int],
        when: float | None = None,
    ) -> None:
        self._run("INSERT INTO dedup_docs VALUES (?, ?, ?)", (article_id, exact_key, when))
        self._run_many(
            "INSERT INTO dedup_bands VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(b, article_id) for b in buckets],
        )

    def dedup_group(self, exact_key: str) -> list[str]:
        """Every article indexed with this body key."""
        sql = "SELECT article_id FROM dedup_docs WHERE exact_key = ? ORDER BY article_id"
        return [r[0] for r in self._rows(sql, (exact_key,))]

    def dedup_swap(self, exact_key: str, old: str, new: str, buckets: Sequence[int]) -> None:
        """`new` (an earlier copy) now stands for the body: `old`'s bucket rows (same words,
        same `buckets`) become its, and `old`'s pairs are withdrawn to be made again."""
        self._run("UPDATE dedup_exact SET article_id = ? WHERE exact_key = ?", (new, exact_key))
        for part in chunks(list(buckets)):
            marks = ",".join("?" * len(part))
            self._run(
                f"UPDATE dedup_bands SET article_id = ? WHERE bucket IN ({marks})"
                " AND article_id = ?",
                [new, *part, old],
            )
        self._run("DELETE FROM duplicates WHERE a = ? OR b = ?", (old, old))

    def dedup_clear(self) -> None:
        for table in ("dedup_docs", "dedup_exact", "dedup_bands"):
            self._run(f"DELETE FROM {table}")

    # --- story clusterer ------------------------------------------------------------------
    def cluster_known(self, ids: Sequence[str]) -> set[str]:
        sql = "SELECT article_id FROM cluster_log WHERE article_id IN ({})"
        return {r[0] for r in self._in(sql, ids)}

    def cluster_from(
        self, key: tuple[float, str], limit: int, inclusive: bool = True
    ) -> list[Entry]:
        """Up to `limit` log entries from `key` on (that one included unless not
        `inclusive`), in log order."""
        op = ">=" if inclusive else ">"
        rows = self._rows(  # a row-value comparison: an index range on both backends
            f"SELECT {_ENTRY} FROM cluster_log WHERE (ts, article_id) {op} (?, ?)"
            " ORDER BY ts, article_id LIMIT ?",
            (_real(key[0]), key[1], limit),
        )
        return [_entry(r) for r in rows]

    def cluster_before(self, key: tuple[float, str]) -> Entry | None:
        """The last log entry before `key`."""
        rows = self._rows(
            f"SELECT {_ENTRY} FROM cluster_log WHERE (ts, article_id) < (?, ?)"
            " ORDER BY ts DESC, article_id DESC LIMIT 1",
            (_real(key[0]), key[1]),
        )
        return _entry(rows[0]) if rows else None

    def cluster_since(self, at: float, key: tuple[float, str]) -> list[Entry]:
        """Entries counted at `at` or later and logged before `key`, in log order."""
        ts = _real(key[0])
        # ts >= at always (undated: ts is far), so the (ts, id) index gives the range.
        rows = self._rows(
            f"SELECT {_ENTRY} FROM cluster_log WHERE at >= ? AND ts >= ?"
            " AND (ts, article_id) < (?, ?) ORDER BY ts, article_id",
            (at, at, ts, key[1]),
        )
        return [_entry(r) for r in rows]

    def cluster_vectors(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, float]]]:
        """Stored (title, term weights) of these articles; pruned ones are absent."""
        rows = self._in(
            "SELECT article_id, title, terms FROM cluster_vectors WHERE article_id IN ({})", ids
        )
        return {aid: (title or "", dict(json.loads(terms))) for aid, title, terms in rows}

    def cluster_apply(
        self, entries: Sequence[Entry], vectors: Sequence[tuple[str, str, dict[str, float]]]
    ) -> None:
        """Insert or replace log entries (a replay moves some), and store new vectors."""
        self._run_many(
            f"INSERT INTO cluster_log ({_ENTRY}) VALUES (?,?,?,?,?,?,?) ON CONFLICT (article_id)"
            " DO UPDATE SET at = excluded.at, story = excluded.story, title = excluded.title",
            [e.row() for e in entries],
        )
        self._run_many(
            "INSERT INTO cluster_vectors VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(aid, title, json.dumps(list(terms.items()), ensure_ascii=False))
             for aid, title, terms in vectors],
        )  # fmt: skip

    def cluster_members(self, story: str) -> list[Entry]:
        rows = self._rows(
            f"SELECT {_ENTRY} FROM cluster_log WHERE story = ? ORDER BY ts, article_id", (story,)
        )
        return [_entry(r) for r in rows]

    def cluster_clear(self) -> None:
        for table in ("cluster_log", "cluster_vectors"):
            self._run(f"DELETE FROM {table}")

    def cluster_story_ids(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT DISTINCT story FROM cluster_log ORDER BY story")]

    # --- storylines (marsad.cluster.storylines) --------------------------------------------
    def line_clear(self) -> None:
        for table in ("story_sigs", "story_terms", "story_links", "story_lines"):
            self._run(f"DELETE FROM {table}")

    def line_neighbours(self, stories: Sequence[str]) -> set[str]:
        """Stories linked to any of these (links are kept both ways)."""
        return {r[0] for r in self._in("SELECT b FROM story_links WHERE a IN ({})", stories)}

    def line_drop(self, story: str) -> None:
        """Forget a story's signature and links (its storyline name stays until renamed)."""
        self._run("DELETE FROM story_sigs WHERE story = ?", (story,))
        self._run("DELETE FROM story_terms WHERE story = ?", (story,))
        self._run("DELETE FROM story_links WHERE a = ?", (story,))
        self._run("DELETE FROM story_links WHERE b = ?", (story,))

    def line_put(
        self, story: str, start: float, stop: float, terms: dict[str, float], index: Sequence[str]
    ) -> None:
        """A story's signature (`terms`), and its `index` terms under the (term, start) index."""
        self._run(
            "INSERT INTO story_sigs VALUES (?, ?, ?, ?)",
            (story, start, stop, json.dumps(list(terms.items()), ensure_ascii=False)),
        )
        self._run_many(
            "INSERT INTO story_terms VALUES (?, ?, ?)", [(term, start, story) for term in index]
        )

    def line_candidates(self, index: Sequence[str], lo: float, hi: float) -> list[str]:
        """Stories starting in [lo, hi] that index one of these terms."""
        if not index:
            return []
        marks = ",".join("?" * len(index))
        rows = self._rows(
            f"SELECT DISTINCT story FROM story_terms WHERE term IN ({marks})"
            " AND start BETWEEN ? AND ? ORDER BY story",
            [*index, lo, hi],
        )
        return [r[0] for r in rows]

    def line_signatures(
        self, stories: Sequence[str]
    ) -> list[tuple[str, float, float, dict[str, float]]]:
        """(story, start, stop, signature terms) of these stories."""
        rows = self._in(
            "SELECT story, start, stop, terms FROM story_sigs WHERE story IN ({}) ORDER BY story",
            stories,
        )
        return [(story, start, stop, dict(json.loads(terms))) for story, start, stop, terms in rows]

    def line_link(self, story: str, links: Sequence[tuple[str, float]]) -> None:
        self._run_many(
            "INSERT INTO story_links VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [r for other, score in links for r in ((story, other, score), (other, story, score))],
        )

    def line_name(self, component: set[str]) -> set[str]:
        """Name a connected component after its earliest story (none when it is one story);
        the stories whose storyline changed."""
        ids = sorted(component)
        sigs = self._in("SELECT story, start FROM story_sigs WHERE story IN ({})", ids)
        name = min(((start, story) for story, start in sigs), default=(0.0, None))[1]
        if len(sigs) < 2:
            name = None
        old = dict(self._in("SELECT story, line FROM story_lines WHERE story IN ({})", ids))
        changed = {s for s in ids if old.get(s) != name}
        for part in chunks(sorted(changed)):
            marks = ",".join("?" * len(part))
            self._run(f"DELETE FROM story_lines WHERE story IN ({marks})", part)
        if name is not None:
            self._run_many("INSERT INTO story_lines VALUES (?, ?)", [(s, name) for s in changed])
        return changed

    def storylines(self, line: str | None = None) -> dict[str, list[str]]:
        """Storyline id -> its stories, earliest first (all, or just `line`)."""
        rows = self._rows(
            "SELECT l.line, l.story FROM story_lines l JOIN story_sigs g ON g.story = l.story"
            + (" WHERE l.line = ?" if line else "")
            + " ORDER BY l.line, g.start, l.story",
            (line,) if line else (),
        )
        out: dict[str, list[str]] = {}
        for line, story in rows:
            out.setdefault(line, []).append(story)
        return out

    # --- work queue -------------------------------------------------------------------------
    def pending_add(self, articles: Iterable[tuple[str, str | None]]) -> None:
        """Queue (article id, published) for the duplicate index and the clusterer."""
        self._run_many("INSERT INTO pending VALUES (?, ?) ON CONFLICT DO NOTHING", list(articles))

    def pending_all(self) -> int:
        """Queue every stored article for the stages (their state is being rebuilt)."""
        self._run(
            "INSERT INTO pending SELECT id, published FROM articles"
            " WHERE true ON CONFLICT DO NOTHING"
        )
        return self.pending_count()

    def pending(self, limit: int) -> list[str]:
        """The oldest queued article ids (time order keeps replays short)."""
        sql = (
            "SELECT article_id FROM pending"
            " ORDER BY published IS NULL, published, article_id LIMIT ?"
        )
        return [r[0] for r in self._rows(sql, (limit,))]

    def pending_done(self, ids: Sequence[str]) -> None:
        for part in chunks(list(ids)):
            marks = ",".join("?" * len(part))
            self._run(f"DELETE FROM pending WHERE article_id IN ({marks})", part)

    def pending_count(self) -> int:
        return self._rows("SELECT COUNT(*) FROM pending")[0][0]

    # --- partitions of a cluster ingest (marsad.scale) -------------------------------------
    def partition_pages(self, key: str) -> int | None:
        """Pages read from a stored partition; None when it was not stored whole."""
        rows = self._rows("SELECT pages FROM partitions WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def partition_done(self, key: str, path: str, pages: int) -> None:
        """Record a partition as stored, in the transaction that stores its pages."""
        self._run(
            "INSERT INTO partitions VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (key, path, pages)
        )

    # --- notices ----------------------------------------------------------------------------
    def add_notices(self, notices: Sequence[Notice]) -> None:
        self._run_many(
            "INSERT INTO notices VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(n.source_path, i, n.message) for i, n in enumerate(notices)],
        )

    def notices(self) -> list[Notice]:
        rows = self._rows("SELECT source_path, message FROM notices ORDER BY source_path, seq")
        return [Notice(*row) for row in rows]

    # --- digests ----------------------------------------------------------------------------
    def cached_digest(self, story_id: str, key: str) -> dict | None:
        rows = self._rows("SELECT key, body FROM digests WHERE story_id = ?", (story_id,))
        return json.loads(rows[0][1]) if rows and rows[0][0] == key else None

    def cache_digest(self, story_id: str, key: str, digest: dict) -> None:
        self._run(
            "INSERT INTO digests VALUES (?, ?, ?) ON CONFLICT (story_id) DO UPDATE"
            " SET key = excluded.key, body = excluded.body",
            (story_id, key, json.dumps(digest, ensure_ascii=False)),
        )

    # --- what a watcher has read (marsad.watch): item key -> version ----------------------
    def seen_versions(self, keys: Sequence[str]) -> dict[str, str]:
        return dict(self._in("SELECT key, version FROM seen WHERE key IN ({})", keys))

    def seen_put(self, rows: Iterable[tuple[str, str]], at: float) -> None:
        self._run_many(
            "INSERT INTO seen VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET version = excluded.version, at = excluded.at",
            [(key, version, at) for key, version in rows],
        )

    # --- small values (fingerprints, versions); never code, never a pickle ---------------
    def get_state(self, key: str) -> bytes | None:
        rows = self._rows("SELECT value FROM state WHERE key = ?", (key,))
        return bytes(rows[0][0]) if rows else None

    def set_state(self, key: str, value: bytes) -> None:
        self._run(
            "INSERT INTO state VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
