"""Ingest: read → extract → store → duplicates → stories → events of follows.

Per-page work (read, extract) is pure and runs in a process pool when `workers` > 1 (or on a
Dask cluster, one file per task: marsad.scale); only the store, the duplicate index and the
story clusterer hold state. Pages are stored in
chunks, one transaction each: a chunk's pages, articles and their `pending` rows (the
queue of the stateful stages), or nothing. The queue is then worked off in publish-time
order, again one transaction per chunk: duplicate-index rows, story rows and the removal
of the chunk's pending rows together. Time order keeps the clusterer's replays of late
articles short whatever order the input is in.

An interruption (Ctrl-C, a kill, a full disk) leaves every committed chunk whole: stored
articles are in stories or still queued, and the next run (any `ingest`, or `repair`)
works off the queue first. Results do not depend on chunking, workers or the order pages
arrive in: the duplicate index and the clusterer are order-independent.
"""

from __future__ import annotations

import os
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from marsad.cluster import (
    article_terms,
    cluster_current,
    cluster_reset,
    storylines_current,
    update_stories,
    update_storylines,
)
from marsad.config import Config
from marsad.dedup import find_duplicates
from marsad.dedup.stage import dedup_current, dedup_reset
from marsad.extract import extract
from marsad.follow import record_events
from marsad.model import Article, Extraction, Failure, Notice, Page
from marsad.query import analyze
from marsad.read import PageDefaults, ReadConfig, read_offset, read_source, sources
from marsad.sources import group_sources
from marsad.store import Store

CHUNK_PAGES = 256  # pages per transaction: big enough to amortize commits, small to lose


@dataclass
class IngestReport:
    """What one ingest did: the numbers the CLI prints."""

    pages: int = 0  # pages read (a JSON Lines record is a page)
    new_pages: int = 0
    known_pages: int = 0  # already stored: re-ingesting is a no-op
    articles: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)  # stored pages' warnings
    duplicates: int = 0
    resumed: int = 0  # articles of an earlier, interrupted or rebuilt run finished now
    skipped: Counter[str] = field(default_factory=Counter)  # archive records holding no page
    touched: set[str] = field(default_factory=set, repr=False)  # story ids
    events: int = 0  # recorded for follows (marsad.follow)

    @property
    def stories_touched(self) -> int:
        return len(self.touched)


def extract_page(page: Page) -> Extraction | Failure:
    """Extraction that turns an unexpected error on one page into that page's Failure."""
    try:
        return extract(page)
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop the batch
        return Failure(page.source_path, f"extraction failed: {type(exc).__name__}: {exc}")


def extract_pages(pages: list[Page], terms: bool = True) -> list[Extraction | Failure]:
    """The pure per-page work, a pool or cluster task: extraction, the search-index analysis
    and (with `terms`) the clusterer's term weights. In a worker the stems are made once,
    there; in one process the clusterer makes its own (storing them to read back costs
    more)."""
    results = [extract_page(p) for p in pages]
    for r in results:
        if isinstance(r, Extraction):
            try:
                r.analyzed = [analyze(a) for a in r.articles]
                r.terms = [dict(article_terms(a)) for a in r.articles] if terms else None
            except Exception:  # noqa: BLE001 - the later stages make (and report) them again
                r.analyzed = r.terms = None
    return results


def read_pages(
    source: Path | str | Failure,
    config: ReadConfig,
    defaults: PageDefaults | None = None,
    skipped: Counter[str] | None = None,
) -> Iterator[Page | Failure]:
    """The pages of one source (file, URL), with `defaults` filled in where they say
    nothing; archive records that hold no page are counted in `skipped`."""
    for page in read_source(source, config, skipped):
        yield defaults.apply(page) if defaults is not None and isinstance(page, Page) else page


