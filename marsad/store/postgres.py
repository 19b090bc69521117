"""PostgreSQL backend: the same tables and semantics as SQLite, for a shared server.

Text columns use the "C" collation so ids and ISO times sort by code point, exactly as
SQLite orders them; NULLs sort first in ascending order as they do in SQLite.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

import psycopg
from psycopg.adapt import Dumper
from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

from marsad import search
from marsad.model import Article, Dropped, DuplicatePair, Extraction, Failure, Story
from marsad.store import pgsearch
from marsad.store import rows as codec
from marsad.store.base import Store
from marsad.store.follows import FOLLOW_SCHEMA, NEWEST
from marsad.store.state import STATE_SCHEMA

T = 'TEXT COLLATE "C"'
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS pages (
  id {T} PRIMARY KEY, source_path {T}, kind {T}, encoding {T}, source_id {T},
  url {T}, outlet {T}, published {T}, title {T}, n_articles INTEGER,
  added_at TIMESTAMPTZ DEFAULT now());
CREATE TABLE IF NOT EXISTS articles (
  id {T} PRIMARY KEY, page_id {T} NOT NULL REFERENCES pages(id), position INTEGER NOT NULL,
  title {T}, body {T}, published {T}, outlet {T}, credits {T}, source_id {T}, url {T},
  source_path {T});
CREATE INDEX IF NOT EXISTS articles_order ON articles(published, id);
CREATE TABLE IF NOT EXISTS drops (
  page_id {T} NOT NULL, reason {T} NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (page_id, reason));
CREATE TABLE IF NOT EXISTS dropped_lines (
  page_id {T} NOT NULL, seq INTEGER NOT NULL, line_no INTEGER NOT NULL, text {T} NOT NULL,
  reason {T} NOT NULL, PRIMARY KEY (page_id, seq));
CREATE TABLE IF NOT EXISTS failures (
  source_path {T} PRIMARY KEY, reason {T} NOT NULL, at TIMESTAMPTZ DEFAULT now());
CREATE TABLE IF NOT EXISTS duplicates (
  a {T} NOT NULL, b {T} NOT NULL, kind {T} NOT NULL, similarity DOUBLE PRECISION,
  shared {T}, added_a {T}, added_b {T}, PRIMARY KEY (a, b));
CREATE INDEX IF NOT EXISTS duplicates_b ON duplicates(b);
CREATE TABLE IF NOT EXISTS stories (
  id {T} PRIMARY KEY, title {T}, outlets {T}, start {T}, "end" {T}, size INTEGER);
CREATE TABLE IF NOT EXISTS story_articles (
  article_id {T} PRIMARY KEY, story_id {T} NOT NULL, position INTEGER);
CREATE INDEX IF NOT EXISTS story_articles_story ON story_articles(story_id);
CREATE TABLE IF NOT EXISTS state (key {T} PRIMARY KEY, value BYTEA);
CREATE TABLE IF NOT EXISTS search_docs (
  article_id {T} PRIMARY KEY REFERENCES articles(id), len INTEGER NOT NULL,
  tlen INTEGER NOT NULL, vec TSVECTOR NOT NULL);
CREATE INDEX IF NOT EXISTS search_docs_vec ON search_docs USING gin (vec);
""" + STATE_SCHEMA.format(T=T, R="DOUBLE PRECISION", I="BIGINT", WR="") + FOLLOW_SCHEMA.format(
    T=T, I="BIGINT", WR="", ID="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
)
WRITE_LOCK = 7213  # advisory lock key: one writer at a time per database
SCHEMA_LOCK = 7212


