"""`marsad ingest --dask` next to one process, on all of ANT split into shards, one run.

    python bench/scale.py [--shards 8] [--dask-workers 2] [--records N] [--skip-pool]

ANT is cut into SHARDS JSON Lines .gz files of consecutive records (as an archive is split
by time) in a temp folder. Each run is a `marsad ingest` child process into a fresh SQLite
store: `--workers 1` (one process), `--workers 2` (the process pool; unless --skip-pool)
and `--dask local --workers W` (a LocalCluster of W one-thread worker processes). Wall and
CPU seconds include every process (pool and Dask workers and nannies are reaped children).
Then the stories of the runs are compared (sets of article ids with their titles), and the
Dask run (the library call `marsad ingest --dask local` makes, timed by phase) is repeated
as `marsad ingest --dask local` on its store: every partition is skipped.

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
from ingest import ANT, CLI, ROOT, articles_in, child  # noqa: E402 - bench/ingest.py's


def shard(lines: list[str], k: int, folder: Path) -> list[Path]:
    paths = []
    for i in range(k):
        paths.append(folder / f"ant-{i + 1:02}-of-{k:02}.jsonl.gz")
        with gzip.open(paths[-1], "wt", encoding="utf-8") as f:
            f.writelines(lines[i * len(lines) // k : (i + 1) * len(lines) // k])
    return paths


# The Dask ingest as `marsad ingest --dask local` runs it, timing its two phases: the
# partitions (cluster tasks, each result stored as it arrives; with the cluster's start and
# stop) and the drain (stateful stages, this process alone); this process's own CPU.
DASK = r"""
import resource, sys, time
sys.path.insert(0, sys.argv[1])
from marsad import scale
from marsad.store import open_store
phases = {}
def timed(drain):
    def run(*args, **kwargs):
        phases["drain"] = time.perf_counter()
        return drain(*args, **kwargs)
    return run
scale.drain = timed(scale.drain)
if __name__ == "__main__":
    start = time.perf_counter()
    with open_store(sys.argv[2]) as store:
        scale.ingest_cluster(sys.argv[4:], store, "local", workers=int(sys.argv[3]))
        done = time.perf_counter()
    own = resource.getrusage(resource.RUSAGE_SELF)
    cpu = own.ru_utime + own.ru_stime
    print(f"cluster up, partitions, cluster down {phases['drain'] - start:.1f} s,"
          f" drain {done - phases['drain']:.1f} s; this process {cpu:.1f} CPU-s")
"""


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
    cli = [*CLI, "ingest", *shards, "--db"]
    runs = [("one process (--workers 1)", lambda db: [*cli, db, "--workers", "1"])]
    if not args.skip_pool:
        runs.append(("process pool (--workers 2)", lambda db: [*cli, db, "--workers", "2"]))
    workers = str(args.dask_workers)
    runs.append(
        (f"Dask LocalCluster, {workers} workers",
         lambda db: [sys.executable, "-c", DASK, str(ROOT), db, workers, *shards])
    )  # fmt: skip
    found = {}
    for name, command in runs:
        db = str(tmp / f"{len(found)}.db")
        r = child(command(db))
        found[name] = stories(db)
        arts = articles_in(db)
        print(
            f"{name:32}: {r['wall']:6.1f} s wall, {r['cpu']:6.1f} CPU-s (all processes),"
            f" peak RSS {r['rss_mb']:5.0f} MB (largest process), {arts / r['wall']:4.0f}"
            f" articles/s; {arts} articles, {len(found[name])} stories"
        )
        if "Dask" in name:
            print(f"  {r['out'].strip()}")
    alone = found[runs[0][0]]
    for name in list(found)[1:]:
        print(f"same stories as one process ({name}): {found[name] == alone}")
    r = child([*cli, db, "--dask", "local", "--workers", workers])
    print(f"rerun, marsad ingest --dask local (every partition stored): {r['wall']:.1f} s wall;"
          f" {r['out'].strip().splitlines()[0]}")  # fmt: skip
    shutil.rmtree(tmp)

if __name__ == "__main__":
    main()
