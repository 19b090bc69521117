"""What every reader shares: the limits, the error, and `Item`, the unit a watcher can skip."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from marsad.model import Failure, Page


@dataclass(frozen=True)
class ReadConfig:
    """Limits that keep one bad file from eating the batch ([read] in the TOML config; every
    limit, its default and the error it gives: docs/input.md)."""

    max_page_mb: float = 10.0  # a single text/HTML page (or record, or fetched URL)
    max_file_mb: float = 2048.0  # bytes read from one file, decompressed (JSON Lines, .gz)
    max_records: int = 1_000_000  # records read from one JSON Lines, WARC or sitemap file
    max_failures: int = 100  # failed records of one file before the rest of it is skipped
    max_lines: int = 50_000  # lines of one page (or record text)
    allow_outside: bool = False  # manifests may name files outside their own folder
    fetch_timeout: float = 20.0  # seconds a URL may take to connect or to send more bytes

    def __post_init__(self) -> None:
        for name in (
            "max_page_mb", "max_file_mb", "max_records", "max_failures", "max_lines",
            "fetch_timeout",
        ):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"{name} must be a positive number, not {value!r}")
        if not isinstance(self.allow_outside, bool):
            raise ValueError(f"allow_outside must be true or false, not {self.allow_outside!r}")

    @property
    def max_page_bytes(self) -> int:
        return int(self.max_page_mb * 1024 * 1024)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_line_bytes(self) -> int:
        """Longest JSON Lines record: \\uXXXX escapes take up to 6 bytes per character."""
        return 6 * self.max_page_bytes + (1 << 20)


class ReadError(Exception):
    """A reason, worded for the user, why a file or record cannot be read."""


@dataclass(frozen=True)
class Item:
    """Something a source lists before it is read: a file, a feed entry, a sitemap URL.

    `key` names it (a path, a link) and `version` says which state of it this is (size and
    modification time, the entry's update time, the sitemap's lastmod); None when nothing
    tells, so it is always read. `open` reads it: its pages and failures, and the items it
    lists in turn (a feed file's entries, a sitemap index's sitemaps). `marsad watch` skips
    an item whose key and version it has stored; `read` opens everything.
    """

    key: str
    version: str | None
    open: Callable[[], Iterator[Page | Failure | Item]]


def flatten(items: Iterator[Page | Failure | Item]) -> Iterator[Page | Failure]:
    """Every page and failure, opening each item met (depth first)."""
    for item in items:
        if isinstance(item, Item):
            yield from flatten(item.open())
        else:
            yield item


def guarded(where: str, items: Iterator[Page | Failure | Item]) -> Iterator[Page | Failure | Item]:
    """What reading one record or item gives; whatever exception it raises is its Failure."""
    try:
        yield from items
    except ReadError as exc:
        yield Failure(where, str(exc))
    except RecursionError:
        yield Failure(where, "record nested too deeply")
    except Exception as exc:  # noqa: BLE001 - one bad record must not stop the file
        yield Failure(where, f"unexpected error: {type(exc).__name__}: {exc}")


def capped(
    where: str, items: Iterable[Item | Failure], config: ReadConfig
) -> Iterator[Item | Failure]:
    """The items a listing (a feed, a sitemap) names, each one guarded. After max_records
    items, or once they gave max_failures failures, the rest is not listed (a watcher tries
    it in its next round), with one Failure saying so."""
    failed = 0

    def counted(item: Item) -> Iterator[Page | Failure | Item]:
        nonlocal failed
        for got in guarded(item.key, item.open()):
            failed += isinstance(got, Failure)
            yield got

    for n, item in enumerate(items):
        if failed > config.max_failures:
            yield Failure(
                where,
                f"… more failures; stopped reading this listing after {config.max_failures}"
                " failures (raise max_failures to read on)",
            )
            return
        if n >= config.max_records:
            yield Failure(
                where,
                f"more than {config.max_records} entries; stopped reading this listing"
                " (raise max_records to read on)",
            )
            return
        if isinstance(item, Failure):
            failed += 1
            yield item
        else:
            yield Item(item.key, item.version, functools.partial(counted, item))


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


_LINE_BREAKS = ("\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def check_lines(text: str, config: ReadConfig) -> None:
    """A page of more than max_lines lines (as `str.splitlines` counts them) is not one page."""
    if len(text) <= config.max_lines:
        return
    lines = sum(map(text.count, _LINE_BREAKS)) - text.count("\r\n")
    lines += text[-1] not in _LINE_BREAKS  # a last line without its line break
    if lines > config.max_lines:
        raise ReadError(
            f"{lines} lines is too many for one page "
            f"(limit {config.max_lines}; raise max_lines if this is really one page)"
        )
