"""Sitemaps (urlset, sitemap index, Google News tags) → a page per listed URL, fetched.

Streamed: the XML is parsed as it is read and each entry dropped once listed, so a 50,000
URL sitemap holds one entry at a time; a fetched sitemap is spooled to a temporary file
first (its connection is not held open while its pages are fetched). An entry's `lastmod`
is its version (a watcher reads it again when it changes) and its page's fallback time;
`news:publication_date`, `news:title` and `news:name` (the outlet) win where given.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import shutil
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from marsad.model import Failure, Page
from marsad.read.base import Item, ReadConfig, ReadError
from marsad.read.dates import record_date
from marsad.read.fetch import Bounded, fetching, url_page

SITEMAP_ROOTS = {"urlset", "sitemapindex"}
MAX_SITEMAP_DEPTH = 4  # sitemap indexes naming indexes, this many deep at most


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def sitemap_items(
    stream: BinaryIO, where: str, config: ReadConfig, chain: tuple[str, ...] = ()
) -> Iterator[Item | Failure]:
    """The entries of one sitemap stream: pages for a urlset, sitemaps for an index."""
    from xml.etree.ElementTree import ParseError, iterparse

    root = None
    try:
        for event, elem in iterparse(stream, events=("start", "end")):
            if event == "start":
                root = elem if root is None else root
                continue
            tag = _local(elem.tag)
            if tag not in ("url", "sitemap") or elem is root:
                continue
            fields = {_local(e.tag): (e.text or "").strip() for e in elem.iter()}
            if root is not None:
                root.clear()  # what is listed is not kept
            loc = fields.get("loc")
            if not loc:
                yield Failure(where, f"sitemap <{tag}> without a <loc>")
            elif tag == "sitemap":
                nested = (*chain, where)
                opener = functools.partial(_child, loc, config, nested)
                yield Item(loc, fields.get("lastmod") or None, opener)
            else:
                opener = functools.partial(_url_pages, loc, fields, config)
                yield Item(loc, fields.get("lastmod") or "", opener)
    except ParseError as exc:
        yield Failure(where, f"invalid sitemap XML ({exc})")


def _url_pages(loc: str, fields: dict[str, str], config: ReadConfig) -> Iterator[Page]:
    stated = fields.get("publication_date") or fields.get("lastmod")
    published, warnings = record_date(stated)
    page = url_page(
        loc,
        config,
        title=fields.get("title") or None,
        outlet=fields.get("name") or None,
        published=published,
    )
    yield dataclasses.replace(page, warnings=(*page.warnings, *warnings))


def _child(loc: str, config: ReadConfig, chain: tuple[str, ...]) -> Iterator[Item | Failure]:
    """A sitemap an index names: fetched into a temporary file, then listed."""
    if loc in chain:
        raise ReadError("sitemap index cycle: " + " -> ".join([*chain[chain.index(loc) :], loc]))
    if len(chain) >= MAX_SITEMAP_DEPTH:
        raise ReadError(f"sitemap indexes nest more than {MAX_SITEMAP_DEPTH} deep")
    with fetching(loc, config, config.max_file_bytes) as resp:
        file = spool(resp.body)
    with file:
        yield from sitemap_items(unzipped(file, config), loc, config, chain)


def spool(body: BinaryIO) -> BinaryIO:
    """A body copied to a temporary file (in memory up to 1 MB), rewound."""
    file = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 - the caller closes it
    shutil.copyfileobj(body, file)
    file.seek(0)
    return file  # type: ignore[return-value]


def unzipped(file: BinaryIO, config: ReadConfig) -> BinaryIO:
    """A sitemap file as XML: a gzipped one (sitemap.xml.gz) decompressed, within
    max_file_mb."""
    magic = file.read(2)
    file.seek(0)
    if magic != b"\x1f\x8b":
        return file
    return Bounded(gzip.GzipFile(fileobj=file, mode="rb"), config.max_file_bytes)  # type: ignore[return-value]
