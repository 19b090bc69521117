"""The dedup stage against a store: persistent index state, stored pairs, display groups."""

from __future__ import annotations

from collections.abc import Iterable

from marsad.dedup.index import DedupConfig, DuplicateIndex, chronological
from marsad.model import Article, DuplicatePair
from marsad.store.base import Store

STATE_KEY = "dedup"


def find_duplicates(
    store: Store, articles: Iterable[Article], config: DedupConfig | None = None
) -> list[DuplicatePair]:
    """Match new articles against every article indexed before (in this or earlier runs).

    Stores and returns only the new pairs; articles indexed before are skipped, so running
    again on the same articles adds nothing. An index saved with an incompatible config
    (other shingles, permutations or bands) is rebuilt from every stored article.
    """
    articles = list(articles)
    saved = store.get_state(STATE_KEY)
    index = None
    if saved:
        try:
            index = DuplicateIndex.from_state(saved, config, fetch=store.articles)
        except ValueError:  # made with another config: its pairs and index no longer hold
            store.clear_duplicates()
            known = {a.id for a in articles}
            articles += [a for a in store.articles() if a.id not in known]
    if index is None:
        index = DuplicateIndex(config, fetch=store.articles)
    before = len(index)
    pairs = [pair for article in sorted(articles, key=chronological) for pair in index.add(article)]
    if pairs:
        store.add_duplicates(pairs)
    if len(index) != before:
        store.set_state(STATE_KEY, index.state())
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
