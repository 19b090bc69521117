"""Ingest on a Dask cluster: the pure per-page work of each input file runs on the cluster,
the stateful stages in this process.

A partition is one input file (a JSON Lines shard, a WARC file, an HTML page). A cluster
task reads it and does what the process pool does per page (`pipeline.extract_pages`:
extraction, search analysis, clusterer term weights). Results stream back as tasks finish,
a bounded number in flight, and each partition is stored in one transaction together with
its row in `partitions`; the queue is then worked off in time order by the same `drain` a
one-process ingest ends with. So the stories are the same as one process's, and a rerun
after a crash skips the partitions already stored (by path, size and modification time).

dask and distributed are the optional `marsad[cluster]` extra, imported only here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from marsad.config import Config
from marsad.model import Failure
from marsad.pipeline import (
    IngestReport,
    catch_up,
    default_workers,
    drain,
    extract_file,
    store_results,
)
from marsad.read import PageDefaults, expand
from marsad.store import Store

if TYPE_CHECKING:
    from distributed import Client, Future
    from tqdm import tqdm

CONNECT_TIMEOUT = "10s"  # how long to wait for a tcp:// scheduler
# A LocalCluster of one-thread worker processes (the work holds the GIL), without the
# dashboard (bokeh is not a dependency); its HTTP server on a free local port.
LOCAL = {
    "threads_per_worker": 1,
    "processes": True,
    "dashboard_address": None,
    "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
}


class ClusterError(Exception):
    """The cluster cannot be used (extra not installed, scheduler unreachable)."""


def connect(address: str, workers: int | None = None) -> Client:
    """A client of `address`: "local" starts a LocalCluster of `workers` one-thread worker
    processes (default: every core), closed with the client; tcp://HOST:PORT (or any
    address distributed takes) joins a running scheduler."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(
            "--dask needs dask and distributed: pip install 'marsad[cluster]'"
        ) from None
    if address == "local":
        return Client(n_workers=workers or default_workers(), **LOCAL)
    try:
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def partition_key(path: Path) -> str:
    """Names a partition's content cheaply: its absolute path, size and modification time."""
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


def ingest_cluster(
    specs: Iterable[str | Path],
    store: Store,
    cluster: str | Client,
    config: Config | None = None,
    *,
    workers: int | None = None,
    defaults: PageDefaults | None = None,
    in_flight: int | None = None,
    progress: bool = False,
) -> IngestReport:
    """Store every new page of `specs` like `pipeline.ingest`, one file per cluster task.

    `cluster` is an address for `connect` ("local", with `workers`; tcp://…), whose client
    is closed before the drain (with a LocalCluster still up in this process, the drain of
    16,000 ANT records took 44 s instead of 27), or a caller's Client, left open. At most
    `in_flight` tasks (default: two per worker thread) are submitted or waiting to be
    stored, so memory stays bounded whatever the number of files. Workers must see the
    files at the same paths (a shared file system).
    """
    config = config or Config()
    report = IngestReport()
    catch_up(store, config, report)
    todo = list(_partitions(specs, store, report))
    if isinstance(cluster, str):
        with connect(cluster, workers) as client:
            _run(todo, store, client, config, defaults, report, in_flight, progress)
    else:
        _run(todo, store, cluster, config, defaults, report, in_flight, progress)
    drain(store, config, report)
    return report


def _run(
    todo: list[tuple[Path, str]],
    store: Store,
    client: Client,
    config: Config,
    defaults: PageDefaults | None,
    report: IngestReport,
    in_flight: int | None,
    progress: bool,
) -> None:
    """The partitions through the cluster, each stored as its task finishes."""
    from distributed import as_completed

    bar = _bar(len(todo)) if progress else None
    limit = in_flight or 2 * max(1, sum(client.nthreads().values()))
    running = as_completed()
    where: dict[str, tuple[Path, str]] = {}

    def submit(path: Path, key: str) -> None:
        future = client.submit(extract_file, path, config.read, defaults, pure=False)
        where[future.key] = (path, key)
        running.add(future)

    for path, key in todo[:limit]:
        submit(path, key)
    queued = iter(todo[limit:])
    for done in running:
        _store_partition(store, *where.pop(done.key), done, report)
        del done  # the cluster may drop the result while the next one is awaited
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{report.pages} pages, {report.articles} articles")
        if (following := next(queued, None)) is not None:
            submit(*following)
    if bar is not None:
        bar.close()


def _bar(total: int) -> tqdm:
    from tqdm import tqdm

    return tqdm(total=total, unit="file", file=sys.stderr, leave=False)


def _partitions(
    specs: Iterable[str | Path], store: Store, report: IngestReport
) -> Iterator[tuple[Path, str]]:
    """Files still to store; unreadable specs are recorded, stored partitions counted."""
    for item in expand(specs):
        if isinstance(item, Failure):
            store_results(store, [item], [], report)
            continue
        try:
            key = partition_key(item)
        except OSError as exc:
            store_results(store, [Failure(str(item), f"cannot stat: {exc.strerror}")], [], report)
            continue
        pages = store.partition_pages(key)
        if pages is None:
            yield item, key
        else:
            report.pages += pages
            report.known_pages += pages


def _store_partition(
    store: Store, path: Path, key: str, future: Future, report: IngestReport
) -> None:
    """One partition's pages and its `partitions` row in one transaction; a failed task is
    a Failure of the file, not recorded as done (a rerun tries it again)."""
    try:
        failures, results = future.result()
    except Exception as exc:  # noqa: BLE001 - a lost worker or task fails its file only
        reason = f"cluster task failed: {type(exc).__name__}: {exc}"
        store_results(store, [Failure(str(path), reason)], [], report)
        return
    with store.transaction():
        report.pages += len(results)
        store_results(store, failures, results, report)
        store.partition_done(key, str(path), len(results))
