"""Incremental duplicate index: exact bodies by hash, wire copies by MinHash LSH.

Exact duplicates share the normalized word sequence of their bodies (punctuation, spacing,
diacritics and letter variants ignored). Near duplicates share word 3-shingles: LSH finds
candidates, and a candidate is a copy when most shingles of the shorter body occur in the
longer one (containment, not Jaccard: a short dispatch inside a longer article with an added
paragraph is a copy). Only the first body of an exact group enters the LSH, so a filed-twice
article does not multiply its near pairs.

Measured on SaudiNewsNet (eval/dedup.py): containment ranks pairs that reuse sentences above
pairs that do not better than Jaccard at every shingle size (ROC AUC 0.953 vs 0.921 at 3
words); 3 words gain 0.011 over single words, longer shingles gain < 0.004 while every
edited word breaks more of them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Literal, NamedTuple, Protocol

import numpy as np

from marsad import arabic
from marsad.dedup.align import align
from marsad.dedup.lsh import MemoryBuckets, MinHasher, band_buckets, optimal_bands
from marsad.model import Article, DuplicatePair

Fetch = Callable[[list[str]], Iterable[Article]]


@dataclass(frozen=True)
class DedupConfig:
    """What counts as a copy; the LSH parameters are derived from it.

    A pair is a near duplicate when at least `threshold` of the shorter body's shingles occur
    in the longer one and the shorter has at least `min_ratio` of the longer's shingles.
    """

    threshold: float = 0.6
    min_ratio: float = 0.2
    shingle: int = 3  # words per shingle
    num_perm: int = 128
    min_tokens: int = 10  # shorter bodies (empty, a byline) are never duplicates
    fuzzy: float = 0.8  # share of a sentence's word pairs the other copy must carry
    # Copies appear within days; templates (weather, royal cables, court notices) recur for
    # weeks with other names in the same text. Dated near pairs further apart are dropped.
    max_days: float | None = 3.0

    @property
    def lsh_threshold(self) -> float:
        """Lowest Jaccard a copy can have: containment `threshold` at size ratio `min_ratio`.

        With |S| = r|L| and |S & L| = t|S|, Jaccard = tr / (1 + r - tr).
        """
        t, r = self.threshold, self.min_ratio
        return t * r / (1 + r - t * r)

    @cached_property
    def bands_rows(self) -> tuple[int, int]:
        return optimal_bands(self.lsh_threshold, self.num_perm)


_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_MOD = 1 << 64


def _table(base: int, size: int) -> np.ndarray:
    """base**i modulo 2**64 for i < size, by doubling (uint64 products wrap modulo 2**64)."""
    table = np.ones(max(size, 1), dtype=np.uint64)
    filled, step = 1, base % _MOD  # step = base**filled
    while filled < size:
        n = min(filled, size - filled)
        table[filled : filled + n] = table[:n] * np.uint64(step)
        filled += n
        step = step * step % _MOD
    return table[:size]


_KEEP = 1 << 20  # tables up to this length stay cached; a longer page pays for its own
_POWERS = _table(_BASE, 4096)
_INVERSES = _table(pow(_BASE, -1, _MOD), 4096)


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**i and BASE**-i modulo 2**64 for i < n (tables grown on demand, up to _KEEP)."""
    global _POWERS, _INVERSES
    if _POWERS.size < n:
        size = min(2 * n, _KEEP) if n <= _KEEP else n
        powers, inverses = _table(_BASE, size), _table(pow(_BASE, -1, _MOD), size)
        if size > _KEEP:
            return powers[:n], inverses[:n]
        _POWERS, _INVERSES = powers, inverses
    return _POWERS[:n], _INVERSES[:n]


