"""Where the clusterer keeps its log and vectors: the protocol, and an in-memory state for
evaluation and tests (ingest keeps the same state as store rows, `marsad.store.state`)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from marsad.store.state import Entry

Terms = dict[str, float]


class ClusterState(Protocol):
    """The clusterer's log (one `Entry` per placed article, in (ts, id) order) and the
    articles' term vectors."""

    def cluster_known(self, ids: Sequence[str]) -> set[str]: ...

    def cluster_before(self, key: tuple[float, str]) -> Entry | None:
        """The last entry before `key`."""

    def cluster_since(self, at: float, key: tuple[float, str]) -> list[Entry]:
        """Entries counted at `at` or later and logged before `key`, in log order."""

    def cluster_from(
        self, key: tuple[float, str], limit: int, inclusive: bool = True
    ) -> list[Entry]:
        """Up to `limit` entries from `key` on (that one included unless not `inclusive`),
        in log order."""

    def cluster_vectors(self, ids: Sequence[str]) -> dict[str, tuple[str, Terms]]: ...

    def cluster_apply(
        self, entries: Sequence[Entry], vectors: Sequence[tuple[str, str, Terms]]
    ) -> None:
        """Insert or replace these entries; store (id, title, terms) of new articles."""

    def cluster_members(self, story: str) -> list[Entry]: ...


class MemoryClusterState:
    """The clusterer's state in memory."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.log: list[Entry] = []
        self.keys: list[tuple[float, str]] = []
        self.ats: list[float] = []
        self.vectors: dict[str, tuple[str, Terms]] = {}
        self.members: dict[str, list[Entry]] = defaultdict(list)

    def cluster_known(self, ids: Sequence[str]) -> set[str]:
        return {i for i in ids if i in self.entries}

    def cluster_before(self, key: tuple[float, str]) -> Entry | None:
        i = bisect.bisect_left(self.keys, key)
        return self.log[i - 1] if i else None

    def cluster_since(self, at: float, key: tuple[float, str]) -> list[Entry]:
        end = bisect.bisect_left(self.keys, key)
        return self.log[bisect.bisect_left(self.ats, at, 0, end) : end]

    def cluster_from(
        self, key: tuple[float, str], limit: int, inclusive: bool = True
    ) -> list[Entry]:
        start = (bisect.bisect_left if inclusive else bisect.bisect_right)(self.keys, key)
        return self.log[start : start + limit]

    def cluster_vectors(self, ids: Sequence[str]) -> dict[str, tuple[str, Terms]]:
        return {i: self.vectors[i] for i in ids if i in self.vectors}

    def cluster_apply(
        self, entries: Sequence[Entry], vectors: Sequence[tuple[str, str, Terms]]
    ) -> None:
        appended = all(
            e.id not in self.entries and (not self.keys or e.key() > self.keys[-1]) for e in entries
        ) and all(a.key() < b.key() for a, b in zip(entries, entries[1:], strict=False))
        for aid, title, terms in vectors:
            self.vectors[aid] = (title, terms)
        if appended:  # the common case: new articles after everything placed
            for e in entries:
                self.entries[e.id] = e
                self.log.append(e)
                self.keys.append(e.key())
                self.ats.append(e.at)
                self.members[e.story].append(e)
            return
        self.entries.update((e.id, e) for e in entries)
        self.log = sorted(self.entries.values(), key=Entry.key)
        self.keys = [e.key() for e in self.log]
        self.ats = [e.at for e in self.log]
        self.members = defaultdict(list)
        for e in self.log:
            self.members[e.story].append(e)

    def cluster_members(self, story: str) -> list[Entry]:
        return list(self.members.get(story, ()))

    def assignments(self) -> dict[str, str]:
        return {e.id: e.story for e in self.log}

    def story_ids(self) -> list[str]:
        return list(self.members)
