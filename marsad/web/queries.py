"""Store reads the REST API, the UI and the CLI share: filtered, paged lists, stories'
coverage and one article's view."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from marsad.cluster.storylines import storylines
from marsad.coverage import Coverage, coverage
from marsad.model import Article, Dropped, Story, Storyline
from marsad.store import Store


@dataclass(frozen=True)
class Window:
    """Filters of a listing: an outlet and a day range (both ends inclusive); stories also by
    size (`min_size=2` hides single articles) and storyline."""

    outlet: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    min_size: int = 1
    storyline: str | None = None

    def dated(self, start: str | None, end: str | None) -> bool:
        """Whether a span [start, end] (ISO strings) overlaps the day range."""
        if self.since is None and self.until is None:
            return True
        first, last = (start or end or "")[:10], (end or start or "")[:10]
        if not first:
            return False  # undated: not in any range
        if self.since is not None and last < self.since.isoformat():
            return False
        return self.until is None or first <= self.until.isoformat()

    def has_story(self, story: Story) -> bool:
        return (
            story.size >= self.min_size
            and (self.storyline is None or story.storyline == self.storyline)
            and (self.outlet is None or self.outlet in story.outlets)
            and self.dated(story.start, story.end)
        )

    def stories(self, stories: Iterable[Story]) -> list[Story]:
        """The stories in the window, in their order: the one filter of the API, UI and CLI."""
        return [s for s in stories if self.has_story(s)]

    def has_article(self, key: ArticleKey) -> bool:
        return (self.outlet is None or key.outlet == self.outlet) and self.dated(
            key.published, key.published
        )


class ArticleKey(NamedTuple):
    published: str
    id: str
    outlet: str | None


class Listings:
    """The story list and the article keys, newest first, kept between requests and rebuilt
    when the store's counts change. Stores only grow, and stories change only when
    articles arrive, so the counts say when a listing is stale (also after another process
    ingested into the same store)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stories: tuple[tuple, list[Story]] | None = None
        self._storylines: tuple[tuple, list[Storyline]] | None = None
        self._articles: tuple[tuple, list[ArticleKey], dict[str, str | None]] | None = None

    def stories(self, store: Store, window: Window = Window()) -> list[Story]:
        """Stories in the window, the most recently active first."""
        version = _version(store)
        with self._lock:
            cached = self._stories
        if cached is None or cached[0] != version:
            stories = sorted(
                store.stories(), key=lambda s: (s.end or s.start or "", s.id), reverse=True
            )
            cached = (version, stories)
            with self._lock:
                self._stories = cached
        return window.stories(cached[1])

    def storylines(self, store: Store) -> list[Storyline]:
        """Every storyline, the largest first (kept while the store is unchanged)."""
        version = _version(store)
        with self._lock:
            cached = self._storylines
        if cached is None or cached[0] != version:
            cached = (version, storylines(store))
            with self._lock:
                self._storylines = cached
        return cached[1]

    def outlets(self, store: Store) -> list[str]:
        return sorted({o for s in self.stories(store) for o in s.outlets})

    def _keys(self, store: Store) -> tuple[list[ArticleKey], dict[str, str | None]]:
        """The article keys, newest first, and each article's outlet by id."""
        version = _version(store)
        with self._lock:
            cached = self._articles
        if cached is None or cached[0] != version:
            keys = [ArticleKey(a.published or "", a.id, a.outlet) for a in store.articles()]
            cached = (version, sorted(keys, reverse=True), {k.id: k.outlet for k in keys})
            with self._lock:
                self._articles = cached
        return cached[1], cached[2]

    def coverage(self, store: Store, stories: Iterable[Story]) -> dict[str, Coverage]:
        """Each story's coverage, by story id, from the article keys kept between requests
        (a page of 30 stories costs no article reads)."""
        outlet_of = self._keys(store)[1]
        return {s.id: coverage(s.article_ids, outlet_of) for s in stories}

    def articles(
        self, store: Store, window: Window = Window(), *, limit: int, offset: int = 0
    ) -> tuple[int, list[Article]]:
        """(how many articles are in the window, one page of them, newest first)."""
        matching = [k.id for k in self._keys(store)[0] if window.has_article(k)]
        page = matching[offset : offset + limit]
        found = {a.id: a for a in store.articles(page)}
        return len(matching), [found[aid] for aid in page]


def _version(store: Store) -> tuple:
    return tuple(sorted(store.counts().items()))


@dataclass
class ArticleView:
    """An article with what the pages show beside it: its story and the lines dropped from
    its page on the way to the clean text."""

    article: Article
    story: Story | None
    dropped: list[Dropped]


def article_view(store: Store, article_id: str) -> ArticleView | None:
    article = store.article(article_id)
    if article is None:
        return None
    return ArticleView(article, store.story_of(article_id), store.dropped(article.page_id))
