"""Ingest: read → extract → store → duplicates → stories, one batch at a time.

Per-page work (read, extract) is pure; only the store, the duplicate index and the story
clusterer hold state, and they update incrementally from the new articles of each batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from marsad.cluster import update_stories
from marsad.config import Config
from marsad.dedup import find_duplicates
from marsad.extract import extract
from marsad.model import Article, Extraction, Failure, Page
from marsad.read import expand, read_file
from marsad.store import Store


@dataclass
class IngestReport:
    """What one ingest did: the numbers the CLI prints."""

    pages: int = 0  # pages read (a JSON Lines record is a page)
    new_pages: int = 0
    known_pages: int = 0  # already stored: re-ingesting is a no-op
    articles: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    duplicates: int = 0
    stories_touched: int = 0


def extract_page(page: Page) -> Extraction | Failure:
    """Extraction that turns an unexpected error on one page into that page's Failure."""
    try:
        return extract(page)
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop the batch
        return Failure(page.source_path, f"extraction failed: {type(exc).__name__}: {exc}")


def ingest_pages(
    pages: Iterable[Page | Failure], store: Store, config: Config | None = None
) -> IngestReport:
    """Store every new page with its articles, then update duplicates and stories.

    The unit both the file path (`ingest`) and the REST API share: pages from anywhere,
    failures recorded in the report and the store, the rest of the batch stored.
    """
    config = config or Config()
    report = IngestReport()
    new_articles: list[Article] = []
    for page in pages:
        if isinstance(page, Failure):
            report.failures.append(page)
            store.add_failure(page)
            continue
        report.pages += 1
        if store.has_page(page.id):
            report.known_pages += 1
            continue
        result = extract_page(page)
        if isinstance(result, Failure):
            report.failures.append(result)
            store.add_failure(result)
            continue
        store.add_extraction(result)
        report.new_pages += 1
        report.articles += len(result.articles)
        report.dropped.update(result.drop_counts())
        new_articles.extend(result.articles)

    if new_articles:
        report.duplicates = len(find_duplicates(store, new_articles, config.dedup))
        report.stories_touched = len(update_stories(store, new_articles, config.cluster))
    return report


def ingest(
    specs: Iterable[str | Path],
    store: Store,
    config: Config | None = None,
    *,
    progress: bool = False,
) -> IngestReport:
    """Store every new page of `specs` (files, folders, globs, manifests); see `ingest_pages`."""
    config = config or Config()
    files = list(expand(specs))

    def pages() -> Iterator[Page | Failure]:
        for item in tqdm(files, unit="file", disable=not progress, leave=False):
            if isinstance(item, Failure):
                yield item
            else:
                yield from read_file(item, config.read)

    return ingest_pages(pages(), store, config)
