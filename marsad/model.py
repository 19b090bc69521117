"""The core contract: plain records that flow between stages.

Every stage takes and returns these dataclasses only, so a stage can run in-process, in a
worker pool or on Dask without knowing about the others.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Literal
from urllib.parse import urlsplit

PageKind = Literal["text", "html"]


def content_hash(text: str) -> str:
    """Stable 16-hex id of a text: same content, same id, whatever file it came from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


MIN_YEAR, MAX_YEAR = 1900, 2100  # a publish date outside these years is a broken field


@dataclass(frozen=True)
class Page:
    """One raw page as read from disk, decoded, before extraction."""

    content: str
    kind: PageKind
    source_path: str
    encoding: str = "utf-8"
    source_id: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None  # ISO 8601 as given by the record, if any
    title: str | None = None
    # What reading noticed but did not fail the page for (invalid UTF-8 replaced, an
    # unreadable date dropped); not part of the page's identity (`id`).
    warnings: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """Content hash; a record's id and URL count too, so one text filed as two records
        (two sections of one outlet) is two pages that dedup then marks as exact copies."""
        key = self.content.strip()
        if self.source_id or self.url:
            key += f"\x00{self.source_id or ''}\x00{self.url or ''}"
        return content_hash(key)


@dataclass(frozen=True)
class Dropped:
    """A line the extractor removed, and why (the debugging view lists these)."""

    line_no: int  # 1-based line in the page content; 0 when not line-addressable (HTML)
    text: str
    reason: str


@dataclass
class Article:
    """A clean article. `body` keeps the original text; normalization is for matching only."""

    page_id: str
    position: int
    title: str
    body: str  # paragraphs joined by a blank line
    published: str | None = None  # ISO 8601, "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD"
    outlet: str | None = None
    credits: list[str] = field(default_factory=list)
    source_id: str | None = None
    url: str | None = None
    source_path: str | None = None

    @property
    def id(self) -> str:
        return f"{self.page_id}-{self.position}"

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p.strip()]

    @property
    def text(self) -> str:
        """Title and body together, the unit that matching stages look at."""
        return f"{self.title}\n\n{self.body}" if self.title else self.body

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "source_id": self.source_id,
            "page_id": self.page_id,
            "source_path": self.source_path,
            "position": self.position,
            "title": self.title,
            "body": self.body,
            "published": self.published,
            "outlet": self.outlet,
            "url": self.url,
            "credits": list(self.credits),
        }


@dataclass
class Extraction:
    """What extraction made of one page: its articles and every line it dropped."""

    page: Page
    articles: list[Article]
    dropped: list[Dropped] = field(default_factory=list)
    # The articles' search-index analysis when made beside extraction (in a worker: pure
    # per page); the store makes it itself otherwise.
    analyzed: list | None = field(default=None, compare=False, repr=False)
    # The clusterer's term weights per article, made where the page was extracted.
    terms: list[dict[str, float]] | None = field(default=None, compare=False, repr=False)

    def drop_counts(self) -> Counter[str]:
        return Counter(d.reason for d in self.dropped)


@dataclass(frozen=True)
class Failure:
    """A file or record that could not be read or extracted; the batch goes on."""

    source_path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source_path}: {self.reason}"


@dataclass(frozen=True)
class Notice:
    """Something a stored page should tell the user: a reader warning, no article found."""

    source_path: str
    message: str

    def __str__(self) -> str:
        return f"{self.source_path}: {self.message}"


@dataclass
class DuplicatePair:
    """Two articles that carry the same text (exact) or the same dispatch (near)."""

    a: str  # article id of the earlier copy
    b: str  # article id of the later copy
    kind: Literal["exact", "near"]
    similarity: float
    shared: list[str] = field(default_factory=list)  # sentences both carry
    added_a: list[str] = field(default_factory=list)  # sentences only in a
    added_b: list[str] = field(default_factory=list)  # sentences only in b


@dataclass
class Story:
    """Articles from many outlets about one happening."""

    id: str
    title: str
    article_ids: list[str]
    outlets: list[str]
    start: str | None
    end: str | None
    storyline: str | None = None  # the long-running affair it belongs to, if any

    @property
    def size(self) -> int:
        return len(self.article_ids)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "size": self.size,
            "outlets": list(self.outlets),
            "start": self.start,
            "end": self.end,
            "storyline": self.storyline,
            "article_ids": list(self.article_ids),
        }


@dataclass
class Storyline:
    """A long-running affair: the stories that follow it, earliest first."""

    id: str
    stories: list[Story]

    @property
    def title(self) -> str:
        """The title of its largest story (the earliest among equals)."""
        return max(self.stories, key=lambda s: (s.size, -self.stories.index(s))).title

    @property
    def size(self) -> int:
        return sum(s.size for s in self.stories)

    @property
    def start(self) -> str | None:
        return min((s.start for s in self.stories if s.start), default=None)

    @property
    def end(self) -> str | None:
        return max((s.end for s in self.stories if s.end), default=None)

    @property
    def outlets(self) -> list[str]:
        return sorted({o for s in self.stories for o in s.outlets})

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "size": self.size,
            "start": self.start,
            "end": self.end,
            "outlets": self.outlets,
            "stories": [
                {k: v for k, v in s.to_dict().items() if k != "article_ids"}
                for s in self.stories
            ],
        }


UNNAMED = "مصدر غير مسمى"


def url_host(url: str | None) -> str | None:
    """The outlet a URL names when nothing better is known: its host, without `www.`."""
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:  # an unparsable URL names no host
        return None
    return host.removeprefix("www.") if host else None


def source_label(article: Article | dict) -> str:
    """Who a chip names: the outlet; without one, the URL's host or the page's file name, so
    pages of unknown outlets stay told apart (a folder of scraped dumps has no outlets)."""
    get = article.get if isinstance(article, dict) else lambda k: getattr(article, k, None)
    if get("outlet"):
        return get("outlet")
    if host := url_host(get("url")):
        return host
    if get("source_path"):
        name = PurePath(str(get("source_path")).split("#")[0]).stem
        return name if len(name) <= 16 else f"{name[:14]}…"
    return UNNAMED
