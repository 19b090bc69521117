"""Extraction: a raw page → one or more clean articles, with every dropped line and why."""

from __future__ import annotations

from marsad.extract.html import extract_html
from marsad.extract.source import named
from marsad.extract.text import extract_text
from marsad.model import Extraction, Page

__all__ = ["extract", "extract_html", "extract_text"]


def extract(page: Page) -> Extraction:
    """Pure: the same page always gives the same articles. Dispatches on `page.kind`."""
    return named(extract_html(page) if page.kind == "html" else extract_text(page))
