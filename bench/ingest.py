"""Ingest throughput and latency on the whole ANT archive, next to a peer pipeline, one run.

    python bench/ingest.py [--records N] [--held-out K] [--million] [--skip-peer]
    python bench/ingest.py --undated N

1. `marsad ingest` of every record but K held-out ones, `--workers 1` and `--workers 2`,
   each into a fresh SQLite store, as child processes: wall and CPU seconds (pool workers
   included), peak RSS of the largest process, articles per second.
2. The peer on the same records, as a child process: datasketch MinHash + MinHashLSH for
   copies (3-word shingles, 128 permutations, Jaccard 0.5) and scikit-learn TF-IDF with
   average-link clustering per publish day (eval/stories.py's tuned peer threshold).
3. One-record ingest of the K held-out records, on the whole-ANT store and on a 1,000-record
   store: p50/p99 through the library (`marsad.pipeline.ingest`) and through the CLI (a
   `marsad ingest` process). "late": at their own times, drawn at random over the archive
   (each replays the window after it); "newest": the same records as a live feed brings
   them, published right after the newest stored article.
4. With --million: the whole-ANT store copied 31 times into the past, rows generated
   directly (articles, pages, duplicate index, clusterer log and vectors, stories,
   storylines; not the search index), about a million articles; then one-record library
   ingests on it.

5. With --undated N: N tiny undated records (an ANT title and its first sentence, no time;
   outside May 2018) in one `marsad ingest --workers 1`: undated pages share a window, so
   this is where a clusterer that scans its window goes quadratic.

Data: ../shared/data/ant (read-only). Machine: state what else ran beside it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ANT = ROOT.parent / "shared/data/ant/ant_v2.1.jsonl.gz"
CLI = [sys.executable, "-c", "from marsad.cli import main; main()"]


TIME = shutil.which("time", path="/usr/bin:/bin")


def child(cmd: list[str]) -> dict:
    """Run a process to its end: wall, CPU (it and its reaped children), peak RSS of its
    largest process. The RSS comes from /usr/bin/time when there is one: Linux counts a
    parent's memory at fork in the child's ru_maxrss, and this script holds all of ANT."""
    started = time.perf_counter()
    wrapped = [TIME, "-f", "MAXRSS %M", *cmd] if TIME else cmd
    proc = subprocess.Popen(wrapped, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        sys.exit(f"{' '.join(cmd[:4])}… failed ({proc.returncode}):\n{(out + err)[-2000:]}")
    rss = [line.split()[1] for line in err.splitlines() if line.startswith("MAXRSS ")]
    cpu = usage.ru_utime + usage.ru_stime - _spent[0]
    _spent[0] += cpu
    return {
        "wall": time.perf_counter() - started,
        "cpu": cpu,
        "rss_mb": int(rss[-1]) / 1024 if rss else usage.ru_maxrss / 1024,
        "out": out,
    }


_spent = [0.0]  # CPU of the children reaped before


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]
    return f"p50 {statistics.median(values) * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"


def library_latency(db: str, records: list[Path]) -> list[float]:
    from marsad.pipeline import ingest
    from marsad.store import open_store

    times = []
    with open_store(db) as store:
        for path in records:
            started = time.perf_counter()
            report = ingest([path], store)
            times.append(time.perf_counter() - started)
            assert report.new_pages == 1, report
    return times


def cli_latency(db: str, records: list[Path]) -> list[float]:
    times = []
    for path in records:
        started = time.perf_counter()
        subprocess.run([*CLI, "ingest", str(path), "--db", db, "--workers", "1"],
                       check=True, capture_output=True)  # fmt: skip
        times.append(time.perf_counter() - started)
    return times


def streamed(db: str, lines: list[str], folder: Path) -> list[Path]:
    """The held-out records as a live feed brings them: published one by one, 10 minutes
    apart, right after the newest stored article (so they meet a full window)."""
    import datetime as dt

    with sqlite3.connect(db) as conn:
        newest = conn.execute("SELECT MAX(published) FROM articles").fetchone()[0]
    start = dt.datetime.fromisoformat(newest)
    folder.mkdir(exist_ok=True)
    out = []
    for k, line in enumerate(lines, 1):
        record = json.loads(line)
        record["time"] = (start + dt.timedelta(minutes=10 * k)).isoformat()
        record["id"] = f"{record['id']}-live"
        out.append(folder / f"live-{k}.jsonl")
        out[-1].write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def articles_in(db: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


PEER = r"""
import gzip, json, sys, time
from collections import defaultdict
from datasketch import MinHash, MinHashLSH
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
sys.path.insert(0, sys.argv[2])
from marsad.arabic import stems, tokens
lsh, pairs, days = MinHashLSH(threshold=0.5, num_perm=128), 0, defaultdict(list)
for n, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    r = json.loads(line)
    words = tokens(r.get("text") or "")
    m = MinHash(num_perm=128)
    m.update_batch(" ".join(words[i:i + 3]).encode() for i in range(max(len(words) - 2, 1)))
    pairs += len(lsh.query(m))
    lsh.insert(str(n), m)
    text = (r.get("title") or "") + "\n" + (r.get("text") or "")
    days[str(r.get("time") or "")[:10]].append(text)