class PostgresStore(Store):
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.db = psycopg.connect(url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise ConnectionError(f"cannot connect to PostgreSQL at {_safe(url)}: {exc}") from None
        for dumper in (StrDumperUnknown, StrBinaryDumper):
            self.db.adapters.register_dumper(str, _nul_safe(dumper))
        with self.db.transaction():
            # Only a database without the newest schema runs the DDL: CREATE INDEX IF NOT
            # EXISTS would wait for running ingests. Two processes opening a fresh database
            # at once take turns.
            if self.db.execute("SELECT to_regclass(%s)", (NEWEST,)).fetchone()[0] is None:
                self.db.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
                self.db.execute(SCHEMA)
                self._store_vectors_uncompressed()
        self._opened()

    # --- transactions ---------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self.db.transaction():
            locked = self.db.execute(f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK})")
            if not locked.fetchone()[0]:
                self.waiting(f"waiting for another writer on {_safe(self.url)} …")
                self.db.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            yield

    def _rows(self, sql: str, args: Sequence = ()) -> list[tuple]:
        return self.db.execute(_marks(sql), args).fetchall()

    def _run(self, sql: str, args: Sequence = ()) -> None:
        self.db.execute(_marks(sql), args)

    def _run_many(self, sql: str, rows: Iterable[Sequence]) -> None:
        rows = list(rows)
        if rows:
            with self.db.cursor() as cur:
                cur.executemany(_marks(sql), rows)

    def _time_param(self, when: dt.datetime) -> object:
        return when

    def _time_value(self, value: object) -> dt.datetime:
        return value.astimezone(dt.UTC)  # type: ignore[attr-defined]

    def _store_vectors_uncompressed(self) -> None:
        """Search decompresses every candidate's vector; uncompressed ones (EXTERNAL) make
        that 2-3x faster for 30% more disk. PostgreSQL 15 can only set it after CREATE."""
        row = self.db.execute(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'search_docs'::regclass AND attname = 'vec'"
        ).fetchone()
        if row[0] != "e":
            self.db.execute("ALTER TABLE search_docs ALTER COLUMN vec SET STORAGE EXTERNAL")

    # --- pages and articles -------------------------------------------------------------
    def has_page(self, page_id: str) -> bool:
        row = self.db.execute("SELECT 1 FROM pages WHERE id = %s", (page_id,)).fetchone()
        return row is not None

    def add_extraction(self, extraction: Extraction) -> bool:
        page = extraction.page
        with self.transaction(), self.db.cursor() as cur:
            cur.execute(
                "INSERT INTO pages (id, source_path, kind, encoding, source_id, url, outlet,"
                " published, title, n_articles) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT (id) DO NOTHING",
                codec.page_row(extraction),
            )
            if cur.rowcount == 0:
                return False
            cur.executemany(
                f"INSERT INTO articles ({codec.ARTICLE_COLUMNS})"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                codec.article_rows(extraction),
            )
            cur.executemany(
                "INSERT INTO drops (page_id, reason, n) VALUES (%s,%s,%s)",
                [(page.id, reason, n) for reason, n in extraction.drop_counts().items()],
            )
            cur.executemany(
                "INSERT INTO dropped_lines VALUES (%s,%s,%s,%s,%s)",
                codec.dropped_rows(extraction),
            )
            cur.execute("DELETE FROM failures WHERE source_path = %s", (page.source_path,))
            self._index(cur, extraction.articles, extraction.analyzed)
        return True

    def _index(
        self, cur: psycopg.Cursor, articles: Iterable[Article], analyzed: list | None = None
    ) -> int:
        rows = []
        for i, a in enumerate(articles):
            title, body = analyzed[i] if analyzed else search.analyze(a)
            vec = pgsearch.tsvector(title, body)
            rows.append((a.id, title.length + body.length, len(title.canon), vec))
        cur.executemany("INSERT INTO search_docs VALUES (%s, %s, %s, %s::tsvector)", rows)
        return len(rows)

    def add_failure(self, failure: Failure) -> None:
        self.db.execute(
            "INSERT INTO failures (source_path, reason) VALUES (%s, %s) ON CONFLICT"
            " (source_path) DO UPDATE SET reason = excluded.reason, at = now()",
            (failure.source_path, failure.reason),
        )

    def failures(self) -> list[Failure]:
        rows = self.db.execute("SELECT source_path, reason FROM failures ORDER BY source_path")
        return [Failure(*row) for row in rows]

    def articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        order = " ORDER BY published IS NULL, published, id"
        if ids is None:  # ids first, then rows in slices of that order: no full fetch
            wanted = [r[0] for r in self.db.execute("SELECT id FROM articles" + order)]
        else:
            wanted = list(dict.fromkeys(ids))
        step = 2000 if ids is None else max(len(wanted), 1)
        for start in range(0, len(wanted), step):
            rows = self.db.execute(
                f"SELECT {codec.ARTICLE_COLUMNS} FROM articles WHERE id = ANY(%s){order}",
                (wanted[start : start + step],),
            )
            yield from (codec.article(row) for row in rows)

    def article(self, article_id: str) -> Article | None:
        return next(self.articles([article_id]), None)

    def counts(self) -> dict[str, int]:
        tables = ("pages", "articles", "failures", "stories", "duplicates")
        return {t: self.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}

    def drop_counts(self) -> Counter[str]:
        rows = self.db.execute("SELECT reason, SUM(n) FROM drops GROUP BY reason")
        return Counter({reason: int(n) for reason, n in rows})

    def dropped(self, page_id: str) -> list[Dropped]:
        rows = self.db.execute(
            "SELECT line_no, text, reason FROM dropped_lines WHERE page_id = %s ORDER BY seq",
            (page_id,),
        )
        return [Dropped(*row) for row in rows]

    # --- duplicates and stories ---------------------------------------------------------
    def add_duplicates(self, pairs: Iterable[DuplicatePair]) -> None:
        rows = [codec.duplicate_row(p) for p in pairs]
        with self.transaction(), self.db.cursor() as cur:
            cur.executemany(
                "INSERT INTO duplicates VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (a, b) DO"
                " UPDATE SET kind = excluded.kind, similarity = excluded.similarity,"
                " shared = excluded.shared, added_a = excluded.added_a,"
                " added_b = excluded.added_b",
                rows,
            )

    def duplicates(self, article_ids: Iterable[str] | None = None) -> list[DuplicatePair]:
        sql = "SELECT a, b, kind, similarity, shared, added_a, added_b FROM duplicates"
        if article_ids is None:
            rows = self.db.execute(sql + " ORDER BY a, b").fetchall()
        else:
            ids = list(dict.fromkeys(article_ids))
            rows = self.db.execute(f"{sql} WHERE a = ANY(%s) OR b = ANY(%s)", (ids, ids))
            rows = sorted(set(rows))
        return [codec.duplicate(row) for row in rows]

    def clear_duplicates(self) -> None:
        self.db.execute("DELETE FROM duplicates")

    def save_stories(self, stories: Iterable[Story]) -> None:
        with self.transaction(), self.db.cursor() as cur:
            for s in stories:
                cur.execute(
                    'INSERT INTO stories (id, title, outlets, start, "end", size)'
                    " VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (id) DO UPDATE SET"
                    " title = excluded.title, outlets = excluded.outlets,"
                    ' start = excluded.start, "end" = excluded."end", size = excluded.size',
                    codec.story_row(s),
                )
                cur.execute("DELETE FROM story_articles WHERE story_id = %s", (s.id,))
                cur.executemany(
                    "INSERT INTO story_articles VALUES (%s,%s,%s) ON CONFLICT (article_id)"
                    " DO UPDATE SET story_id = excluded.story_id, position = excluded.position",
                    [(aid, s.id, i) for i, aid in enumerate(s.article_ids)],
                )

    def delete_stories(self, story_ids: Iterable[str]) -> None:
        ids = list(story_ids)
        with self.transaction():
            self.db.execute("DELETE FROM stories WHERE id = ANY(%s)", (ids,))
            self.db.execute("DELETE FROM story_articles WHERE story_id = ANY(%s)", (ids,))

    def stories(self) -> list[Story]:
        return self._stories("", ())

    def story(self, story_id: str) -> Story | None:
        found = self._stories(" WHERE id = %s", (story_id,))
        return found[0] if found else None

    def story_of(self, article_id: str) -> Story | None:
        row = self.db.execute(
            "SELECT story_id FROM story_articles WHERE article_id = %s", (article_id,)
        ).fetchone()
        return None if row is None else self.story(row[0])

    def _stories(self, where: str, args: tuple) -> list[Story]:
        rows = self.db.execute(
            f'SELECT id, title, outlets, start, "end", line FROM stories'
            f" LEFT JOIN story_lines ON story = id{where}"
            " ORDER BY size DESC, start NULLS FIRST, id",
            args,
        ).fetchall()
        members: dict[str, list[str]] = {row[0]: [] for row in rows}
        links = self.db.execute(
            "SELECT story_id, article_id FROM story_articles"
            + (" WHERE story_id = %s" if where else "")
            + " ORDER BY story_id, position",
            args,
        )
        for sid, aid in links:
            if sid in members:
                members[sid].append(aid)
        return [codec.story(row, members[row[0]]) for row in rows]

    # --- search ---------------------------------------------------------------------------
    def search_articles(
        self, query: search.Query, filters: search.Filters, limit: int, offset: int
    ) -> list[tuple[str, float, str | None]]:
        params = pgsearch.search_params(query, limit, offset)
        joins, where = "", ""
        for sql, name in (
            (" AND a.outlet = %(outlet)s", "outlet"),
            (" AND left(a.published, 10) >= %(since)s", "since"),
            (" AND left(a.published, 10) <= %(until)s", "until"),
        ):
            if getattr(filters, name) is not None:
                joins, where = " JOIN articles a ON a.id = d.article_id", where + sql
                params[name] = getattr(filters, name)
        if filters.story_id is not None:
            joins += " JOIN story_articles fs ON fs.article_id = d.article_id"
            where += " AND fs.story_id = %(story_id)s"
            params["story_id"] = filters.story_id
        with self.db.transaction():
            # The planner prices `vec @@ query` per row as if it were free, but a sequential
            # scan decompresses every vector; the GIN index only reads the matching ones.
            self.db.execute("SET LOCAL enable_seqscan = off")
            self.db.execute("SET LOCAL jit = off")  # compiling costs more than it saves here
            rows = self.db.execute(pgsearch.SEARCH_SQL.format(joins=joins, where=where), params)
            return [(aid, float(score), sid) for aid, score, sid in rows]

    def reindex(self) -> int:
        with self.transaction(), self.db.cursor() as cur:
            cur.execute("DELETE FROM search_docs")
            n = 0
            batch: list[Article] = []
            for article in self.articles():
                batch.append(article)
                if len(batch) == 500:
                    n += self._index(cur, batch)
                    batch = []
            n += self._index(cur, batch)
            self.set_state(search.STATE_KEY, search.INDEX_VERSION.encode())
            cur.execute("ANALYZE search_docs")  # fresh statistics for the search plans
        return n

    def close(self) -> None:
        self.db.close()


def _nul_safe(dumper: type[Dumper]) -> type[Dumper]:
    """A str dumper that writes NUL as U+FFFD: PostgreSQL text cannot hold NUL (SQLite can),
    so a NUL in a record's metadata or in a looked-up key neither fails nor matches."""

    class NulSafe(dumper):  # type: ignore[valid-type, misc]
        def dump(self, obj: str) -> bytes | bytearray | memoryview:
            return super().dump(obj.replace("\x00", "\ufffd"))

    return NulSafe


@lru_cache(maxsize=256)
def _marks(sql: str) -> str:
    """The shared SQL's `?` marks as psycopg's `%s`."""
    return sql.replace("?", "%s")


def _safe(url: str) -> str:
    """The URL without its password, for error messages."""
    return re.sub(r"(//[^/@:]*):[^/@]*@", r"\1:***@", url)
