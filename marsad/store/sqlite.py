"""SQLite backend: the embedded default, one file, no server."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from marsad.model import Article, Dropped, DuplicatePair, Extraction, Failure, Story
from marsad.query import (
    INDEX_VERSION,
    STATE_KEY,
    TITLE_WEIGHT,
    Analyzed,
    Filters,
    Phrase,
    Query,
    Term,
    analyze,
)
from marsad.store import rows as codec
from marsad.store.base import Store
from marsad.store.follows import FOLLOW_SCHEMA, NEWEST
from marsad.store.state import NEWEST_TABLE, STATE_SCHEMA

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
  id TEXT PRIMARY KEY, source_path TEXT, kind TEXT, encoding TEXT, source_id TEXT,
  url TEXT, outlet TEXT, published TEXT, title TEXT, n_articles INTEGER,
  added_at TEXT DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS articles (
  id TEXT PRIMARY KEY, page_id TEXT NOT NULL REFERENCES pages(id), position INTEGER NOT NULL,
  title TEXT, body TEXT, published TEXT, outlet TEXT, credits TEXT, source_id TEXT, url TEXT,
  source_path TEXT);
CREATE INDEX IF NOT EXISTS articles_order ON articles(published, id);
CREATE TABLE IF NOT EXISTS drops (
  page_id TEXT NOT NULL, reason TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (page_id, reason));
CREATE TABLE IF NOT EXISTS dropped_lines (
  page_id TEXT NOT NULL, seq INTEGER NOT NULL, line_no INTEGER NOT NULL, text TEXT NOT NULL,
  reason TEXT NOT NULL, PRIMARY KEY (page_id, seq));
CREATE TABLE IF NOT EXISTS failures (
  source_path TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS duplicates (
  a TEXT NOT NULL, b TEXT NOT NULL, kind TEXT NOT NULL, similarity REAL,
  shared TEXT, added_a TEXT, added_b TEXT, PRIMARY KEY (a, b));
CREATE INDEX IF NOT EXISTS duplicates_b ON duplicates(b);
CREATE TABLE IF NOT EXISTS stories (
  id TEXT PRIMARY KEY, title TEXT, outlets TEXT, start TEXT, "end" TEXT, size INTEGER);
CREATE TABLE IF NOT EXISTS story_articles (
  article_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, position INTEGER);
CREATE INDEX IF NOT EXISTS story_articles_story ON story_articles(story_id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value BLOB);
{state}
{follows}
CREATE TABLE IF NOT EXISTS search_docs (
  rowid INTEGER PRIMARY KEY, article_id TEXT UNIQUE NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
  title_f, body_f, title_p, body_p, content='', tokenize='ascii');
"""
_TYPES = {"T": "TEXT", "R": "REAL", "I": "INTEGER", "WR": " WITHOUT ROWID"}
SCHEMA = SCHEMA.replace("{state}", STATE_SCHEMA.format(**_TYPES)).replace(
    "{follows}", FOLLOW_SCHEMA.format(ID="INTEGER PRIMARY KEY AUTOINCREMENT", **_TYPES)
)
ADDED_AT = "%Y-%m-%d %H:%M:%f"  # pages.added_at: UTC to the millisecond, sorts as text
# search_fts holds pre-analysed words (marsad.search): per word all its forms (…_f columns)
# and its canonical form (…_p, for phrases). Contentless: snippets come from articles.body.