def shingle_hashes(toks: list[str], k: int) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the k-word shingles, stable across runs.

    A polynomial hash of the characters, modulo 2**64: prefix sums over the whole text give
    every shingle's hash in one vectorized step instead of a Python call per word.
    """
    n = len(toks) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint32)
    codes = np.frombuffer((" ".join(toks) + " ").encode("utf-32-le"), dtype=np.uint32)
    powers, inverses = _powers(codes.size)
    prefix = np.r_[np.uint64(0), np.cumsum(codes * powers)]  # wraps modulo 2**64
    ends = np.flatnonzero(codes == 32)  # tokens hold no spaces: one space after each
    starts = np.r_[0, ends[:-1] + 1]
    hashes = (prefix[ends[k - 1 :]] - prefix[starts[:n]]) * inverses[starts[:n]]
    return np.unique((hashes >> np.uint64(32)) ^ (hashes & np.uint64(0xFFFFFFFF))).astype(np.uint32)


def chronological(article: Article) -> tuple[bool, str, str]:
    """Earlier copy first: by published (undated last), then id."""
    return (article.published is None, article.published or "", article.id)


def epoch_seconds(published: str | None) -> float | None:
    """Seconds since the epoch of an ISO date (naive = UTC); None when absent or unparsable."""
    try:
        moment = datetime.fromisoformat(published or "")
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    except (ValueError, OverflowError):
        return None


class DedupState(Protocol):
    """Where the index keeps what it has seen: in memory (`MemoryBuckets`, for evaluation)
    or as store rows (`marsad.store.state.StateRows`, for ingest)."""

    def dedup_seen(self, ids: Sequence[str]) -> set[str]: ...

    def dedup_first(self, exact_key: str, article_id: str) -> str: ...

    def dedup_candidates(
        self, buckets: Sequence[int], near: tuple[float, float] | None = None
    ) -> set[str]: ...

    def dedup_add(
        self,
        article_id: str,
        exact_key: str | None,
        buckets: Sequence[int],
        when: float | None = None,
    ) -> None: ...

    def dedup_group(self, exact_key: str) -> list[str]: ...

    def dedup_swap(self, exact_key: str, old: str, new: str, buckets: Sequence[int]) -> None: ...


class _Doc(NamedTuple):
    article: Article
    shingles: np.ndarray
    when: float | None

    @classmethod
    def of(cls, article: Article, toks: list[str], k: int) -> _Doc:
        return cls(article, shingle_hashes(toks, k), epoch_seconds(article.published))


class DuplicateIndex:
    """Finds the copies of each added article among all articles added before it.

    `state` holds what was seen (default: in memory); `fetch(ids)` supplies earlier
    articles that are not in memory (those indexed in an earlier run), for verification.
    """

    def __init__(
        self,
        config: DedupConfig | None = None,
        fetch: Fetch | None = None,
        state: DedupState | None = None,
    ) -> None:
        self.config = config or DedupConfig()
        self._fetch = fetch
        self.state: DedupState = state if state is not None else MemoryBuckets()
        self._hasher = MinHasher(self.config.num_perm)
        self._docs: dict[str, _Doc] = {}  # articles met by this instance, for verification
        self.withdrawn: set[str] = set()  # articles whose earlier pairs no longer hold

    def add(self, article: Article) -> list[DuplicatePair]:
        """Index one article; its pairs with earlier articles (none if seen before).

        Exact duplicates are paired whatever their dates, each with the earliest copy of
        the body (by publish time, then id) whatever order they arrive in; only that copy
        is in the LSH, so near pairs are between earliest copies, within `max_days`. When
        an earlier copy arrives late, the pairs of the one it replaces are withdrawn
        (`withdrawn`; the store deletes them) and made again with it.
        """
        if self.state.dedup_seen([article.id]):
            return []
        toks = arabic.tokens(article.body)
        if len(toks) < self.config.min_tokens:
            self.state.dedup_add(article.id, None, [])
            return []
        key = hashlib.blake2b(" ".join(toks).encode(), digest_size=8).hexdigest()
        doc = _Doc.of(article, toks, self.config.shingle)
        first = self.state.dedup_first(key, article.id)
        self._docs[article.id] = doc
        buckets = band_buckets(self._hasher.signature(doc.shingles), *self.config.bands_rows)
        if first == article.id:
            self.state.dedup_add(article.id, key, buckets, doc.when)
            return self._near_pairs(doc, buckets)
        (earlier,) = self._load([first]) or [None]
        if earlier is None or chronological(earlier.article) < chronological(article):
            self.state.dedup_add(article.id, key, [])
            return [self._pair(earlier, doc, "exact", 1.0)] if earlier else []
        copies = self.state.dedup_group(key)
        self.state.dedup_swap(key, first, article.id, buckets)
        self.state.dedup_add(article.id, key, [], doc.when)
        self.withdrawn.add(first)
        pairs = [self._pair(other, doc, "exact", 1.0) for other in self._load(copies)]
        return pairs + self._near_pairs(doc, buckets)

    def _near_pairs(self, doc: _Doc, buckets: list[int]) -> list[DuplicatePair]:
        pairs = []
        days = self.config.max_days
        near = None
        if days is not None and doc.when is not None:
            near = (doc.when - days * 86400, doc.when + days * 86400)
        candidates = self.state.dedup_candidates(buckets, near) - {doc.article.id}
        for other in self._load(sorted(candidates)):
            if not self._near_in_time(doc, other):
                continue
            similarity = self._containment(doc.shingles, other.shingles)
            if similarity is not None:
                pairs.append(self._pair(other, doc, "near", similarity))
        return pairs

    def _containment(self, x: np.ndarray, y: np.ndarray) -> float | None:
        """Share of the shorter's shingles in the longer, when it makes the pair a copy."""
        small, large = sorted((x.size, y.size))
        if small == 0 or small < self.config.min_ratio * large:
            return None
        share = np.intersect1d(x, y, assume_unique=True).size / small
        return share if share >= self.config.threshold else None

    def _near_in_time(self, x: _Doc, y: _Doc) -> bool:
        days = self.config.max_days
        if days is None or x.when is None or y.when is None:
            return True
        return abs(x.when - y.when) <= days * 86400

    def _load(self, ids: Iterable[str]) -> list[_Doc]:
        """Docs of these ids, fetching (and caching) the ones this instance has not met."""
        ids = list(ids)
        missing = [i for i in ids if i not in self._docs]
        if missing and self._fetch is not None:
            for article in self._fetch(missing):
                toks = arabic.tokens(article.body)
                self._docs[article.id] = _Doc.of(article, toks, self.config.shingle)
        return [self._docs[i] for i in ids if i in self._docs]

    def _pair(
        self, x: _Doc, y: _Doc, kind: Literal["exact", "near"], similarity: float
    ) -> DuplicatePair:
        a, b = sorted((x.article, y.article), key=chronological)
        alignment = align(a.body, b.body, self.config.fuzzy)
        return DuplicatePair(
            a.id,
            b.id,
            kind,
            round(similarity, 4),
            shared=alignment.shared,
            added_a=alignment.added_a,
            added_b=alignment.added_b,
        )

    def fingerprint(self) -> str:
        """What stored keys depend on: another value makes old and new keys incomparable,
        so a store whose index has another fingerprint rebuilds it."""
        probe = (
            shingle_hashes(["ا", "ب", "ج"], 3).tobytes()
            + self._hasher.signature(np.arange(5, dtype=np.uint32)).tobytes()
        )
        return json.dumps(
            {
                "shingle": self.config.shingle,
                "min_tokens": self.config.min_tokens,
                "bands_rows": list(self.config.bands_rows),
                "hashes": hashlib.blake2b(probe, digest_size=8).hexdigest(),
            },
            sort_keys=True,
        )
