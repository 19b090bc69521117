"""Story clustering throughput on the ANT stream, one day per `update_stories` call.

Prints articles/s and the cost of a late batch (yesterday's articles arriving after
today's: placed where their time puts them, the articles after them placed again while
they could change). Data: ../shared/data/ant (read-only).

    python bench/cluster.py [--days N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from stories import ANT, ant_article, ant_records  # noqa: E402

from marsad.cluster import update_stories  # noqa: E402
from marsad.model import Extraction, Page  # noqa: E402
from marsad.store import open_store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30, help="days of ANT to stream")
    parser.add_argument("--end", default="2018-06-01", help="first day not streamed")
    args = parser.parse_args()
    if not ANT.exists():
        sys.exit(f"no data at {ANT}")
    by_day = defaultdict(list)
    for record in ant_records():
        article = ant_article(record)
        by_day[article.published[:10]].append(article)
    days = [d for d in sorted(by_day) if d < args.end][-args.days - 1 :]
    with open_store(":memory:") as store:
        update_stories(store, [])  # the state exists before the articles are stored
        for day in days:  # the store holds the articles, as after the pipeline's extraction
            for a in by_day[day]:
                store.add_extraction(Extraction(Page(a.id, "text", a.id), [a]))
        total, spent = 0, 0.0
        for day in days[:-2] + days[-1:]:  # the day before last is held back: it comes late
            started = time.perf_counter()
            update_stories(store, by_day[day])
            spent += time.perf_counter() - started
            total += len(by_day[day])
        print(f"{total} articles, {len(days) - 1} daily batches: {total / spent:.0f} articles/s")
        print(f"{len(store.stories())} stories")
        late = by_day[days[-2]]
        started = time.perf_counter()
        update_stories(store, late)
        print(
            f"a late day ({len(late)} articles before {len(by_day[days[-1]])} newer ones):"
            f" {time.perf_counter() - started:.2f} s"
        )
        started = time.perf_counter()
        update_stories(store, late)
        print(f"the same day again (a no-op): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
