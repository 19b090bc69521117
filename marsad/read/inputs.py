"""One entry point for every input: what a path or URL is, found by suffix and content.

A file is JSON Lines (`.jsonl`, `.ndjson`), a web archive (`.warc`, `.arc`, or a file that
starts like one), a feed or a sitemap (an XML file whose root is `rss`, `feed`, `rdf:RDF`,
`urlset` or `sitemapindex`, whatever its suffix), or else one text/HTML page; each optionally
gzipped (`.gz`). A URL is fetched and is a feed, a sitemap or an HTML page the same way.
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from marsad.model import Failure, Page
from marsad.read.base import Item, ReadConfig, ReadError, capped, flatten, guarded
from marsad.read.feeds import FEED_ROOTS, feed_items
from marsad.read.fetch import HTML_MEDIA, Bounded, fetching, is_url, read_body, url_page
from marsad.read.files import (
    expand,
    file_page,
    inner_suffix,
    not_regular,
    opened,
    oversized,
    page_bytes,
)
from marsad.read.jsonl import JSONL_SUFFIXES, read_jsonl
from marsad.read.sitemaps import SITEMAP_ROOTS, sitemap_items, spool, unzipped
from marsad.read.warc import ARCHIVE_SUFFIXES, is_archive_head, read_archive

_HEAD = 4096
DEFAULTS = ReadConfig()
_NAME = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_PROLOG = ((b"<?", b"?>"), (b"<!--", b"-->"), (b"<!DOCTYPE", b">"), (b"<!doctype", b">"))


def xml_root(head: bytes) -> str | None:
    """The local name of an XML document's root element (`rss`, `urlset`), lowercased: what
    follows the XML declaration, comments, processing instructions and DOCTYPE."""
    at = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while at < len(head) and head[at : at + 1].isspace():
            at += 1
        for opening, closing in _PROLOG:
            if head.startswith(opening, at):
                end = head.find(closing, at + len(opening))
                if end < 0:
                    return None
                at = end + len(closing)
                break
        else:
            m = _NAME.match(head, at)
            return m.group(1).decode("ascii").rsplit(":", 1)[-1].lower() if m else None


def sources(specs: Iterable[str | Path]) -> Iterator[Path | str | Failure]:
    """Files named by paths, folders and globs (`expand`), and URLs as given."""
    for spec in specs:
        if is_url(spec):
            yield str(spec)
        else:
            yield from expand([spec])


def read(
    specs: Iterable[str | Path],
    config: ReadConfig = DEFAULTS,
    skipped: Counter[str] | None = None,
) -> Iterator[Page | Failure]:
    """All pages named by `specs` (paths, folders, globs, URLs), with a Failure for each
    file, record or URL that cannot be read. Archive records that hold no page are counted
    in `skipped` by kind."""
    for source in sources(specs):
        yield from read_source(source, config, skipped)


def read_source(
    source: Path | str | Failure, config: ReadConfig, skipped: Counter[str] | None = None
) -> Iterator[Page | Failure]:
    if isinstance(source, Failure):
        yield source
    elif isinstance(source, Path):
        yield from read_file(source, config, skipped)
    else:
        yield from flatten(_url_item(source, config))


def read_file(
    path: Path, config: ReadConfig = DEFAULTS, skipped: Counter[str] | None = None
) -> Iterator[Page | Failure]:
    """Pages of one file (one page, or one per record or feed item). Never raises: whatever
    goes wrong becomes a Failure naming the file (and record), and reading goes on."""
    yield from flatten(file_contents(Path(path), config, (), skipped))


def items(
    specs: Iterable[str | Path],
    config: ReadConfig,
    skipped: Counter[str] | None = None,
    *,
    settle: float = 0.0,
) -> Iterator[Item | Failure]:
    """What `specs` name as items a watcher can skip: each file keyed by its absolute path,
    versioned by size and modification time; each URL, always read (no version). A file
    modified less than `settle` seconds ago is waited for; if it changes meanwhile (still
    being written) it is left for the next look."""
    for source in sources(specs):
        if isinstance(source, Failure):
            yield source
        elif isinstance(source, str):
            yield Item(source, None, functools.partial(_url_item, source, config))
        else:
            version = _settled(source, settle)
            if version is not None:
                opener = functools.partial(file_contents, source, config, (), skipped)
                yield Item(os.path.abspath(source), version, opener)


def _version(path: Path) -> str | None:
    try:
        st = path.stat()
    except OSError:  # gone meanwhile
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


def _settled(path: Path, settle: float) -> str | None:
    """The file's version once it has not changed for `settle` seconds (None: it did)."""
    version = _version(path)
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return version
    if age >= settle:
        return version
    time.sleep(settle - age)
    return version if _version(path) == version else None


