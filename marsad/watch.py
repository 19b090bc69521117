"""Watch: ingest what is new in folders, files, feeds and sitemaps, round after round.

Each round lists the items its specs name (`marsad.read.items`: files by size and
modification time, feed entries by update time, sitemap URLs by lastmod) and reads only
those whose version the store does not hold as a `seen` row; their pages go through
`ingest_pages` like any ingest. The `seen` rows of a round are written once its pages are
committed, so an interruption (Ctrl-C, a kill) at any point loses nothing stored and at
worst reads that round's items again, which stores nothing twice: a known page is skipped by
its content id. A restart (another process, another day) knows from the rows what was read.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from marsad.config import Config
from marsad.model import Failure, Page
from marsad.pipeline import IngestReport, ingest_pages
from marsad.read import Item, items
from marsad.store import Store

LOOKAHEAD = 64  # items whose seen rows are looked up in one query
SETTLE_SECONDS = 2.0  # a file modified this recently is waited for (still being written)


@dataclass
class Round:
    """What one round did: the heartbeat line's numbers."""

    number: int
    started: datetime
    report: IngestReport
    items: Counter[str] = field(default_factory=Counter)  # new, unchanged

    def line(self) -> str:
        r = self.report
        return (
            f"{self.started.isoformat(timespec='seconds')} round {self.number}:"
            f" {r.new_pages} new pages, {r.articles} articles,"
            f" {r.stories_touched} stories touched, {len(r.failures)} failures"
            f" ({self.items['new']} new or changed items, {self.items['unchanged']} unchanged)"
        )


def watch_round(
    specs: Iterable[str | Path],
    store: Store,
    config: Config | None = None,
    *,
    number: int = 1,
    settle: float = SETTLE_SECONDS,
) -> Round:
    """One round: read what is new or changed since the store last saw it, store it."""
    config = config or Config()
    started = datetime.now(UTC)
    done: dict[str, str] = {}
    counts = Counter[str]()
    skipped = Counter[str]()
    listed = items(list(specs), config.read, skipped, settle=settle)
    report = ingest_pages(_fresh(listed, store, done, counts), store, config)
    report.skipped.update(skipped)
    with store.transaction():
        store.seen_put(done.items(), time.time())
    return Round(number, started, report, counts)


def _fresh(
    stream: Iterable[Page | Failure | Item],
    store: Store,
    done: dict[str, str],
    counts: Counter[str],
) -> Iterator[Page | Failure]:
    """The pages of the items not seen in this version, depth first; `done` collects the
    (key, version) of each item read to its end."""
    for thing, seen in _with_seen(stream, store, done):
        if not isinstance(thing, Item):
            yield thing
        elif thing.version is not None and seen == thing.version:
            counts["unchanged"] += 1
        else:
            counts["new"] += 1
            yield from _fresh(thing.open(), store, done, counts)
            if thing.version is not None:
                done[thing.key] = thing.version


def _with_seen(
    stream: Iterable[Page | Failure | Item], store: Store, done: dict[str, str]
) -> Iterator[tuple[Page | Failure | Item, str | None]]:
    """Each thing with the version the store (or this round) has seen of it."""
    it = iter(stream)
    while True:
        batch = [x for _, x in zip(range(LOOKAHEAD), it, strict=False)]
        if not batch:
            return
        keys = [x.key for x in batch if isinstance(x, Item)]
        seen = store.seen_versions(keys) if keys else {}
        for x in batch:
            yield x, (done.get(x.key) or seen.get(x.key)) if isinstance(x, Item) else None


def parse_every(text: str) -> float:
    """Seconds of an interval: `90`, `30s`, `5m`, `1h`, `1d`."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    value = text.strip().lower()
    scale = units.get(value[-1:])
    number = value[:-1] if scale else value
    try:
        seconds = float(number) * (scale or 1)
    except ValueError:
        raise ValueError(f"{text!r} is not an interval (like 90, 30s, 5m, 1h)") from None
    if not seconds > 0:
        raise ValueError(f"{text!r}: the interval must be positive")
    return seconds


def watch(
    specs: Iterable[str | Path],
    store: Store,
    config: Config | None = None,
    *,
    every: float = 300.0,
    rounds: int | None = None,
    on_round: Callable[[Round], None] | None = None,
    settle: float = SETTLE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Round]:
    """Rounds every `every` seconds (from one round's start to the next), `rounds` of them
    or until interrupted; `on_round` hears each one (the heartbeat)."""
    specs = list(specs)
    done: list[Round] = []
    while rounds is None or len(done) < rounds:
        start = time.monotonic()
        this = watch_round(specs, store, config, number=len(done) + 1, settle=settle)
        done.append(this)
        if on_round is not None:
            on_round(this)
        if rounds is not None and len(done) >= rounds:
            break
        sleep(max(0.0, every - (time.monotonic() - start)))
    return done
