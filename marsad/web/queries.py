"""Store reads the REST API and the UI share: filtered, paged lists and one article's view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from marsad.model import Article, Dropped, Story
from marsad.store import Store


@dataclass(frozen=True)
class Window:
    """Filters of a listing: an outlet and a day range (both ends inclusive)."""

    outlet: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

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
        return (self.outlet is None or self.outlet in story.outlets) and self.dated(
            story.start, story.end
        )

    def has_article(self, article: Article) -> bool:
        return (self.outlet is None or article.outlet == self.outlet) and self.dated(
            article.published, article.published
        )


def latest_stories(store: Store, window: Window = Window()) -> list[Story]:
    """Stories in the window, the most recently active first."""
    stories = [s for s in store.stories() if window.has_story(s)]
    return sorted(stories, key=lambda s: (s.end or s.start or "", s.id), reverse=True)


def latest_articles(
    store: Store, window: Window = Window(), *, limit: int, offset: int = 0
) -> tuple[int, list[Article]]:
    """(how many articles match, one page of them, newest first). Scans the store once
    keeping only keys, then reads the page's articles."""
    keys = sorted(
        ((a.published or "", a.id) for a in store.articles() if window.has_article(a)),
        reverse=True,
    )
    page = [aid for _, aid in keys[offset : offset + limit]]
    found = {a.id: a for a in store.articles(page)}
    return len(keys), [found[aid] for aid in page]


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
