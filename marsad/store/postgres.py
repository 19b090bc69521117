"""PostgreSQL backend: the same tables and semantics as SQLite, for a shared server.

Text columns use the "C" collation so ids and ISO times sort by code point, exactly as
SQLite orders them; NULLs sort first in ascending order as they do in SQLite.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import psycopg
from psycopg.adapt import Dumper
from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

from marsad.model import Article, Dropped, DuplicatePair, Extraction, Failure, Story
from marsad.query import INDEX_VERSION, STATE_KEY, Filters, Query, analyze
from marsad.store import pgsearch
from marsad.store import rows as codec
from marsad.store.base import Store
from marsad.store.follows import FOLLOW_SCHEMA, NEWEST
from marsad.store.state import NEWEST_TABLE, STATE_SCHEMA

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
  article_id {T} PRIMARY KEY REFERENCES articles(id), doc SERIAL UNIQUE, len INTEGER NOT NULL,
  tlen INTEGER NOT NULL, outlet {T}, day {T}, vec TSVECTOR NOT NULL);
CREATE INDEX IF NOT EXISTS search_docs_vec ON search_docs USING gin (vec);
CREATE TABLE IF NOT EXISTS search_postings (
  form {T} NOT NULL, block BIGSERIAL, postings BYTEA NOT NULL, PRIMARY KEY (form, block));
CREATE TABLE IF NOT EXISTS search_stats (
  one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one), docs BIGINT NOT NULL, tokens BIGINT NOT NULL);
INSERT INTO search_stats VALUES (true, 0, 0) ON CONFLICT DO NOTHING;
""" + STATE_SCHEMA.format(T=T, R="DOUBLE PRECISION", I="BIGINT", WR="") + FOLLOW_SCHEMA.format(
    T=T, I="BIGINT", WR="", ID="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
)
# search_docs copies outlet and day (published[:10]) of its article so filters read no article.
WRITE_LOCK = 7213  # advisory lock key: one writer at a time per database
SCHEMA_LOCK = 7212


