"""End-to-end `marsad digest` on the labelled ANT window (242 articles, 2018-03-12..13), or
with `--archive` on the whole ANT archive (31,510 articles, Feb–Oct 2018).

Writes the window's raw records as one JSON Lines file (outside the repository), then times
the command a user runs: read, extract, dedup, cluster, and the digest of every story
(summary, entities, timeline, facts) written as JSON and HTML. Stage times are printed too.

    python bench/digest.py [--archive] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from stories import ANT, window_file  # noqa: E402


def main() -> None:
    from click.testing import CliRunner

    from marsad.cli import main as cli

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="keep the digest here")
    parser.add_argument("--archive", action="store_true", help="the whole ANT archive")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "digest"
        source = ANT if args.archive else window_file(Path(tmp))
        start = time.perf_counter()
        result = CliRunner().invoke(
            cli, ["digest", str(source), "--out", str(out), "--db", ":memory:", "--timings"]
        )
        elapsed = time.perf_counter() - start
        if result.exit_code != 0:
            raise SystemExit(result.output)
        print(result.output.splitlines()[0])
        print("\n".join(line for line in result.output.splitlines() if line.startswith("time")))
        digest = json.loads((out / "digest.json").read_text("utf-8"))
        sizes = [s["size"] for s in digest["stories"]]
        print(
            f"digest: {len(digest['articles'])} articles, {len(sizes)} stories"
            f" ({sum(s > 1 for s in sizes)} with 2+ articles) in {elapsed:.1f} s"
            f" ({len(digest['articles']) / elapsed:.0f} articles/s)"
        )


if __name__ == "__main__":
    main()
