"""What follows cost an ingest: ANT day by day into two fresh SQLite stores, one without
follows and one following the largest stories, some storylines and saved searches after
day 1; the same later days ingested into both, one `ingest` per day, timed.

    python bench/follow.py [--days N] [--stories K] [--start 2018-05-01]

The follow run records an event per new article, outlet, claim and conflict of the
followed stories, and digests those stories (alignment, facts) inside the ingest: that is
what it pays for, bounded by the followed stories a day touches. Data: ../shared/data/ant
(read-only; records are written to a temporary folder, never into the repository).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.follow import follow  # noqa: E402
from marsad.pipeline import ingest  # noqa: E402
from marsad.store import open_store  # noqa: E402

ANT = ROOT.parent / "shared" / "data" / "ant" / "ant_v2.1.jsonl.gz"
SEARCHES = ("ترامب", "إيران", '"الأمم المتحدة"')


def day_files(folder: Path, start: str, days: int) -> list[Path]:
    """One JSON Lines file per publish day (UTC, from the record's own time)."""
    import email.utils

    by_day: dict[str, list[str]] = defaultdict(list)
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            day = email.utils.parsedate_to_datetime(record["time"]).strftime("%Y-%m-%d")
            by_day[day].append(line)
    wanted = [d for d in sorted(by_day) if d >= start][:days]
    out = []
    for day in wanted:
        path = folder / f"{day}.jsonl"
        path.write_text("".join(by_day[day]), encoding="utf-8")
        out.append(path)
    return out


def run(folder: Path, files: list[Path], stories: int, follows: bool) -> tuple[float, int, int]:
    """Seconds for days 2.., events recorded, follows made."""
    with open_store(folder / f"{'follows' if follows else 'none'}.db") as store:
        ingest([files[0]], store)
        made = 0
        if follows:
            for s in store.stories()[:stories]:
                made += follow(store, "story", s.id)[1]
            for line in list(store.storylines())[:3]:
                made += follow(store, "storyline", line)[1]
            for q in SEARCHES:
                made += follow(store, "search", q)[1]
        started = time.perf_counter()
        for path in files[1:]:
            ingest([path], store)
        return time.perf_counter() - started, store.last_event(), made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=8)
    parser.add_argument("--stories", type=int, default=20, help="largest stories followed")
    parser.add_argument("--start", default="2018-05-01")
    args = parser.parse_args()
    if not ANT.exists():
        sys.exit(f"no data at {ANT}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = day_files(folder, args.start, args.days)
        n = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files[1:])
        plain, _, _ = run(folder, files, args.stories, follows=False)
        followed, events, made = run(folder, files, args.stories, follows=True)
    per = len(files) - 1
    print(f"{n} records in {per} daily ingests after day 1")
    print(f"without follows: {plain:.2f} s ({plain / per * 1000:.0f} ms per ingest)")
    print(f"with {made} follows: {followed:.2f} s ({followed / per * 1000:.0f} ms per ingest),"
          f" {events} events, +{(followed - plain) / plain * 100:.1f} %")  # fmt: skip


if __name__ == "__main__":
    main()
