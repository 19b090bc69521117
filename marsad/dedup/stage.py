"""The dedup stage against a store: the index as store rows, stored pairs, display groups."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from marsad.dedup.index import DedupConfig, DuplicateIndex, chronological
from marsad.model import Article, DuplicatePair
from marsad.store.base import Store

FINGERPRINT_KEY = "dedup_index"


def dedup_current(store: Store, config: DedupConfig | None = None) -> bool:
    """Whether the store's index was built with keys this config makes (else: rebuild)."""
    return store.get_state(FINGERPRINT_KEY) == _fingerprint(config).encode()


def dedup_reset(store: Store, config: DedupConfig | None = None) -> None:
    """Forget the index and its pairs, ready to index every stored article again."""
    store.dedup_clear()
    store.clear_duplicates()
    store.set_state(FINGERPRINT_KEY, _fingerprint(config).encode())


@lru_cache(maxsize=8)
def _fingerprint(config: DedupConfig | None) -> str:
    return DuplicateIndex(config).fingerprint()  # derives the LSH bands: ~10 ms


def find_duplicates(
    store: Store, articles: Iterable[Article], config: DedupConfig | None = None
) -> list[DuplicatePair]:
    """Match new articles against every article indexed before (in this or earlier runs).

    Stores and returns only the new pairs; articles indexed before are skipped, so running
    again on the same articles adds nothing. The stored pairs do not depend on how the
    articles were split into calls or in what order they came. One transaction: the index
    rows and the pairs are written together. An index built with an incompatible config
    (other shingles, permutations or bands) is rebuilt from every stored article.
    """
    articles = list(articles)
    with store.transaction():
        if not dedup_current(store, config):  # made by another config: from every stored article
            dedup_reset(store, config)
            articles = store.with_all_stored(articles)
        index = DuplicateIndex(config, fetch=store.articles, state=store)
        pairs: list[DuplicatePair] = []
        for article in sorted(articles, key=chronological):
            before = set(index.withdrawn)
            found = index.add(article)
            store.add_duplicates(found)  # now: a later swap in this call withdraws them
            if gone := index.withdrawn - before:
                pairs = [p for p in pairs if not gone & {p.a, p.b}]
            pairs += found
    return pairs


def duplicate_groups(pairs: Iterable[DuplicatePair]) -> list[list[str]]:
    """Connected components of the pairs: each group is one text and all its copies.

    Largest group first; ids inside a group sorted, the caller orders them by date.
    """
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        parent[root(pair.a)] = root(pair.b)
    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(root(x), []).append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g))