def extract_file(
    path: Path, config: ReadConfig, defaults: PageDefaults | None = None
) -> tuple[list[Failure], list[Extraction | Failure]]:
    """A cluster task: read one file and do its pages' pure work there; (what could not be
    read, one result per page read)."""
    read_failures: list[Failure] = []
    pages: list[Page] = []
    for item in read_pages(path, config, defaults):
        if isinstance(item, Failure):
            read_failures.append(item)
        else:
            pages.append(item)
    return read_failures, extract_pages(pages)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _watch_parent() -> None:
    """Pool workers end when the ingest that started them dies (a SIGKILL gives them no
    word; forked workers would otherwise wait on their queue forever)."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


class _Inline(Executor):
    """One worker: extraction runs in this process, when its result is asked for."""

    def submit(self, fn: Callable, /, *args: object, **kwargs: object) -> Future:
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def notices(extraction: Extraction) -> list[Notice]:
    """What a stored page should tell the user: reader warnings, no article found."""
    said = list(extraction.page.warnings)
    if not extraction.articles:
        counts = ", ".join(f"{r} {n}" for r, n in sorted(extraction.drop_counts().items()))
        said.append("no article found" + (f" (dropped: {counts})" if counts else ""))
    return [Notice(extraction.page.source_path, message) for message in said]


def process(store: Store, articles: list[Article], config: Config, report: IngestReport) -> None:
    """The stateful stages on new articles, inside the caller's transaction."""
    if articles:
        report.duplicates += len(find_duplicates(store, articles, config.dedup))
        stories = update_stories(store, articles, config.cluster, config.storylines)
        report.touched.update(s.id for s in stories)
        report.events += record_events(store, articles, stories, config.digest)


def drain(
    store: Store,
    config: Config,
    report: IngestReport,
    chunk: int = 1024,
    on_chunk: Callable[[IngestReport], None] | None = None,
) -> int:
    """Work off the queue, oldest articles first; how many articles were processed."""
    done = 0
    while True:
        with store.transaction():
            ids = store.pending(chunk)
            if not ids:
                return done
            process(store, list(store.articles(ids)), config, report)
            store.pending_done(ids)
        done += len(ids)
        if on_chunk is not None:
            on_chunk(report)


def catch_up(store: Store, config: Config | None = None, report: IngestReport | None = None) -> int:
    """Finish what an earlier run left: rebuild state made with another config or by an
    older version, and work off queued articles. How many articles were processed."""
    config = config or Config()
    report = report or IngestReport()
    with store.transaction():
        rebuild = False
        if not dedup_current(store, config.dedup):
            dedup_reset(store, config.dedup)
            rebuild = True
        if not cluster_current(store, config.cluster):
            cluster_reset(store, config.cluster)
            rebuild = True
        if rebuild and (queued := store.pending_all()):
            store.waiting(f"rebuilding duplicate index and stories from {queued} stored articles")
        elif not storylines_current(store, config.storylines):  # stories stand, links change
            update_storylines(store, [], config.storylines, span=config.cluster.window)
    done = drain(store, config, report)
    report.resumed += done
    return done


def ingest_pages(
    pages: Iterable[Page | Failure],
    store: Store,
    config: Config | None = None,
    *,
    workers: int = 1,
    chunk: int = CHUNK_PAGES,
    on_chunk: Callable[[IngestReport], None] | None = None,
) -> IngestReport:
    """Store every new page with its articles, duplicates and stories, chunk by chunk.

    The unit both the file path (`ingest`) and the REST API share: pages from anywhere,
    failures recorded in the report and the store, the rest of the batch stored.
    `on_chunk` is called after each committed chunk (progress).
    """
    config = config or Config()
    report = IngestReport()
    catch_up(store, config, report)
    pool: Executor = (
        ProcessPoolExecutor(workers, initializer=_watch_parent) if workers > 1 else _Inline()
    )
    ahead: deque[tuple[list[Failure], Future]] = deque()
    try:
        for failures, todo in _chunks(pages, store, report, chunk):
            # Workers extract the next chunk while this process stores the previous one.
            parts = [todo[i : i + 16] for i in range(0, len(todo), 16)]
            submitted = [pool.submit(extract_pages, part, workers > 1) for part in parts]
            ahead.append((failures, submitted))
            if len(ahead) > 1:
                store_results(store, *_done(ahead.popleft()), report, on_chunk)
        while ahead:
            store_results(store, *_done(ahead.popleft()), report, on_chunk)
    finally:
        pool.shutdown(cancel_futures=True)
    drain(store, config, report, on_chunk=on_chunk)
    return report


