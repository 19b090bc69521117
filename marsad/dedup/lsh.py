"""MinHash signatures and banded LSH buckets, as plain integers a store can index.

Same banding as datasketch's MinHashLSH, but each article costs one 64-bit bucket per band
(band number and a 32-bit key of the band's rows), which the store keeps as indexed rows:
a candidate lookup is one indexed query, not a load of the whole index. The MinHash is
computed here with numpy (multiply-shift hashing, 2**64 arithmetic) instead of importing
datasketch, whose import pulls in scipy (2.7 s at every start).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=16)
def optimal_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) minimizing missed pairs above `threshold` plus candidates below it.

    The S-curve P(candidate | Jaccard s) = 1 - (1 - s^r)^b; the error is the area above the
    curve right of the threshold plus the area under it left of the threshold, equally
    weighted (datasketch's rule, computed on a grid instead of with scipy quad).
    """
    below, above = np.linspace(0.0, threshold, 501), np.linspace(threshold, 1.0, 501)
    best, best_error = (1, 1), np.inf
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            false_pos = np.trapezoid(1 - (1 - below**r) ** b, below)
            false_neg = np.trapezoid((1 - above**r) ** b, above)
            if false_pos + false_neg < best_error:
                best, best_error = (b, r), false_pos + false_neg
    return best


_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(32)


class MinHasher:
    """`num_perm` hash functions h(x) = (a·x + b) mod 2**64 >> 32, a odd: a fixed seed, so
    signatures compare across runs and machines."""

    def __init__(self, num_perm: int, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.a = rng.integers(0, 1 << 63, num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        self.b = rng.integers(0, 1 << 63, num_perm, dtype=np.uint64)

    def signature(self, shingles: np.ndarray, block: int = 2048) -> np.ndarray:
        """Per hash function, the least hash of any shingle (blocks bound the memory)."""
        out = np.full(self.a.size, 0xFFFFFFFF, dtype=np.uint64)
        values = shingles.astype(np.uint64)
        for start in range(0, values.size, block):
            part = values[start : start + block, None]
            out = np.minimum(out, ((part * self.a + self.b) >> _SHIFT).min(axis=0))
        return out.astype(np.uint32)


def band_buckets(signature: np.ndarray, bands: int, rows: int) -> list[int]:
    """One bucket per band: the band number above a 32-bit mix of the band's rows."""
    block = signature[: bands * rows].reshape(bands, rows)
    acc = np.zeros(bands, dtype=np.uint64)
    for j in range(rows):
        acc = acc * _MIX + block[:, j].astype(np.uint64)
    keys = ((acc >> _SHIFT) ^ acc) & np.uint64(0xFFFFFFFF)
    return (keys + (np.arange(bands, dtype=np.uint64) << _SHIFT)).astype(np.int64).tolist()


class MemoryBuckets:
    """The duplicate index's state in memory (evaluation, benchmarks); ingest keeps the same
    state as store rows."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.exact: dict[str, str] = {}
        self.buckets: defaultdict[int, list[str]] = defaultdict(list)
        self.groups: defaultdict[str, list[str]] = defaultdict(list)
        self.when: dict[str, float | None] = {}

    def __len__(self) -> int:
        return len(self.seen)

    def dedup_seen(self, ids: Sequence[str]) -> set[str]:
        return {i for i in ids if i in self.seen}

    def dedup_first(self, exact_key: str, article_id: str) -> str:
        return self.exact.setdefault(exact_key, article_id)

    def dedup_candidates(
        self, buckets: Sequence[int], near: tuple[float, float] | None = None
    ) -> set[str]:
        found = {a for b in buckets for a in self.buckets.get(b, ())}
        if near is None:
            return found
        return {a for a in found if (w := self.when.get(a)) is None or near[0] <= w <= near[1]}

    def dedup_add(
        self,
        article_id: str,
        exact_key: str | None,
        buckets: Sequence[int],
        when: float | None = None,
    ) -> None:
        self.seen.add(article_id)
        self.when[article_id] = when
        if exact_key is not None:
            self.groups[exact_key].append(article_id)
        for b in buckets:
            self.buckets[b].append(article_id)

    def dedup_group(self, exact_key: str) -> list[str]:
        return sorted(self.groups.get(exact_key, ()))

    def dedup_swap(self, exact_key: str, old: str, new: str, buckets: Sequence[int]) -> None:
        self.exact[exact_key] = new
        for b in buckets:
            ids = self.buckets[b]
            ids[:] = [new if i == old else i for i in ids]
