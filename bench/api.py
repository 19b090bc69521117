"""POST /api/pages under load: one-record posts from concurrent clients to `marsad serve`.

    python bench/api.py [--store DB] [--posts 400] [--concurrency 8]

Without --store, a store of 1,000 ANT records is built first. The server is a real
`marsad serve` process on loopback; the posts are ANT records that the store does not
hold (every one is stored, clustered and answered). Prints p50/p99 latency and throughput.
Data: ../shared/data/ant (read-only).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ANT = ROOT.parent / "shared/data/ant/ant_v2.1.jsonl.gz"
CLI = [sys.executable, "-c", "from marsad.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", help="a SQLite store to copy and serve")
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    if not ANT.exists():
        sys.exit(f"no data at {ANT}")
    tmp = Path(tempfile.mkdtemp(prefix="marsad-api-"))
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    db = tmp / "served.db"
    if args.store:
        shutil.copy(args.store, db)
    else:
        base = tmp / "base.jsonl"
        base.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[:1000]))
        subprocess.run(
            [*CLI, "ingest", str(base), "--db", str(db)], check=True, capture_output=True
        )
    with httpx.Client() as probe:
        port = free_port()
        server = subprocess.Popen(
            [*CLI, "serve", "--db", str(db), "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                probe.get(url + "/api/stories?limit=1")
                break
            except httpx.TransportError:
                time.sleep(0.1)
    posts = [
        {"id": r["id"] + "-post", "outlet": r["source"], "published": r["time"],
         "title": r["title"], "text": r["text"]}
        for r in records[-args.posts :]
    ]  # fmt: skip

    def post(body: dict) -> tuple[float, int]:
        started = time.perf_counter()
        with httpx.Client(timeout=600) as client:
            status = client.post(url + "/api/pages", json=body).status_code
        return time.perf_counter() - started, status

    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        results = list(pool.map(post, posts))
    wall = time.perf_counter() - started
    server.terminate()
    server.wait()
    times = sorted(t for t, _ in results)
    statuses = sorted({s for _, s in results})
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    print(
        f"{len(posts)} one-record POSTs, concurrency {args.concurrency}, statuses {statuses}:"
        f" p50 {statistics.median(times) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms,"
        f" {len(posts) / wall:.1f} posts/s"
    )
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