def _url_item(url: str, config: ReadConfig) -> Iterator[Page | Failure | Item]:
    return guarded(url, _url_contents(url, config))


def file_contents(
    path: Path, config: ReadConfig, chain: tuple[Path, ...], skipped: Counter[str] | None
) -> Iterator[Page | Failure | Item]:
    """What one file holds: pages and failures, or (a feed, a sitemap) items to open."""
    reason = not_regular(path)
    if reason is not None:
        yield Failure(str(path), reason)
        return

    def target(p: Path, stack: tuple[Path, ...]) -> Iterator[Page | Failure]:
        return flatten(file_contents(p, config, stack, skipped))

    where = str(path)
    suffix = inner_suffix(path)
    if suffix in JSONL_SUFFIXES:
        yield from guarded(where, read_jsonl(path, config, chain, target))
    elif suffix in ARCHIVE_SUFFIXES:
        yield from guarded(where, read_archive(path, config, skipped))
    else:
        yield from guarded(where, _sniffed(path, config, skipped))


def _sniffed(
    path: Path, config: ReadConfig, skipped: Counter[str] | None
) -> Iterator[Page | Failure | Item]:
    """A file of no telling suffix, by what it starts with (one read, as for any page)."""
    data = page_bytes(path, config)
    head = data[:_HEAD]
    root = xml_root(head)
    if is_archive_head(head):
        yield from read_archive(path, config, skipped)
    elif root in SITEMAP_ROOTS:
        with opened(path) as fh:
            yield from capped(str(path), sitemap_items(Bounded(fh, config.max_file_bytes),
                                                       str(path), config), config)  # fmt: skip
    elif len(data) > config.max_page_bytes:
        raise oversized(path, config)
    elif root in FEED_ROOTS:
        yield from capped(str(path), feed_items(data, str(path), config), config)
    else:
        yield file_page(path, data, config)


def _url_contents(url: str, config: ReadConfig) -> Iterator[Page | Item | Failure]:
    """What a URL holds: a feed's items, a sitemap's entries, or its HTML page."""
    with fetching(url, config, config.max_file_bytes) as resp:
        head = resp.body.read(_HEAD)
        root = xml_root(head)
        if root in SITEMAP_ROOTS or head.startswith(b"\x1f\x8b"):  # sitemap.xml.gz
            file = spool(_Prefixed(head, resp.body))
        else:
            data = read_body(resp, config, head)
            file = None
    if file is not None:
        with file:  # a gzipped sitemap's root is checked by the XML parser
            yield from capped(url, sitemap_items(unzipped(file, config), url, config), config)
    elif root in FEED_ROOTS:
        yield from capped(url, feed_items(data, url, config), config)
    elif root in (None, "html") and resp.media_type in ("", *HTML_MEDIA):
        yield url_page(url, config, data)
    else:
        what = resp.media_type if root in (None, "html") else f"XML root <{root}>"
        raise ReadError(f"neither a feed, a sitemap nor an HTML page ({what})")


class _Prefixed:
    """Bytes already read, then the rest of a stream."""

    def __init__(self, head: bytes, rest: object):
        self.head, self.rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if self.head:
            out, self.head = (self.head, b"") if n < 0 else (self.head[:n], self.head[n:])
            return out
        return self.rest.read(n)  # type: ignore[attr-defined]