stories = 0
for texts in days.values():
    if len(texts) < 2:
        stories += len(texts)
        continue
    x = TfidfVectorizer(analyzer=stems, sublinear_tf=True).fit_transform(texts).toarray()
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=0.8).fit_predict(x)
    stories += len(set(labels))
print(f"peer: {pairs} candidate copy pairs, {stories} stories")
"""


def million(db: str, copies: int = 31, shift_days: float = 300.0) -> None:
    """Copy every row of the ANT store `copies` times into the past (ids suffixed)."""
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -2000000"):
        conn.execute(f"PRAGMA {pragma}")  # a throwaway file: build it fast
    conn.execute("BEGIN")
    tables = ("pages", "articles", "dedup_docs", "dedup_exact", "dedup_bands", "cluster_log",
              "cluster_vectors", "stories", "story_articles", "duplicates", "story_sigs",
              "story_terms", "story_links", "story_lines")  # fmt: skip
    epoch = {"dedup_docs": ("at",), "cluster_log": ("ts", "at"), "story_sigs": ("start", "stop"),
             "story_terms": ("start",)}  # columns in epoch seconds  # fmt: skip
    cols = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in tables}
    for table in tables:  # the original rows, read from a copy while the table grows
        conn.execute(f"CREATE TEMP TABLE base_{table} AS SELECT * FROM {table}")
    ids = {"id", "page_id", "article_id", "exact_key", "story", "story_id", "a", "b", "line"}
    for k in range(1, copies + 1):
        shift = k * shift_days * 86400
        for table, names in cols.items():
            exprs = []
            for c in names:
                if c in ids:
                    exprs.append(f"{c} || '~{k}'")
                elif c in epoch.get(table, ()):
                    exprs.append(f"CASE WHEN {c} >= 1e299 THEN {c} ELSE {c} - {shift} END")
                else:
                    exprs.append(f'"{c}"')
            quoted = ", ".join(f'"{c}"' for c in names)
            conn.execute(
                f"INSERT INTO {table} ({quoted}) SELECT {', '.join(exprs)} FROM base_{table}"
            )
        print(f"  copy {k}/{copies}: {articles_in_conn(conn)} articles", end="\r", flush=True)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    print()


def articles_in_conn(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=None, help="only the first N records")
    parser.add_argument("--held-out", type=int, default=40, help="records for latency runs")
    parser.add_argument("--million", action="store_true", help="also the ~1M-article store")
    parser.add_argument("--only-million", metavar="STORE", help="just that, from this store")
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--undated", type=int, metavar="N", help="just N tiny undated records")
    args = parser.parse_args()
    if not ANT.exists():
        sys.exit(f"no data at {ANT}")
    tmp = Path(tempfile.mkdtemp(prefix="marsad-bench-"))
    if args.undated:
        return undated_run(args.undated, tmp)
    if args.only_million:  # a store built like the whole one, its held-out records beside it
        late = sorted(Path(args.only_million + ".held").glob("*.jsonl"))
        lines = [p.read_text(encoding="utf-8") for p in late]
        million_run(args.only_million, late, tmp, streamed(args.only_million, lines, tmp / "m"))
        return
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        lines = [line for line in f if line.strip()][: args.records]
    rng = random.Random(13)
    held = set(rng.sample(range(len(lines)), args.held_out))
    body = tmp / "ant.jsonl"
    body.write_text("".join(line for i, line in enumerate(lines) if i not in held), "utf-8")
    singles = []
    for i in sorted(held):
        singles.append(tmp / f"held-{i}.jsonl")
        singles[-1].write_text(lines[i], encoding="utf-8")
    small = tmp / "small.jsonl"
    small.write_text("".join(rng.sample([ln for i, ln in enumerate(lines) if i not in held], 1000)))
    n = len(lines) - len(held)
    print(f"ANT: {n} records ingested whole, {len(held)} held out; 2-core machine, {tmp}")

    stores = {}
    for workers in args.workers:
        db = str(tmp / f"w{workers}.db")
        r = child([*CLI, "ingest", str(body), "--db", db, "--workers", str(workers)])
        stores[workers] = db
        arts = articles_in(db)
        print(
            f"marsad ingest --workers {workers}: {r['wall']:6.1f} s wall, {r['cpu']:6.1f} CPU-s,"
            f" peak RSS {r['rss_mb']:5.0f} MB, {arts / r['wall']:5.0f} articles/s"
            f" ({arts} articles; {arts / r['cpu']:.0f} per CPU-s)"
        )
    if not args.skip_peer:
        r = child([sys.executable, "-c", PEER, str(body), str(ROOT)])
        print(
            f"peer (datasketch + scikit-learn): {r['wall']:6.1f} s wall, {r['cpu']:6.1f} CPU-s,"
            f" peak RSS {r['rss_mb']:5.0f} MB, {n / r['wall']:5.0f} records/s; {r['out'].strip()}"
        )
    whole = stores[max(stores)]
    runs = [("whole-ANT store", whole)]
    small_db = str(tmp / "small.db")
    child([*CLI, "ingest", str(small), "--db", small_db, "--workers", "1"])
    runs.append(("1,000-record store", small_db))
    for name, db in runs:
        stream = streamed(db, [lines[i] for i in sorted(held)], tmp / name.split()[0])
        for kind, records in (("late", singles), ("newest", stream)):
            for how, measure, count in (("library", library_latency, len(records)),
                                        ("CLI", cli_latency, min(len(records), 15))):  # fmt: skip
                copy = str(tmp / f"copy-{how}.db")
                shutil.copy(db, copy)
                times = measure(copy, records[:count])
                print(
                    f"one-record ingest, {name:18} {kind:6} {how:7}: {percentiles(times)}"
                    f" ({count} records)"
                )
    if args.million:
        million_run(
            whole, singles, tmp, streamed(whole, [lines[i] for i in sorted(held)], tmp / "m")
        )
    shutil.rmtree(tmp)


def undated_run(n: int, tmp: Path) -> None:
    records = []
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if " May 2018 " not in r["time"] and r.get("text"):
                first = r["text"].split(".")[0][:200]
                records.append({"id": r["id"], "title": r["title"], "text": first})
                if len(records) == n:
                    break
    path = tmp / "undated.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    r = child([*CLI, "ingest", str(path), "--db", str(tmp / "u.db"), "--workers", "1"])
    print(f"{len(records)} tiny undated records, one ingest: {r['wall']:.1f} s wall,"
          f" {r['cpu']:.1f} CPU-s, peak RSS {r['rss_mb']:.0f} MB")
    shutil.rmtree(tmp)


def million_run(whole: str, late: list[Path], tmp: Path, newest: list[Path] | None = None) -> None:
    big = str(tmp / "million.db")
    shutil.copy(whole, big)
    started = time.perf_counter()
    million(big)
    built = time.perf_counter() - started
    print(f"~1M store built in {built:.0f} s: {articles_in(big)} articles")
    for kind, records in (("newest", newest or []), ("late", late)):  # on the same store
        if records:
            times = library_latency(big, records)
            print(f"one-record ingest, ~1M-article store {kind:6} library: {percentiles(times)}")
    os.remove(big)


if __name__ == "__main__":
    main()
