"""What the two ANT-derived tables (word classes, cue profiles) share: reading the corpus
into normalized tokens, loading a shipped word table, and the build command."""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from marsad.arabic import normalize

DATA = Path(__file__).resolve().parents[1] / "data"
DEFAULT_ANT = Path(__file__).resolve().parents[2].parent / "shared/data/ant/ant_v2.1.jsonl.gz"


@lru_cache(maxsize=1 << 18)
def _norm(token: str) -> str:
    return normalize(token)


HELD_OUT = "201805"  # ANT ids end in YYYYMMDD: May 2018 is held out for the project's tests


def records(ant: Path, every: int = 1) -> Iterator[dict]:
    """Every `every`-th ANT record, May 2018 left out."""
    with gzip.open(ant, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n % every == 0 and (rec := json.loads(line))["id"][-8:-2] != HELD_OUT:
                yield rec


def paragraphs(ant: Path) -> Iterator[list[str]]:
    """Normalized tokens of every title and paragraph of the ANT corpus (CRF tokenization)."""
    from marsad.entities.features import tokenize

    for rec in records(ant):
        for para in f"{rec.get('title') or ''}\n{rec.get('text') or ''}".split("\n"):
            yield [_norm(t) for t, _, _ in tokenize(para)]


def load_table(path: Path) -> dict[str, str]:
    """A shipped word → value table; empty when it is not there."""
    if not path.is_file():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return dict(line.rstrip("\n").split("\t") for line in f)


def build_command(
    doc: str, default_out: Path, build: Callable[[Path, Path], None], argv: list[str] | None
) -> None:
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--ant", type=Path, default=DEFAULT_ANT, help="ANT corpus jsonl.gz")
    ap.add_argument("--out", type=Path, default=default_out)
    args = ap.parse_args(argv)
    if not args.ant.is_file():
        raise SystemExit(f"ANT corpus not found: {args.ant}")
    build(args.ant, args.out)
    print(f"{args.out} {args.out.stat().st_size / 1e6:.2f} MB")
