"""Fuzz the readers, extraction and the date parser with the strategies of
tests/test_hostile.py, many more examples, and print how many crashed.

    python bench/fuzz.py [--examples 5000] [--seed 0]

A crash is any exception out of a check (`read_file` raising, yielding something that is
not a storable Page or a Failure; `extract` raising; `iso_datetime` raising anything but
ReadError). Each target runs all its examples (a crash does not stop the run); the
distinct crashes are printed with one input that causes them. Exit status 1 if any.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import test_hostile as hostile  # noqa: E402


def run(name: str, strategy, check, examples: int, rng_seed: int) -> Counter[str]:
    crashes: Counter[str] = Counter()
    first: dict[str, str] = {}
    calls = 0

    @seed(rng_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def target(case):
        nonlocal calls
        calls += 1
        try:
            check(case)
        except Exception as exc:  # noqa: BLE001 - counted, not raised: run every example
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            key = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
            crashes[key] += 1
            first.setdefault(key, f"{exc!s:.200} <- {case!r:.300}")

    start = time.monotonic()
    target()
    seconds = time.monotonic() - start
    total = sum(crashes.values())
    print(f"{name}: {calls} examples, {total} crashes, {len(crashes)} distinct ({seconds:.1f} s)")
    for key, n in crashes.most_common():
        print(f"  {n:6d}  {key}\n          {first[key]}")
    return crashes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # trafilatura logs every empty document
    with tempfile.TemporaryDirectory() as folder:
        results = [
            run(
                "read_file",
                hostile.file_bytes(),
                lambda case: hostile.check_read(*case, Path(folder)),
                args.examples,
                args.seed,
            ),
            run("extract", hostile.PAGES, hostile.check_extract, args.examples, args.seed),
            run("iso_datetime", hostile.DATES, hostile.check_date, args.examples * 4, args.seed),
        ]
    return 1 if any(results) else 0


if __name__ == "__main__":
    sys.exit(main())