class PostgresStore(Store):
    def __init__(self, url: str, connection: psycopg.Connection | None = None) -> None:
        """A store on its own connection, or on a `PostgresPool`'s (already up to date)."""
        self.url = url
        self._postings = pgsearch.Postings()
        self._own = connection is None
        if connection is not None:
            self.db = connection
            return
        try:
            self.db = psycopg.connect(url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise ConnectionError(f"cannot connect to PostgreSQL at {_safe(url)}: {exc}") from None
        _configure(self.db)
        with self.db.transaction():
            # Only a database without the newest schema runs the DDL: CREATE INDEX IF NOT
            # EXISTS would wait for running ingests. Two processes opening a fresh database
            # at once take turns.
            if self._schema_missing():
                self.db.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
                if self._schema_missing():
                    self._create_schema()
        self._opened()

    def _exists(self, table: str) -> bool:
        return self.db.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None

    def _schema_missing(self) -> bool:
        return not all(map(self._exists, ("search_stats", NEWEST_TABLE, NEWEST)))

    def _create_schema(self) -> None:
        """The tables, and for a store made before search postings: its search_docs made
        anew, the index version forgotten, so `_opened` rebuilds the index (docs/search.md).
        What search reads whole is stored uncompressed (EXTERNAL): 2-3x faster to read for
        30% more disk; PostgreSQL 15 can only set it after CREATE."""
        postings = self._exists("search_stats")
        if not postings:
            self.db.execute("DROP TABLE IF EXISTS search_docs")
        self.db.execute(SCHEMA)
        if not postings:
            self.db.execute("DELETE FROM state WHERE key = %s", (STATE_KEY,))
            for table, column in (("search_docs", "vec"), ("search_postings", "postings")):
                self.db.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE EXTERNAL")

    # --- transactions ---------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            with self.db.transaction():
                locked = self.db.execute(f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK})")
                if not locked.fetchone()[0]:
                    self.waiting(f"waiting for another writer on {_safe(self.url)} …")
                    self.db.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                yield
                self._write_postings()
        finally:
            self._postings.clear()  # written, or rolled back with the articles

    def _write_postings(self) -> None:
        """The transaction's postings as one block per form, and the corpus totals."""
        if not self._postings.docs:
            return
        with self.db.cursor() as cur:
            with cur.copy("COPY search_postings (form, postings) FROM STDIN (FORMAT BINARY)") as cp:
                cp.set_types(["text", "bytea"])
                for row in self._postings.rows():
                    cp.write_row(row)
            cur.execute(
                "UPDATE search_stats SET docs = docs + %s, tokens = tokens + %s",
                (self._postings.docs, self._postings.tokens),
            )
        self._postings.clear()

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
        articles = list(articles)
        docs = cur.execute(
            "SELECT nextval(pg_get_serial_sequence('search_docs', 'doc'))"
            " FROM generate_series(1, %s)",
            (len(articles),),
        ).fetchall()
        rows = []
        for i, (a, (doc,)) in enumerate(zip(articles, docs, strict=True)):
            title, body = analyzed[i] if analyzed else analyze(a)
            self._postings.add(doc, title, body)
            day = None if a.published is None else a.published[:10]
            vec = pgsearch.tsvector(title, body)
            length = title.length + body.length
            rows.append((a.id, doc, length, len(title.canon), a.outlet, day, vec))
        cur.executemany(
            "INSERT INTO search_docs (article_id, doc, len, tlen, outlet, day, vec)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s::tsvector)",
            rows,
        )
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
        self, query: Query, filters: Filters, limit: int, offset: int
    ) -> list[tuple[str, float, str | None]]:
        params = pgsearch.search_params(query, limit, offset)
        joins, where = "", ""
        for sql, name in (
            (" AND d.outlet = %(outlet)s", "outlet"),
            (" AND d.day >= %(since)s", "since"),
            (" AND d.day <= %(until)s", "until"),
        ):
            if getattr(filters, name) is not None:
                where += sql
                params[name] = getattr(filters, name)
        if filters.story_id is not None:
            joins += " JOIN story_articles fs ON fs.article_id = d.article_id"
            where += " AND fs.story_id = %(story_id)s"
            params["story_id"] = filters.story_id
        with self.db.transaction():
            if pgsearch.words_only(query):
                return self._ranked(query, params, joins, where, limit, offset)
            # The planner prices `vec @@ query` per row as if it were free, but a sequential
            # scan decompresses every vector; the GIN index only reads the matching ones.
            self.db.execute("SET LOCAL enable_seqscan = off")
            self.db.execute("SET LOCAL jit = off")  # compiling costs more than it saves here
            rows = self.db.execute(pgsearch.SEARCH_SQL.format(joins=joins, where=where), params)
            return [(aid, float(score), sid) for aid, score, sid in rows]

    def _ranked(
        self, query: Query, params: dict, joins: str, where: str, limit: int, offset: int
    ) -> list[tuple[str, float, str | None]]:
        """A query of words ranked from the postings of its forms (pgsearch.rank)."""
        forms = sorted({form for (form,) in pgsearch.phrases(query)})
        with self.db.cursor(binary=True) as cur:
            blocks: dict[str, list[bytes]] = {}
            for form, postings in cur.execute(
                "SELECT form, postings FROM search_postings WHERE form = ANY(%s)", (forms,)
            ):
                blocks.setdefault(form, []).append(postings)
            n_docs, tokens = cur.execute("SELECT docs, tokens FROM search_stats").fetchone()
            allowed = None
            if where:
                (packed,) = cur.execute(
                    "SELECT string_agg(int4send(d.doc), ''::bytea) FROM search_docs d"
                    f"{joins} WHERE true{where}",
                    params,
                ).fetchone()
                allowed = np.frombuffer(packed or b"", dtype=">i4").astype(np.int64)
            top = pgsearch.rank(query, blocks, n_docs, tokens, allowed, offset + limit)
            found = {
                doc: (aid, sid)
                for doc, aid, sid in cur.execute(
                    "SELECT d.doc, d.article_id, sa.story_id FROM search_docs d"
                    " LEFT JOIN story_articles sa ON sa.article_id = d.article_id"
                    " WHERE d.doc = ANY(%s)",
                    ([doc for doc, _ in top],),
                )
            }
        ranked = sorted((-score, *found[doc]) for doc, score in top if doc in found)
        return [(aid, -neg, sid) for neg, aid, sid in ranked[offset : offset + limit]]

    def reindex(self) -> int:
        with self.transaction(), self.db.cursor() as cur:
            for table in ("search_docs", "search_postings"):
                cur.execute(f"DELETE FROM {table}")
            cur.execute("UPDATE search_stats SET docs = 0, tokens = 0")
            n = 0
            batch: list[Article] = []
            for article in self.articles():
                batch.append(article)
                if len(batch) == 2000:  # a block per form and batch: memory stays bounded
                    n += self._index(cur, batch)
                    self._write_postings()
                    batch = []
            n += self._index(cur, batch)
            self._write_postings()
            self.set_state(STATE_KEY, INDEX_VERSION.encode())
            cur.execute("ANALYZE search_docs")  # fresh statistics for the search plans
            cur.execute("ANALYZE search_postings")
        return n

    def close(self) -> None:
        if self._own:
            self.db.close()


class PostgresPool:
    """Stores for a server's requests on at most `size` shared connections: a request borrows
    one instead of connecting and checking the schema anew. Connections open when first
    needed; a broken one is replaced when borrowed."""

    def __init__(self, url: str, size: int) -> None:
        from psycopg_pool import ConnectionPool

        PostgresStore(url).close()  # creates or upgrades the schema once, or says why not
        self.url = url
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=size,
            kwargs={"autocommit": True},
            configure=_configure,
            check=ConnectionPool.check_connection,
            open=False,
        )
        self._opening = threading.Lock()
        self._open = False

    @contextmanager
    def store(self) -> Iterator[PostgresStore]:
        with self._opening:
            if not self._open:
                self.pool.open()
                self._open = True
        with self.pool.connection() as conn:
            yield PostgresStore(self.url, conn)

    def close(self) -> None:
        self.pool.close()


def _configure(conn: psycopg.Connection) -> None:
    for dumper in (StrDumperUnknown, StrBinaryDumper):
        conn.adapters.register_dumper(str, _nul_safe(dumper))


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
