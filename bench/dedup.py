"""Duplicate index throughput on SaudiNewsNet, next to plain datasketch and brute force.

    python bench/dedup.py [--limit 31030] [--brute 2000]

marsad: `DuplicateIndex.add` on every article in date order (exact hash, MinHash, LSH
query and insert, containment check, sentence alignment of each pair). datasketch: the
textbook use, MinHash (default sha1 hashing) of the same word 3-shingles and MinHashLSH
query + insert with its defaults (threshold 0.9), candidates neither checked nor aligned.
LSH alone: the same signatures through datasketch's MinHashLSH and marsad's buckets (in
memory, and as the SQLite rows ingest keeps) with marsad's bands x rows. Brute force:
exact containment of every pair on the first `--brute` articles (quadratic, so its
articles/s falls as the collection grows).
One core; numbers and ratios are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from datasketch import MinHash, MinHashLSH  # noqa: E402

from eval.dedup import SAUDINEWSNET, saudinewsnet_articles  # noqa: E402
from marsad import arabic  # noqa: E402
from marsad.dedup import DedupConfig, DuplicateIndex, align  # noqa: E402
from marsad.dedup.align import _side  # noqa: E402
from marsad.dedup.index import chronological, shingle_hashes  # noqa: E402
from marsad.dedup.lsh import MemoryBuckets, band_buckets  # noqa: E402
from marsad.model import Article, DuplicatePair  # noqa: E402
from marsad.store import open_store  # noqa: E402


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def marsad_index(articles: list[Article]) -> tuple[DuplicateIndex, list[DuplicatePair]]:
    index = DuplicateIndex(DedupConfig())
    return index, [p for a in articles for p in index.add(a)]


def alignment_only(articles: list[Article], pairs: list[DuplicatePair]) -> None:
    """The sentence alignment share of the index's time: the same pairs, aligned again."""
    body = {a.id: a.body for a in articles}
    _side.cache_clear()
    for p in pairs:
        align(body[p.a], body[p.b])


def tokens_only(articles: list[Article]) -> int:
    return sum(len(arabic.tokens(a.body)) for a in articles)


def datasketch_lsh(articles: list[Article], lsh: MinHashLSH) -> tuple[MinHashLSH, int]:
    """The textbook pipeline: sha1 MinHash of shingle bytes, query, insert."""
    candidates = 0
    for a in articles:
        toks = arabic.tokens(a.body)
        if len(toks) < 3:
            continue
        minhash = MinHash(num_perm=128)
        minhash.update_batch({" ".join(toks[i : i + 3]).encode() for i in range(len(toks) - 2)})
        candidates += len(lsh.query(minhash))
        lsh.insert(a.id, minhash)
    return lsh, candidates


def signatures(articles: list[Article]) -> list[tuple[str, MinHash]]:
    """marsad's MinHash of each body, computed once for the LSH-only comparison."""
    blank = MinHash(num_perm=128, hashfunc=int)
    out = []
    for a in articles:
        minhash = blank.copy()
        minhash.update_batch(shingle_hashes(arabic.tokens(a.body), 3).tolist())
        out.append((a.id, minhash))
    return out


def lsh_only(signatures: list[tuple[str, MinHash]], bands_rows: tuple[int, int]) -> dict:
    """Query + insert of the same signatures: datasketch's MinHashLSH vs marsad's BandIndex."""
    lsh = MinHashLSH(num_perm=128, params=bands_rows)
    start = time.perf_counter()
    for key, minhash in signatures:
        lsh.query(minhash)
        lsh.insert(key, minhash)
    t_datasketch = time.perf_counter() - start
    timings = {"datasketch_s": t_datasketch, "datasketch_mb": len(pickle.dumps(lsh)) / 1e6}
    with open_store(":memory:") as store:  # the store rows ingest uses, one transaction
        for name, state in (("marsad", MemoryBuckets()), ("marsad_rows", store)):
            start = time.perf_counter()
            with store.transaction():
                for key, minhash in signatures:
                    buckets = band_buckets(minhash.hashvalues.astype("uint32"), *bands_rows)
                    state.dedup_candidates(buckets)
                    state.dedup_add(key, None, buckets)
            timings[name + "_s"] = time.perf_counter() - start
    return timings


def brute_force(articles: list[Article], threshold: float) -> int:
    sets = []
    for a in articles:
        toks = arabic.tokens(a.body)
        sets.append({" ".join(toks[i : i + 3]) for i in range(len(toks) - 2)})
    copies = 0
    for j, later in enumerate(sets):
        for earlier in sets[:j]:
            small = min(len(later), len(earlier))
            if small and len(later & earlier) >= threshold * small:
                copies += 1
    return copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N articles by date")
    parser.add_argument("--brute", type=int, default=2000, help="articles for brute force")
    args = parser.parse_args()
    if not SAUDINEWSNET.is_file():
        sys.exit(f"missing {SAUDINEWSNET}")
    articles = sorted(saudinewsnet_articles(), key=chronological)[: args.limit]
    n = len(articles)

    def rate(seconds: float, count: int = n) -> str:
        return f"{count / seconds:8.0f} articles/s  ({seconds:6.1f} s)"

    config = DedupConfig()
    t_tok, _ = timed(tokens_only, articles)
    t_ours, (index, pairs) = timed(marsad_index, articles)
    t_align, _ = timed(alignment_only, articles, pairs)
    t_ds, (_, candidates) = timed(datasketch_lsh, articles, MinHashLSH(num_perm=128))
    lsh = lsh_only(signatures(articles), config.bands_rows)
    brute = articles[: args.brute]
    t_brute, copies = timed(brute_force, brute, config.threshold)

    print(f"SaudiNewsNet, {n} articles in date order, one core")
    print(f"  arabic.tokens alone             {rate(t_tok)}")
    print(f"  marsad DuplicateIndex           {rate(t_ours)}  {len(pairs)} pairs")
    print(f"    of which sentence alignment   {t_align:23.1f} s")
    print(f"  datasketch textbook (0.9)       {rate(t_ds)}  {candidates} candidates")
    print(f"  brute force, first {len(brute):<6}       {rate(t_brute, len(brute))}  {copies} pairs")
    print(f"  marsad vs datasketch textbook   {t_ds / t_ours:8.2f}x  (marsad also checks, aligns)")
    print(f"  marsad vs brute force           {(n / t_ours) / (len(brute) / t_brute):8.2f}x")
    bands, rows = config.bands_rows
    print(f"LSH alone, same signatures, {bands} bands x {rows} rows (query + insert)")
    print(f"  datasketch MinHashLSH           {rate(lsh['datasketch_s'])}")
    print(f"  marsad buckets in memory        {rate(lsh['marsad_s'])}")
    print(f"  marsad buckets as SQLite rows   {rate(lsh['marsad_rows_s'])}  (what ingest keeps)")


if __name__ == "__main__":
    main()