class SQLiteStore(Store):
    def __init__(self, path: str | Path = "marsad.db") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are explicit (`transaction`), so one ingest chunk is
        # one transaction however many store calls it makes.
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=0.2)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        # Only a file without the newest schema runs the DDL (under the write lock): readers
        # open a store while an ingest holds it.
        newest = "SELECT 1 FROM sqlite_master WHERE name = ?"
        current = (NEWEST_TABLE, NEWEST)  # the last objects each schema part makes
        if not all(self.db.execute(newest, (name,)).fetchone() for name in current):
            with self.transaction():
                for statement in SCHEMA.split(";"):
                    self.db.execute(statement)
        self._opened()

    # --- transactions ---------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._begin()
        try:
            yield
        except BaseException:
            if self.db.in_transaction:  # SQLite itself rolls back on some errors (disk full)
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _begin(self) -> None:
        """BEGIN IMMEDIATE takes the store's write lock now, not at the first write, so
        two writers take turns instead of one failing halfway; the wait is announced."""
        waited = False
        while True:
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if not waited:
                    self.waiting(f"waiting for another writer on {self.path} …")
                    waited = True
                time.sleep(0.05)
                continue
            return

    def _rows(self, sql: str, args: Sequence = ()) -> list[tuple]:
        return self.db.execute(sql, args).fetchall()

    def _run(self, sql: str, args: Sequence = ()) -> None:
        self.db.execute(sql, args)

    def _run_many(self, sql: str, rows: Iterable[Sequence]) -> None:
        self.db.executemany(sql, rows)

    def _time_param(self, when: dt.datetime) -> object:
        return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]

    def _time_value(self, value: object) -> dt.datetime:
        """Older stores wrote whole seconds (CURRENT_TIMESTAMP); both forms read back."""
        return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)

    # --- pages and articles -------------------------------------------------------------
    def has_page(self, page_id: str) -> bool:
        row = self.db.execute("SELECT 1 FROM pages WHERE id = ?", (page_id,)).fetchone()
        return row is not None

    def add_extraction(self, extraction: Extraction) -> bool:
        page = extraction.page
        with self.transaction():  # the page with all its articles and drops, or nothing
            cur = self.db.execute(
                "INSERT OR IGNORE INTO pages (id, source_path, kind, encoding, source_id, url,"
                " outlet, published, title, n_articles, added_at)"
                f" VALUES (?,?,?,?,?,?,?,?,?,?, strftime('{ADDED_AT}', 'now'))",
                codec.page_row(extraction),
            )
            if cur.rowcount == 0:
                return False
            self.db.executemany(
                f"INSERT INTO articles ({codec.ARTICLE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                codec.article_rows(extraction),
            )
            self.db.executemany(
                "INSERT INTO drops (page_id, reason, n) VALUES (?,?,?)",
                [(page.id, reason, n) for reason, n in extraction.drop_counts().items()],
            )
            self.db.executemany(
                "INSERT INTO dropped_lines VALUES (?,?,?,?,?)",
                codec.dropped_rows(extraction),
            )
            self.db.execute("DELETE FROM failures WHERE source_path = ?", (page.source_path,))
            self._index(extraction.articles, extraction.analyzed)
        return True

    def _index(self, articles: Iterable[Article], analyzed: list | None = None) -> int:
        n = 0
        for i, a in enumerate(articles):
            title, body = analyzed[i] if analyzed else analyze(a)
            cur = self.db.execute("INSERT INTO search_docs (article_id) VALUES (?)", (a.id,))
            self.db.execute(
                "INSERT INTO search_fts (rowid, title_f, body_f, title_p, body_p)"
                " VALUES (?,?,?,?,?)",
                (
                    cur.lastrowid,
                    _flat(title),
                    _flat(body),
                    " ".join(title.canon),
                    " ".join(body.canon),
                ),
            )
            n += 1
        return n

    def add_failure(self, failure: Failure) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO failures (source_path, reason) VALUES (?, ?)",
                (failure.source_path, failure.reason),
            )

    def failures(self) -> list[Failure]:
        rows = self.db.execute("SELECT source_path, reason FROM failures ORDER BY source_path")
        return [Failure(*row) for row in rows]

    def articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        if ids is None:
            order = " ORDER BY published IS NULL, published, id"
            rows = self.db.execute(f"SELECT {codec.ARTICLE_COLUMNS} FROM articles{order}")
            yield from (codec.article(row) for row in rows)
            return
        wanted = list(dict.fromkeys(ids))
        rows = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows += self.db.execute(
                f"SELECT {codec.ARTICLE_COLUMNS} FROM articles WHERE id IN ({marks})", chunk
            ).fetchall()
        rows.sort(key=lambda r: (r[5] is None, r[5] or "", r[0]))  # (published, id) overall
        yield from (codec.article(row) for row in rows)

    def article(self, article_id: str) -> Article | None:
        return next(self.articles([article_id]), None)

    def counts(self) -> dict[str, int]:
        tables = ("pages", "articles", "failures", "stories", "duplicates")
        return {t: self.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}

    def drop_counts(self) -> Counter[str]:
        rows = self.db.execute("SELECT reason, SUM(n) FROM drops GROUP BY reason")
        return Counter(dict(rows.fetchall()))

    def dropped(self, page_id: str) -> list[Dropped]:
        rows = self.db.execute(
            "SELECT line_no, text, reason FROM dropped_lines WHERE page_id = ? ORDER BY seq",
            (page_id,),
        )
        return [Dropped(*row) for row in rows]

    # --- duplicates and stories ---------------------------------------------------------
    def add_duplicates(self, pairs: Iterable[DuplicatePair]) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO duplicates VALUES (?,?,?,?,?,?,?)",
                [codec.duplicate_row(p) for p in pairs],
            )

    def duplicates(self, article_ids: Iterable[str] | None = None) -> list[DuplicatePair]:
        sql = "SELECT a, b, kind, similarity, shared, added_a, added_b FROM duplicates"
        if article_ids is None:
            rows = self.db.execute(sql + " ORDER BY a, b").fetchall()
        else:
            ids = list(dict.fromkeys(article_ids))
            rows = []
            for start in range(0, len(ids), 400):
                chunk = ids[start : start + 400]
                marks = ",".join("?" * len(chunk))
                rows += self.db.execute(
                    f"{sql} WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk
                ).fetchall()
            rows = sorted(set(rows))
        return [codec.duplicate(row) for row in rows]

    def clear_duplicates(self) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM duplicates")

    def save_stories(self, stories: Iterable[Story]) -> None:
        with self.transaction():
            for s in stories:
                self.db.execute(
                    'INSERT OR REPLACE INTO stories (id, title, outlets, start, "end", size)'
                    " VALUES (?,?,?,?,?,?)",
                    codec.story_row(s),
                )
                self.db.execute("DELETE FROM story_articles WHERE story_id = ?", (s.id,))
                self.db.executemany(
                    "INSERT OR REPLACE INTO story_articles VALUES (?,?,?)",
                    [(aid, s.id, i) for i, aid in enumerate(s.article_ids)],
                )

    def delete_stories(self, story_ids: Iterable[str]) -> None:
        with self.transaction():
            for sid in story_ids:
                self.db.execute("DELETE FROM stories WHERE id = ?", (sid,))
                self.db.execute("DELETE FROM story_articles WHERE story_id = ?", (sid,))

    def stories(self) -> list[Story]:
        return self._stories("")

    def story(self, story_id: str) -> Story | None:
        found = self._stories(" WHERE id = ?", (story_id,))
        return found[0] if found else None

    def story_of(self, article_id: str) -> Story | None:
        row = self.db.execute(
            "SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return None if row is None else self.story(row[0])

    def _stories(self, where: str, args: tuple = ()) -> list[Story]:
        rows = self.db.execute(
            f'SELECT id, title, outlets, start, "end", line FROM stories'
            f" LEFT JOIN story_lines ON story = id{where}"
            " ORDER BY size DESC, start, id",
            args,
        ).fetchall()
        members: dict[str, list[str]] = {row[0]: [] for row in rows}
        if where:
            links = self.db.execute(
                "SELECT story_id, article_id FROM story_articles WHERE story_id = ?"
                " ORDER BY position",
                args,
            )
        else:
            links = self.db.execute(
                "SELECT story_id, article_id FROM story_articles ORDER BY story_id, position"
            )
        for sid, aid in links:
            if sid in members:
                members[sid].append(aid)
        return [codec.story(row, members[row[0]]) for row in rows]

    # --- search ---------------------------------------------------------------------------
    def search_articles(
        self, query: Query, filters: Filters, limit: int, offset: int
    ) -> list[tuple[str, float, str | None]]:
        # Articles and stories are joined only for the filters that need them: on common
        # words that join costs as much as the ranking itself.
        joins, where, args = "", "", []
        for sql, value in (
            (" AND a.outlet = ?", filters.outlet),
            (" AND substr(a.published, 1, 10) >= ?", filters.since),
            (" AND substr(a.published, 1, 10) <= ?", filters.until),
        ):
            if value is not None:
                joins, where = " JOIN articles a ON a.id = d.article_id", where + sql
                args.append(value)
        if filters.story_id is not None:
            joins += " JOIN story_articles sa ON sa.article_id = d.article_id"
            where += " AND sa.story_id = ?"
            args.append(filters.story_id)
        w = TITLE_WEIGHT
        rows = self.db.execute(
            f"SELECT d.article_id, -bm25(search_fts, {w}, 1, {w}, 1) AS score"
            f" FROM search_fts JOIN search_docs d ON d.rowid = search_fts.rowid{joins}"
            f" WHERE search_fts MATCH ?{where} ORDER BY score DESC, d.article_id LIMIT ? OFFSET ?",
            [_fts5(query), *args, limit, offset],
        ).fetchall()
        stories: dict[str, str] = {}
        for start in range(0, len(rows), 500):
            chunk = [aid for aid, _ in rows[start : start + 500]]
            stories.update(
                self.db.execute(
                    "SELECT article_id, story_id FROM story_articles WHERE article_id IN"
                    f" ({','.join('?' * len(chunk))})",
                    chunk,
                )
            )
        return [(aid, score, stories.get(aid)) for aid, score in rows]

    def reindex(self) -> int:
        with self.transaction():
            self.db.execute("DELETE FROM search_docs")
            self.db.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
            n = self._index(self.articles())
            self.set_state(STATE_KEY, INDEX_VERSION.encode())
        return n

    def close(self) -> None:
        self.db.close()


def _flat(field: Analyzed) -> str:
    return " ".join(f for word in field.forms for f in sorted(word))


def _fts5(query: Query) -> str:
    """FTS5 MATCH text: every term quoted, so no user input is read as FTS5 syntax."""

    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    def alternative(alt: Term | Phrase) -> str:
        if isinstance(alt, Term):
            return "{title_f body_f} : (" + " OR ".join(map(quoted, alt.forms)) + ")"
        return "{title_p body_p} : " + quoted(" ".join(alt.canon))

    return " AND ".join(
        "(" + " OR ".join(map(alternative, clause)) + ")" for clause in query.clauses
    )
