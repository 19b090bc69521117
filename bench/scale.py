"""`marsad ingest --dask` next to one process, on all of ANT split into shards, one run.

    python bench/scale.py [--shards 8] [--dask-workers 2] [--records N] [--skip-pool]

ANT is cut into SHARDS JSON Lines .gz files of consecutive records (as an archive is split
by time) in a temp folder. Each run is a `marsad ingest` child process into a fresh SQLite
store: `--workers 1` (one process), `--workers 2` (the process pool; unless --skip-pool)
and `--dask local --workers W` (a LocalCluster of W one-thread worker processes). Wall and
CPU seconds include every process (pool and Dask workers and nannies are reaped children).
Then the stories of the runs are compared (sets of article ids with their titles), and the
Dask run is repeated on its store: every partition is skipped.

Data: ../shared/data/ant (read-only). Machine: state what else ran beside it.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import ANT, CLI, articles_in, child  # noqa: E402 - bench/ingest.py's runner


def shard(lines: list[str], k: int, folder: Path) -> list[Path]:
    paths = []
    for i in range(k):
        paths.append(folder / f"ant-{i + 1:02}-of-{k:02}.jsonl.gz")
        with gzip.open(paths[-1], "wt", encoding="utf-8") as f:
            f.writelines(lines[i * len(lines) // k : (i + 1) * len(lines) // k])
    return paths


def stories(db: str) -> set[tuple[frozenset[str], str]]:
    with sqlite3.connect(db) as conn:
        titles = dict(conn.execute("SELECT id, title FROM stories"))
        members: dict[str, set[str]] = {}
        for story, article in conn.execute("SELECT story_id, article_id FROM story_articles"):
            members.setdefault(story, set()).add(article)
    return {(frozenset(ids), titles[s]) for s, ids in members.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--dask-workers", type=int, default=2)
    parser.add_argument("--records", type=int, default=None, help="only the first N records")
    parser.add_argument("--skip-pool", action="store_true", help="no --workers 2 run")
    args = parser.parse_args()
    if not ANT.exists():
        sys.exit(f"no data at {ANT}")
    tmp = Path(tempfile.mkdtemp(prefix="marsad-scale-"))
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        lines = [line for line in f if line.strip()][: args.records]
    shards = [str(p) for p in shard(lines, args.shards, tmp)]
    print(f"ANT: {len(lines)} records in {args.shards} shards; 2-core machine, {tmp}")
    runs = [("one process (--workers 1)", ["--workers", "1"])]
    if not args.skip_pool:
        runs.append(("process pool (--workers 2)", ["--workers", "2"]))
    dask = ["--dask", "local", "--workers", str(args.dask_workers)]
    runs.append((f"Dask LocalCluster, {args.dask_workers} workers", dask))
    found = {}
    for name, flags in runs:
        db = str(tmp / f"{len(found)}.db")
        r = child([*CLI, "ingest", *shards, "--db", db, *flags])
        found[name] = stories(db)
        arts = articles_in(db)
        print(
            f"{name:32}: {r['wall']:6.1f} s wall, {r['cpu']:6.1f} CPU-s (all processes),"
            f" peak RSS {r['rss_mb']:5.0f} MB (largest process), {arts / r['wall']:4.0f}"
            f" articles/s; {arts} articles, {len(found[name])} stories"
        )
    alone = found[runs[0][0]]
    for name in list(found)[1:]:
        print(f"same stories as one process ({name}): {found[name] == alone}")
    r = child([*CLI, "ingest", *shards, "--db", db, *dask])
    print(f"rerun of the Dask ingest (every partition stored): {r['wall']:.1f} s wall;"
          f" {r['out'].strip().splitlines()[0]}")  # fmt: skip
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
