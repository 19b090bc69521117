"""HTML pages: trafilatura finds the main text and metadata, our line classifier and
segmenter then remove the Arabic boilerplate it keeps (captions, read-also blocks, tags,
credits) and split off glued articles."""

from __future__ import annotations

import re
from datetime import datetime

import trafilatura

from marsad.extract.lines import CAPTION, classify
from marsad.extract.segment import segment
from marsad.extract.text import build_articles, page_lines
from marsad.model import Dropped, Extraction, Page

# Measured on the scrapinghub benchmark (eval/extraction.py): precision mode is the best
# setting once our clean-up runs after it; comments are never article text. The date comes
# from the page's markup (no extensive text search: it costs a third of the time on pages
# without date markup, and a date in the body text is the segmenter's job).
TRAFILATURA_OPTIONS = {
    "include_comments": False,
    "include_tables": True,
    "favor_precision": True,
    "date_extraction_params": {"original_date": True, "extensive_search": False},
}

# trafilatura gives the publish day only; the time is in the article's own markup.
_PUBLISHED = re.compile(
    r"""(?:article:published_time|og:published_time|"datePublished"|itemprop=["']datePublished["'])"""
    r"""[^<>]{0,40}?(?:content=|:\s*)["'](\d{4}-\d\d-\d\dT\d\d:\d\d[^"']{0,40})["']"""
    r"""|<time[^<>]{1,300}?datetime=["'](\d{4}-\d\d-\d\dT\d\d:\d\d[^"']{0,40})["']""",
    re.IGNORECASE,
)
# Photo captions trafilatura leaves out: <figcaption> and elements classed caption/credit.
# Every repeat is bounded and a tag's attributes never run into the next tag: unbounded
# ones made a page of unclosed tags quadratic (24 KB of "<a " took 0.4 s, 10 MB hours).
_CAPTION_ELEMENT = re.compile(
    r"<figcaption[^<>]{0,1000}>(.{1,400}?)</figcaption>"
    r"""|<(\w+)[^<>]{0,1000}?class=["'][^"']{0,200}?(?:caption|credit)[^"']{0,200}["']"""
    r"""[^<>]{0,1000}>(.{1,400}?)</\2>""",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"<[^>]+>")


def extract_html(page: Page) -> Extraction:
    """An HTML page → its article(s); a page with no main text → no articles, one reason."""
    doc = trafilatura.bare_extraction(
        page.content, url=page.url, with_metadata=True, **TRAFILATURA_OPTIONS
    )
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        return Extraction(page, [], [Dropped(0, "", "no_article")])
    lines = page_lines(text, numbered=False)
    title = (page.title or doc.title or "").strip()
    result = segment(lines, title)
    published = _published_time(page.content, doc.date)
    articles = build_articles(page, result.drafts, outlet=doc.sitename, published=published)
    if not articles:
        result.dropped.append(Dropped(0, "", "no_article"))
    elif not articles[0].credits:
        articles[0].credits = _caption_credits(page.content)
    return Extraction(page, articles, result.dropped)


def _published_time(html: str, day: str | None) -> str | None:
    """`YYYY-MM-DDTHH:MM` (as written, offset dropped) when the markup states the time of
    trafilatura's publish day; else that day."""
    m = _PUBLISHED.search(html)
    if m is None:
        return day
    try:
        stamp = datetime.fromisoformat((m.group(1) or m.group(2)).replace("Z", "+00:00"))
    except ValueError:
        return day
    if day is not None and stamp.date().isoformat() != day:
        return day
    return stamp.strftime("%Y-%m-%dT%H:%M")


def _caption_credits(html: str) -> list[str]:
    """Agency credits of the photo captions in the page's <article> (whole page if none)."""
    start, end = html.find("<article"), html.find("</article>")
    scope = html[start:end] if 0 <= start < end else html
    credits: list[str] = []
    for m in _CAPTION_ELEMENT.finditer(scope):
        text = _TAG.sub(" ", m.group(1) or m.group(3)).strip()
        line = classify(text) if text else None
        if line is not None and line.kind == CAPTION and line.value not in credits:
            credits.append(line.value)
    return credits
