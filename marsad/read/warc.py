"""Web archives (WARC and ARC, plain or a gzip member per record) → a page per HTML capture.

warcio reads both formats (fastwarc reads no ARC) and streams: one record's payload, at most
max_page_mb, is held at a time. A page's URL is the record's target URI and its time the
capture time (a date the page states wins at extraction). Records that are no HTML capture
(requests, metadata, revisits, images, redirects and errors) are skipped and counted by
kind. A corrupt record is one Failure at its byte offset; reading resumes at the next record
boundary found after it (the next gzip member, or the next `WARC/1.` line). warcio checks no
gzip CRC, so a record of a gzipped archive must end where the next member begins.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from marsad.model import Failure, Page
from marsad.read.base import ReadConfig, ReadError
from marsad.read.dates import record_date
from marsad.read.files import GZIP_ERRORS, make_page, opened, too_large

ARCHIVE_SUFFIXES = {".warc", ".arc"}
HTML_TYPES = {"text/html", "application/xhtml+xml"}
_PAGE_RECORDS = ("response", "resource")  # resource: a capture stored without HTTP headers
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"\nWARC/1."
_SCAN = 1 << 20  # bytes searched at a time for the next record boundary


def is_archive_head(head: bytes) -> bool:
    """Whether a file's first bytes are a WARC or ARC record (uncompressed)."""
    return head.startswith((b"WARC/", b"filedesc://"))


def read_archive(
    path: Path, config: ReadConfig, skipped: Counter[str] | None = None
) -> Iterator[Page | Failure]:
    """The HTML captures of one WARC/ARC file; see the module docstring."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    skipped = Counter() if skipped is None else skipped
    with opened(path, decompress=False) as raw:
        size = raw.seek(0, io.SEEK_END)
        start, records, failures = 0, 0, 0
        gzipped = _head(raw, 0, 3) == _GZIP_MAGIC
        while start is not None:
            raw.seek(start)
            it = ArchiveIterator(raw, arc2warc=True)
            good = start  # where the last whole record ended: a damaged one starts here
            try:
                for record in it:
                    records += 1
                    where = f"{path}:{it.offset}"  # where this record starts
                    if records > config.max_records:
                        yield Failure(
                            where,
                            f"more than {config.max_records} records; stopped reading this"
                            " file (raise max_records to read on)",
                        )
                        return
                    try:
                        got: Page | Failure | None = _record_page(record, where, config, skipped)
                    except ReadError as exc:
                        got = Failure(where, str(exc))
                    except (*GZIP_ERRORS, ValueError) as exc:  # a payload's own encoding
                        got = Failure(where, f"undecodable payload ({exc})")
                    it.read_to_end()
                    if gzipped and not _at_member(raw, it.offset, size):
                        raise ValueError("its gzip member ends before the next record begins")
                    failures += isinstance(got, Failure)
                    if got is not None:
                        yield got
                    good = it.offset
                start = None
                if good < size and _head(raw, good, 64).strip():
                    failures += 1
                    yield Failure(
                        f"{path}:{good}",
                        f"truncated or corrupt archive: {size - good} bytes after the last"
                        " whole record could not be read",
                    )
            except (ArchiveLoadFailed, *GZIP_ERRORS, ValueError, KeyError) as exc:
                failures += 1
                reason = str(exc).split("\n")[0][:120]
                yield Failure(f"{path}:{good}", f"corrupt archive record ({reason})")
                start = _next_boundary(raw, good + 1, gzipped)
            if failures > config.max_failures:
                yield Failure(
                    str(path),
                    f"… more bad records; stopped reading this file after"
                    f" {config.max_failures} failures (raise max_failures to read on)",
                )
                return


def _head(raw: BinaryIO, at: int, n: int) -> bytes:
    raw.seek(at)
    return raw.read(n)


def _at_member(raw: BinaryIO, at: int, size: int) -> bool:
    """Whether a gzip member (or the file's end) starts at `at`: a damaged member's deflate
    data can end early, and warcio would read the bytes after it as the next record."""
    here = raw.tell()
    ok = at >= size or _head(raw, at, 3) == _GZIP_MAGIC
    raw.seek(here)
    return ok


def _next_boundary(raw: BinaryIO, after: int, gzipped: bool) -> int | None:
    """Offset of the next place a record may start (None: none left)."""
    magic = _GZIP_MAGIC if gzipped else _WARC_MAGIC
    at = after
    while True:
        raw.seek(at)
        block = raw.read(_SCAN + len(magic))
        if len(block) < len(magic):
            return None
        found = block.find(magic)
        if found >= 0:
            return at + found + (0 if gzipped else 1)
        at += _SCAN


def _record_page(record, where: str, config: ReadConfig, skipped: Counter[str]) -> Page | None:
    """The page of one record, or None (counted in `skipped`) when it is no HTML capture."""
    if record.rec_type is None:
        raise ReadError("record without a WARC-Type (a header cut short or damaged)")
    if record.rec_type not in _PAGE_RECORDS:
        skipped[f"{record.rec_type} records"] += 1
        return None
    http = record.http_headers
    if http is not None and http.get_statuscode() != "200":
        skipped[f"HTTP {http.get_statuscode() or '?'} responses"] += 1
        return None
    declared = (http.get_header("Content-Type") if http is not None else None) or (
        record.rec_headers.get_header("Content-Type") or ""
    )
    media = declared.split(";")[0].strip().lower()
    if media not in HTML_TYPES:
        skipped[f"{media or 'untyped'} captures"] += 1
        return None
    data = record.content_stream().read(config.max_page_bytes + 1)
    if len(data) > config.max_page_bytes:
        raise too_large(f"a capture of more than {config.max_page_mb:g} MB", config)
    left = getattr(record.raw_stream, "limit", 0)
    if left and not record.raw_stream.read(1):
        raise ReadError(f"record cut short ({left} bytes missing)")
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ") or None
    published, warnings = record_date(record.rec_headers.get_header("WARC-Date"))
    return make_page(
        data,
        config,
        name="",
        source_path=where,
        kind="html",
        warnings=tuple(w.replace("published:", "WARC-Date:") for w in warnings),
        url=url,
        published=published,
    )
