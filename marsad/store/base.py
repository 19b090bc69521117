"""The storage interface every backend implements (SQLite and PostgreSQL)."""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager

from marsad.model import Article, Dropped, DuplicatePair, Extraction, Failure, Story
from marsad.query import INDEX_VERSION, STATE_KEY, Filters, Query
from marsad.store.follows import FollowRows
from marsad.store.state import LEGACY_STATE_KEYS


class Store(FollowRows, ABC):
    """Pages, articles, drop counts, failures, duplicates, stories, stage state, follows
    and their events.

    Writes of one page are atomic: a page is stored with all its articles, drops and search
    index entries, or not at all. Re-adding a page whose content hash is known is a no-op.
    `transaction()` makes many writes one (an ingest chunk: pages, duplicate index, stories)
    and holds the store's write lock meanwhile, so concurrent writers take turns.
    """

    def waiting(self, message: str) -> None:
        """Told when a write waits for another writer (the CLI prints it)."""
        print(message, file=sys.stderr)

    _depth = 0  # transactions open: only the outermost commits

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of writes under the store's write lock; nests (an inner one is
        part of the outer)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with self._locked():
            self._depth = 1
            try:
                yield
            finally:
                self._depth = 0

    @abstractmethod
    def _locked(self) -> AbstractContextManager[None]:
        """The backend's outermost transaction, holding the store's write lock."""

    def _opened(self) -> None:
        """Bring an existing store up to this version: old stage blobs go unread, the
        search index is rebuilt when made by another analysis."""
        rows = self._rows("SELECT key FROM state WHERE key IN (?, ?)", LEGACY_STATE_KEYS)
        legacy = [key for key in LEGACY_STATE_KEYS if (key,) in rows]
        stale = self.get_state(STATE_KEY) != INDEX_VERSION.encode()
        if not (legacy or stale):
            return
        with self.transaction():
            for key in legacy:  # deleted unread
                self._run("DELETE FROM state WHERE key = ?", (key,))
            if legacy:
                self.waiting(
                    f"store written by an older marsad: its {' and '.join(legacy)} state"
                    " is rebuilt from the stored articles on the next ingest"
                )
            if self.get_state(STATE_KEY) != INDEX_VERSION.encode():
                self.reindex()

    # --- pages and articles -------------------------------------------------------------
    @abstractmethod
    def has_page(self, page_id: str) -> bool: ...

    @abstractmethod
    def add_extraction(self, extraction: Extraction) -> bool:
        """Store a page with its articles and drops; False when the page was already there."""

    @abstractmethod
    def add_failure(self, failure: Failure) -> None: ...

    @abstractmethod
    def failures(self) -> list[Failure]: ...

    @abstractmethod
    def articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        """Articles in (published, id) order; only `ids` when given."""

    @abstractmethod
    def article(self, article_id: str) -> Article | None: ...

    def with_all_stored(self, articles: list[Article]) -> list[Article]:
        """These articles and every other stored one (a stage rebuilding its state)."""
        known = {a.id for a in articles}
        return articles + [a for a in self.articles() if a.id not in known]

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """pages, articles, failures, stories, duplicates."""

    @abstractmethod
    def drop_counts(self) -> Counter[str]: ...

    @abstractmethod
    def dropped(self, page_id: str) -> list[Dropped]:
        """Every line extraction removed from a page, in page order (what the UI shows)."""

    # --- duplicates and stories ---------------------------------------------------------
    @abstractmethod
    def add_duplicates(self, pairs: Iterable[DuplicatePair]) -> None: ...

    @abstractmethod
    def duplicates(self, article_ids: Iterable[str] | None = None) -> list[DuplicatePair]:
        """Pairs touching any of `article_ids` (all pairs when None)."""

    @abstractmethod
    def clear_duplicates(self) -> None:
        """Forget every pair (the index that found them is being rebuilt)."""

    @abstractmethod
    def save_stories(self, stories: Iterable[Story]) -> None:
        """Insert or replace these stories (and their article membership)."""

    @abstractmethod
    def delete_stories(self, story_ids: Iterable[str]) -> None: ...

    @abstractmethod
    def stories(self) -> list[Story]:
        """All stories, largest first."""

    @abstractmethod
    def story(self, story_id: str) -> Story | None: ...

    @abstractmethod
    def story_of(self, article_id: str) -> Story | None:
        """The story an article belongs to (None before clustering)."""

    # --- full-text search (marsad.search builds queries; the index lives in the store) ----
    @abstractmethod
    def search_articles(
        self, query: Query, filters: Filters, limit: int, offset: int
    ) -> list[tuple[str, float, str | None]]:
        """(article id, BM25 score, story id) of matching articles, best score first."""

    @abstractmethod
    def reindex(self) -> int:
        """Rebuild the search index from the stored articles; how many were indexed.

        Stores call it on open when the index was made by another analysis version (or
        predates search), so every stored article is searchable.
        """

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
