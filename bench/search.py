"""Search latency and clitic recall on all of ANT, against plain FTS5 on the raw text.

Builds (once, cached) a SQLite store of the whole ANT corpus with the pipeline, then runs
~200 Arabic queries of 1–3 words made from ANT titles' frequent words, a third of them with
a clitic glued on (و ب ل، وال بال لل), with and without filters, and prints p50/p95/p99 of
`marsad.search.search` (ranking, snippets and all) and of the ranking alone. The peer is FTS5
with its default tokenizer over the unprocessed title and body, queried with the same words
(ranking only, no snippets): its speed, and how often a clitic-prefixed query finds the
documents the bare word finds (variant recall).
With --pg (a postgresql:// URL, or "auto" for a throwaway local cluster) the same queries run
on PostgreSQL in the same run, its tables copied from the SQLite store and indexed by
`reindex()`; a database that already holds them (a kept cluster) is used as it is.

    python bench/search.py [--db /tmp/marsad-bench/ant-search.db] [--pg auto]
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.arabic import STOPWORDS, normalize  # noqa: E402
from marsad.pipeline import ingest  # noqa: E402
from marsad.query import Filters, parse_query  # noqa: E402
from marsad.search import search  # noqa: E402
from marsad.store import Store, open_store  # noqa: E402

ANT = ROOT.parent / "shared" / "data" / "ant" / "ant_v2.1.jsonl.gz"
CACHE = Path("/tmp/marsad-bench/ant-search.db")
ALL = 10**7  # a limit that returns every match (for recall)
_WORD = re.compile(r"[\u0621-\u064a]{3,}")


def build(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open_store(path) as store:
        report = ingest([ANT], store, progress=True)
    print(f"built {path}: {report.articles} articles in {time.perf_counter() - started:.0f} s")


def make_queries(db: sqlite3.Connection, n: int = 200) -> tuple[list[str], list[tuple[str, str]]]:
    """(queries, [(bare word, clitic variant)]) from the titles' frequent words."""
    rng = random.Random(0)
    titles = [t for (t,) in db.execute("SELECT title FROM articles WHERE title != ''")]
    counts: Counter[str] = Counter()
    pairs: Counter[tuple[str, ...]] = Counter()
    trios: Counter[tuple[str, ...]] = Counter()
    for title in titles:
        ws = [w for w in _WORD.findall(title) if normalize(w) not in STOPWORDS]
        counts.update(ws)
        pairs.update(zip(ws, ws[1:], strict=False))
        trios.update(zip(ws, ws[1:], ws[2:], strict=False))
    bare = [w for w, _ in counts.most_common(3000) if not w.startswith(("و", "ب", "ل", "ف"))]
    singles = rng.sample(bare[:1500], n // 3)
    variants = []
    for word in rng.sample(bare[:600], n // 3):
        clitic = rng.choice(("وال", "بال", "لل") if word.startswith("ال") else ("و", "ب", "ل"))
        variants.append((word, clitic + (word[2:] if word.startswith("ال") else word)))
    doubles = [" ".join(p) for p, _ in pairs.most_common(400)]
    triples = [" ".join(t) for t, _ in trios.most_common(200)]
    queries = singles + [v for _, v in variants] + rng.sample(doubles, n // 6)
    queries += rng.sample(triples, n - len(queries))
    return queries, variants


def percentiles(times: list[float]) -> str:
    q = statistics.quantiles(times, n=100, method="inclusive")
    return f"p50 {q[49] * 1e3:6.1f} ms  p95 {q[94] * 1e3:6.1f} ms  p99 {q[98] * 1e3:6.1f} ms"


def timed(run: Callable[[str], object], queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        started = time.perf_counter()
        run(q)
        out.append(time.perf_counter() - started)
    return out


class Peer:
    """Plain FTS5 (default unicode61 tokenizer) over the raw title and body: no Arabic
    processing. Query words are quoted and AND-ed; bm25 with the same title weight."""

    def __init__(self, source: Path) -> None:
        path = source.with_name(source.stem + "-peer.db")
        fresh = not path.exists()
        self.db = sqlite3.connect(path)
        if fresh:
            self.db.execute(f"ATTACH '{source}' AS src")
            self.db.executescript(
                "CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT, outlet TEXT,"
                " published TEXT);"
                "CREATE VIRTUAL TABLE peer USING fts5(title, body);"
                "INSERT INTO docs (id, outlet, published) SELECT id, outlet, published"
                " FROM src.articles;"
                "INSERT INTO peer (rowid, title, body) SELECT d.rowid, a.title, a.body"
                " FROM docs d JOIN src.articles a ON a.id = d.id;"
            )
            self.db.commit()
            self.db.execute("DETACH src")

    def search(self, query: str, filters: Filters | None = None, limit: int = 20) -> list[str]:
        filters = filters or Filters()
        match = " AND ".join('"' + w.replace('"', '""') + '"' for w in query.split())
        where, args = "", []
        if filters.outlet:
            where, args = " AND d.outlet = ?", [filters.outlet]
        if filters.since:
            where += " AND substr(d.published, 1, 10) >= ? AND substr(d.published, 1, 10) <= ?"
            args += [filters.since, filters.until]
        rows = self.db.execute(
            "SELECT d.id FROM peer JOIN docs d ON d.rowid = peer.rowid"
            f" WHERE peer MATCH ?{where} ORDER BY bm25(peer, 4, 1) LIMIT ?",
            [match, *args, limit],
        )
        return [r[0] for r in rows]


def marsad_ids(store: Store, query: str) -> set[str]:
    return {aid for aid, _, _ in store.search_articles(parse_query(query), Filters(), ALL, 0)}


def recall(find: Callable[[str], set[str]], variants: list[tuple[str, str]]) -> tuple[float, int]:
    """Mean share of the bare word's matches the clitic variant also finds; pairs counted."""
    shares = []
    for bare, variant in variants:
        base = find(bare)
        if base:
            shares.append(len(base & find(variant)) / len(base))
    return statistics.fmean(shares), len(shares)


def copy_to_postgres(lite: Path, url: str) -> Store:
    """A PostgreSQL store holding the SQLite store's pages, articles and stories."""
    pg = open_store(url)
    src = sqlite3.connect(lite)
    (n_lite,) = src.execute("SELECT count(*) FROM articles").fetchone()
    if pg.counts()["articles"] == n_lite:
        print(f"postgresql: {n_lite} articles already stored and indexed")
        return pg
    tables = {
        "pages": "id, source_path, kind, encoding, source_id, url, outlet, published, title,"
        " n_articles",
        "articles": "id, page_id, position, title, body, published, outlet, credits,"
        " source_id, url, source_path",
        "stories": 'id, title, outlets, start, "end", size',
        "story_articles": "article_id, story_id, position",
    }
    with pg.db.transaction(), pg.db.cursor() as cur:  # type: ignore[attr-defined]
        for table, cols in tables.items():
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in src.execute(f"SELECT {cols} FROM {table}"):
                    copy.write_row(row)
    started = time.perf_counter()
    n = pg.reindex()
    print(f"postgresql: {n} articles indexed by reindex() in {time.perf_counter() - started:.0f} s")
    return pg


def report(name: str, store: Store, queries: list[str], filters: list[Filters]) -> None:
    search(store, queries[0])  # warm caches
    plain = timed(lambda q: search(store, q), queries)
    print(f"{name:22} no filter     {percentiles(plain)}")
    filtered = []
    for i, q in enumerate(queries):
        f = filters[i % len(filters)]
        started = time.perf_counter()
        search(store, q, outlet=f.outlet, since=f.since, until=f.until)
        filtered.append(time.perf_counter() - started)
    print(f"{name:22} with filters  {percentiles(filtered)}")
    ranking = timed(lambda q: store.search_articles(parse_query(q), Filters(), 20, 0), queries)
    print(f"{name[:-1] + ', ranking only)':22} no filter     {percentiles(ranking)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=CACHE, help="cached ANT store")
    parser.add_argument("--pg", help='postgresql:// URL, or "auto" for a throwaway cluster')
    args = parser.parse_args()
    if not args.db.exists() and not ANT.exists():
        sys.exit(f"no data at {ANT}")
    build(args.db)
    store = open_store(args.db)
    raw = sqlite3.connect(args.db)
    queries, variants = make_queries(raw)
    outlets = [o for (o,) in raw.execute("SELECT DISTINCT outlet FROM articles ORDER BY 1")]
    filters = [Filters(outlet=o) for o in outlets] + [
        Filters(since=f"2018-0{m}-01", until=f"2018-0{m}-28") for m in range(3, 8)
    ]
    n_articles = store.counts()["articles"]
    print(f"{n_articles} articles, {len(queries)} queries ({len(variants)} with a clitic)")
    report("marsad (sqlite)", store, queries, filters)
    peer = Peer(args.db)
    peer.search(queries[0])
    print(f"{'peer: raw FTS5':22} no filter     {percentiles(timed(peer.search, queries))}")
    flt = [lambda q, f=f: peer.search(q, f) for f in filters]
    times = [timed(lambda q, i=i: flt[i % len(flt)](q), [q])[0] for i, q in enumerate(queries)]
    print(f"{'peer: raw FTS5':22} with filters  {percentiles(times)}")

    ours, pairs = recall(lambda q: marsad_ids(store, q), variants)
    theirs, _ = recall(lambda q: set(peer.search(q, limit=ALL)), variants)
    print(f"clitic variant recall over {pairs} pairs: marsad {ours:.3f}, peer {theirs:.3f}")
    bare = [b for b, _ in variants]
    found_ours = statistics.fmean(len(marsad_ids(store, b)) for b in bare)
    found_theirs = statistics.fmean(len(peer.search(b, limit=ALL)) for b in bare)
    print(f"documents a bare word finds (mean): marsad {found_ours:.0f}, peer {found_theirs:.0f}")

    if args.pg:
        cluster = None
        url = args.pg
        if url == "auto":
            sys.path.insert(0, str(ROOT / "tests"))
            from conftest import PgCluster, _pg_bindir

            cluster = PgCluster(_pg_bindir())
            url = cluster.new_url()
        try:
            pg = copy_to_postgres(args.db, url)
            report("marsad (postgresql)", pg, queries, filters)
            def top(s: Store, q: str, f: Filters) -> list[tuple[str, float]]:
                hits = search(s, q, outlet=f.outlet, since=f.since, until=f.until)
                return [(h.article_id, round(h.score, 6)) for h in hits]

            for label, pick in (("", lambda i: Filters()), (" with filters", filters.__getitem__)):
                same = sum(
                    top(pg, q, pick(i % len(filters))) == top(store, q, pick(i % len(filters)))
                    for i, q in enumerate(queries)
                )
                print(
                    f"postgresql top 20 (ids, scores to 6 decimals){label} identical to sqlite"
                    f" for {same}/{len(queries)} queries"
                )
            for table in ("search_docs", "search_postings"):
                size = "SELECT pg_size_pretty(pg_total_relation_size(%s))"
                print(f"postgresql {table}: {pg.db.execute(size, (table,)).fetchone()[0]}")  # type: ignore[attr-defined]
            pg.close()
        finally:
            if cluster is not None:
                cluster.stop()


if __name__ == "__main__":
    main()
