"""RSS and Atom feeds (feedparser) → a page per item.

An item's page is its linked HTML page when that can be fetched, else the item's own
content (content:encoded, Atom content, or the summary), with a warning saying why. The
item's link, title and time are the page's URL, title and (unless the page states its own)
publish time. feedparser only ever gets bytes, never a name it could open or fetch itself.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import html
from collections.abc import Iterator
from datetime import UTC, datetime

from marsad.model import Failure, Page, content_hash
from marsad.read.base import Item, ReadConfig, ReadError
from marsad.read.dates import record_date
from marsad.read.fetch import is_url, url_page
from marsad.read.files import make_page
from marsad.read.text import storable

FEED_ROOTS = {"rss", "feed", "rdf"}  # RSS 0.9x/2.0, Atom, RSS 1.0 (rdf:RDF)


def feed_items(data: bytes, where: str, config: ReadConfig) -> Iterator[Item]:
    """The items of one feed document, newest state first as the feed lists them."""
    import feedparser

    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        reason = str(parsed.get("bozo_exception", "")).split("\n")[0][:120]
        raise ReadError(f"not a readable RSS or Atom feed ({reason or 'no items'})")
    for n, entry in enumerate(parsed.entries, 1):
        link = entry.get("link") or None
        key = link or f"{where}#{entry.get('id') or n}"
        stamp = _stated(entry, "updated") or _stated(entry, "published")
        version = stamp or content_hash(f"{entry.get('title', '')}\x00{_content(entry)[0]}")
        yield Item(key, version, functools.partial(_item_pages, entry, key, config))


def _content(entry: dict) -> tuple[str, bool]:
    """The item's fullest own text and whether it is HTML: content over summary."""
    for part in entry.get("content") or ():
        if (part.get("value") or "").strip():
            return part["value"], "html" in (part.get("type") or "html")
    summary = entry.get("summary") or ""
    detail = entry.get("summary_detail") or {}
    return summary, "html" in (detail.get("type") or "html")


def _stated(entry: dict, key: str) -> object:
    """An entry's own field: feedparser maps a missing `updated` to `published`, warning."""
    return dict.get(entry, key)


def _published(entry: dict) -> tuple[str | None, list[str]]:
    raw = _stated(entry, "published") or _stated(entry, "updated")
    published, warnings = record_date(raw)
    parsed = _stated(entry, "published_parsed") or _stated(entry, "updated_parsed")
    if published is None and parsed is not None:  # a form feedparser knows and we do not
        stamp = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        return stamp.isoformat(timespec="minutes"), []
    return published, warnings


def _item_pages(entry: dict, key: str, config: ReadConfig) -> Iterator[Page | Failure]:
    link = entry.get("link") or None
    title = storable(entry.get("title") or "") or None
    published, warnings = _published(entry)
    why = "it has no http(s) link"
    if link is not None and is_url(link):
        try:
            page = url_page(link, config, title=title, published=published)
        except ReadError as exc:
            why = f"its link could not be fetched: {exc}"
        else:
            yield dataclasses.replace(page, warnings=(*page.warnings, *warnings))
            return
    elif link is not None:
        why = f"its link {link[:80]!r} is not an http(s) URL"
    content, is_html = _content(entry)
    if not content.strip():
        yield Failure(key, f"feed item has no content and {why}")
        return
    body = (
        content
        if is_html
        else "".join(f"<p>{html.escape(p)}</p>" for p in content.split("\n\n") if p.strip())
    )
    head = f"<title>{html.escape(title)}</title>" if title else ""
    document = f"<html><head><meta charset='utf-8'>{head}</head><body><article>{body}</article>"
    yield make_page(
        document.encode("utf-8"),
        config,
        name="",
        source_path=key,
        kind="html",
        warnings=(f"read from the feed's own text: {why}", *warnings),
        url=link,
        title=title,
        published=published,
    )
