"""Arabic text layer throughput on ANT article texts: MB/s of normalize, tokens, stems and
sentences (stems twice: with a cold word cache, then warm, as in a long-running process).

    python bench/arabic.py [--articles N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad import arabic  # noqa: E402

ANT = ROOT.parent / "shared" / "data" / "ant" / "ant_v2.1.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args()
    if not ANT.exists():
        sys.exit(f"no data at {ANT}")
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in islice(f, args.articles)]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"{len(texts)} ANT articles, {mb:.1f} MB of UTF-8")
    arabic._stem.cache_clear()
    runs = [
        ("normalize", arabic.normalize),
        ("tokens", arabic.tokens),
        ("stems (cold cache)", arabic.stems),
        ("stems (warm cache)", arabic.stems),
        ("sentences", arabic.sentences),
    ]
    for name, fn in runs:
        started = time.perf_counter()
        for text in texts:
            fn(text)
        seconds = time.perf_counter() - started
        print(f"{name:<20} {mb / seconds:7.2f} MB/s  {len(texts) / seconds:8.0f} articles/s")


if __name__ == "__main__":
    main()
