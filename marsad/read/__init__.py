"""Readers: files, folders, globs and URLs of text, HTML, JSON Lines, web archives (WARC/ARC),
RSS/Atom feeds and sitemaps (optionally gzipped) → Pages.

Reading never raises on bad input: a file, record or URL that cannot be read becomes a
`Failure` naming it (and the record) and the reason, and the batch goes on. Limits, formats
and every reason: docs/input.md.
"""

from marsad.read.base import Item, ReadConfig, ReadError, check_lines, flatten
from marsad.read.dates import iso_datetime, record_date
from marsad.read.fetch import is_url
from marsad.read.files import PageDefaults, expand, read_offset
from marsad.read.inputs import items, read, read_file, read_source, sources
from marsad.read.text import decode, storable

__all__ = [
    "Item",
    "PageDefaults",
    "ReadConfig",
    "ReadError",
    "check_lines",
    "decode",
    "expand",
    "flatten",
    "is_url",
    "iso_datetime",
    "items",
    "read",
    "read_file",
    "read_offset",
    "read_source",
    "record_date",
    "sources",
    "storable",
]