def _chunks(
    pages: Iterable[Page | Failure], store: Store, report: IngestReport, size: int
) -> Iterator[tuple[list[Failure], list[Page]]]:
    failures: list[Failure] = []
    todo: list[Page] = []
    for item in pages:
        if isinstance(item, Failure):
            failures.append(item)
        else:
            report.pages += 1
            if store.has_page(item.id):
                report.known_pages += 1
            else:
                todo.append(item)
        if len(failures) + len(todo) >= size:
            yield failures, todo
            failures, todo = [], []
    if failures or todo:
        yield failures, todo


def _done(
    submitted: tuple[list[Failure], list[Future]],
) -> tuple[list[Failure], list[Extraction | Failure]]:
    failures, futures = submitted
    return failures, [r for f in futures for r in f.result()]


def store_results(
    store: Store,
    failures: list[Failure],
    results: list[Extraction | Failure],
    report: IngestReport,
    on_chunk: Callable[[IngestReport], None] | None = None,
) -> None:
    """Store read failures and per-page results in one transaction (nested in the caller's,
    when it holds one) and queue the new articles for the stateful stages (`drain`)."""
    new_articles: list[Article] = []
    vectors: list[tuple[str, str, dict[str, float]]] = []
    added = Counter[str]()
    with store.transaction():
        for failure in failures:
            store.add_failure(failure)
        for result in group_sources(store, results):
            if isinstance(result, Failure):
                failures.append(result)
                store.add_failure(result)
                continue
            if not store.add_extraction(result):  # stored meanwhile (same page twice)
                report.known_pages += 1
                continue
            if said := notices(result):
                store.add_notices(said)
                report.notices.extend(said)
            added["pages"] += 1
            added["articles"] += len(result.articles)
            report.dropped.update(result.drop_counts())
            new_articles.extend(result.articles)
            if result.terms is not None:
                pairs = zip(result.articles, result.terms, strict=True)
                vectors.extend((a.id, a.title, terms) for a, terms in pairs)
        store.pending_add((a.id, a.published) for a in new_articles)
        store.cluster_apply([], vectors)
    report.failures.extend(failures)
    report.new_pages += added["pages"]
    report.articles += added["articles"]
    if on_chunk is not None:
        on_chunk(report)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def ingest(
    specs: Iterable[str | Path],
    store: Store,
    config: Config | None = None,
    *,
    progress: bool = False,
    workers: int = 1,
    chunk: int | None = None,
    defaults: PageDefaults | None = None,
) -> IngestReport:
    """Store every new page of `specs` (files, folders, globs, manifests, archives, feeds,
    sitemaps, URLs); see `ingest_pages`. `defaults` fill in the outlet, time and URL its
    pages do not give."""
    config = config or Config()
    files = list(sources(specs))
    sizes = [_size(f) if isinstance(f, Path) else 0 for f in files]
    skipped = Counter[str]()
    at = [0]  # the file being read
    bar = None
    if progress:  # by bytes read, so rate and ETA hold inside one big file too
        from tqdm import tqdm

        bar = tqdm(total=sum(sizes), unit="B", unit_scale=True, file=sys.stderr, leave=False)

    def pages() -> Iterator[Page | Failure]:
        for n, item in enumerate(files):
            at[0] = n
            yield from read_pages(item, config.read, defaults, skipped)

    def tick(report: IngestReport) -> None:
        if bar is not None:
            done = sum(sizes[: at[0]]) + min(read_offset(), sizes[at[0]] if sizes else 0)
            bar.update(max(done, bar.n) - bar.n)
            bar.set_postfix_str(
                f"file {at[0] + 1}/{len(files)}, {report.pages} pages,"
                f" {report.articles} articles, {report.stories_touched} stories"
            )

    try:
        report = ingest_pages(
            pages(), store, config, workers=workers, chunk=chunk or CHUNK_PAGES, on_chunk=tick
        )
        report.skipped.update(skipped)
        return report
    finally:
        if bar is not None:
            bar.close()
