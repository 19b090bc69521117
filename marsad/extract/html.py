"""HTML pages: trafilatura finds the main text and metadata, our line classifier and
segmenter then remove the Arabic boilerplate it keeps (captions, read-also blocks, tags,
credits) and split off glued articles."""

from __future__ import annotations

import trafilatura

from marsad.extract.lines import classify
from marsad.extract.segment import segment
from marsad.extract.text import build_articles
from marsad.model import Dropped, Extraction, Page

# Measured on the scrapinghub benchmark (eval/extraction.py): precision mode is the best
# setting once our clean-up runs after it; comments are never article text.
TRAFILATURA_OPTIONS = {"include_comments": False, "include_tables": True, "favor_precision": True}


def extract_html(page: Page) -> Extraction:
    """An HTML page → its article(s); a page with no main text → no articles, one reason."""
    doc = trafilatura.bare_extraction(
        page.content, url=page.url, with_metadata=True, **TRAFILATURA_OPTIONS
    )
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        return Extraction(page, [], [Dropped(0, "", "no_article")])
    lines = [classify(t.strip()) for t in text.splitlines() if t.strip()]
    title = (page.title or doc.title or "").strip()
    result = segment(lines, title, lists_are_body=True)
    articles = build_articles(page, result.drafts, outlet=doc.sitename, published=doc.date)
    if not articles:
        result.dropped.append(Dropped(0, "", "no_article"))
    return Extraction(page, articles, result.dropped)
