"""What the app holds between requests (`Marsad`): the store's address, the token, limits,
the ingest lock and the alert deliverer. Below the API and the web pages, which both get it
from the request (`request.app.state.marsad`).
"""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import AbstractContextManager

from marsad.alerts import Deliverer
from marsad.config import Config
from marsad.digest import story_digest
from marsad.model import Failure, Page, Story
from marsad.pipeline import ingest_pages
from marsad.store import Store, Stores
from marsad.web.queries import Listings
from marsad.web.schemas import IngestOut, PageIn, RecordResult


class Marsad:
    """What the app holds: where the store is, the token, limits; stores per request."""

    def __init__(self, db: str, token: str | None, config: Config) -> None:
        self.db = db
        self.token = token or None
        self.config = config
        self.ingest_lock = threading.Lock()
        self.listings = Listings()
        self.stores = Stores(db, config.pool)
        # follow events go out from a thread of their own: delivery never holds up an ingest
        self.alerts = Deliverer(db, config.alerts) if config.alerts.sinks() else None

    def store(self) -> AbstractContextManager[Store]:
        """A store for this request, in the calling thread (PostgreSQL: a pooled connection)."""
        return self.stores.store()

    def digest(self, store: Store, story: Story) -> dict:
        """The story's digest: kept in the store, made again only when the story changed."""
        return story_digest(store, story, self.config.digest)

    def ingest(self, records: list[PageIn]) -> IngestOut:
        """Every record's outcome: one that cannot be a page, or that extraction or storing
        fails on, is `failed` with its reason; the others are stored all the same."""
        batch = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%f")
        pages = [_record_page(r, f"api:{batch}:{n}", self.config) for n, r in enumerate(records)]
        with self.ingest_lock, self.store() as store:
            known = {p.id for p in pages if isinstance(p, Page) and store.has_page(p.id)}
            report = ingest_pages(pages, store, self.config)
            stored = {p.id for p in pages if isinstance(p, Page) and store.has_page(p.id)}
        if self.alerts is not None and report.events:
            self.alerts.wake()
        said: dict[str, list[str]] = {}
        for notice in report.notices:  # reader warnings, no article found
            said.setdefault(notice.source_path, []).append(notice.message)
        failed = {f.source_path: f.reason for f in report.failures}
        results = []
        for n, page in enumerate(pages):
            if isinstance(page, Failure):
                results.append(
                    RecordResult(record=n, page_id=None, status="failed", reason=page.reason)
                )
            elif page.id not in stored:
                reason = failed.get(page.source_path, "not stored")
                results.append(
                    RecordResult(record=n, page_id=page.id, status="failed", reason=reason)
                )
            else:
                status = "known" if page.id in known else "new"
                known.add(page.id)  # the same page twice in one request: stored once
                warnings = [] if status == "known" else said.get(page.source_path, [])
                results.append(
                    RecordResult(record=n, page_id=page.id, status=status, warnings=warnings)
                )
        return IngestOut(
            pages=report.pages,
            new_pages=report.new_pages,
            known_pages=report.known_pages,
            articles=report.articles,
            dropped=dict(report.dropped),
            duplicates=report.duplicates,
            stories_touched=report.stories_touched,
            records=results,
        )


def _record_page(record: PageIn, source_path: str, config: Config) -> Page | Failure:
    try:
        return record.page(source_path, config.read)
    except Exception as exc:  # noqa: BLE001 - one bad record must not fail the request
        return Failure(source_path, f"unexpected error: {type(exc).__name__}: {exc}")
