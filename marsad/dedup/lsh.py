"""Banded LSH over MinHash signatures, kept as plain arrays so its state is small.

Same banding as datasketch's MinHashLSH, but each article costs one 32-bit key per band
(datasketch keeps a bytes object per band and article: ~6x the pickled size, and its
per-band Python overhead dominated the index's time on SaudiNewsNet).
"""

from __future__ import annotations

from array import array

import numpy as np


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


class BandIndex:
    """Articles bucketed by bands of their signature; a shared bucket makes a candidate.

    Buckets are chains through flat integer arrays (newest position per key, then the
    previous one with that key), not a list per bucket: millions of tiny lists made the
    garbage collector the main cost of building and loading the index.
    """

    def __init__(self, bands: int, rows: int) -> None:
        self.bands, self.rows = bands, rows
        self.ids: list[str] = []
        self._keys = array("I")  # bands keys per article, flat
        self._heads: list[dict[int, int]] = [{} for _ in range(bands)]
        self._prev = [array("q") for _ in range(bands)]  # position -> older, same key; -1 none

    def __len__(self) -> int:
        return len(self.ids)

    def band_keys(self, signature: np.ndarray) -> np.ndarray:
        """One 32-bit key per band: the band's rows mixed together."""
        rows = signature[: self.bands * self.rows].reshape(self.bands, self.rows)
        acc = np.zeros(self.bands, dtype=np.uint64)
        for j in range(self.rows):
            acc = acc * _MIX + rows[:, j].astype(np.uint64)
        return ((acc >> np.uint64(32)) ^ acc).astype(np.uint32)

    def query(self, keys: np.ndarray) -> set[str]:
        found: set[int] = set()
        for head, prev, key in zip(self._heads, self._prev, keys.tolist(), strict=True):
            position = head.get(key, -1)
            while position >= 0:
                found.add(position)
                position = prev[position]
        return {self.ids[i] for i in found}

    def insert(self, article_id: str, keys: np.ndarray) -> None:
        position = len(self.ids)
        self.ids.append(article_id)
        self._keys.extend(keys.tolist())
        for head, prev, key in zip(self._heads, self._prev, keys.tolist(), strict=True):
            prev.append(head.get(key, -1))
            head[key] = position

    def state(self) -> dict:
        keys = np.frombuffer(self._keys, dtype=np.uint32).reshape(-1, self.bands)
        return {"bands": self.bands, "rows": self.rows, "ids": self.ids, "keys": keys.copy()}

    @classmethod
    def from_state(cls, state: dict) -> BandIndex:
        """Rebuild the chains with one sort per band instead of re-inserting every article."""
        index = cls(state["bands"], state["rows"])
        keys: np.ndarray = state["keys"]
        index.ids = list(state["ids"])
        index._keys = array("I", keys.astype(np.uint32).tobytes())
        positions = np.arange(len(keys))
        for band in range(index.bands):
            column = keys[:, band]
            order = np.argsort(column, kind="stable")
            same_key = np.r_[False, column[order][1:] == column[order][:-1]]
            prev = np.empty(len(keys), dtype=np.int64)
            prev[order] = np.where(same_key, np.r_[-1, order[:-1]], -1)
            index._prev[band] = array("q", prev.tobytes())
            index._heads[band] = dict(zip(column.tolist(), positions.tolist(), strict=True))
        return index
