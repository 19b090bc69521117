"""JSON Lines: one page per record, streamed; manifests whose records name page files.

Reading never holds more than one chunk and one record line; a bad record is that record's
Failure, and after max_failures of them the rest of the file is skipped with one more.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from marsad.model import Failure, Page
from marsad.read.base import ReadConfig, ReadError, check_lines, guarded
from marsad.read.dates import record_date
from marsad.read.files import GZIP_ERRORS, not_regular, opened
from marsad.read.text import storable, utf8_or_legacy, utf16_without_bom

JSONL_SUFFIXES = {".jsonl", ".ndjson"}

# Record fields and the aliases other corpora use for them (ANT: source/time; SaudiNewsNet:
# source/date_extracted/content).
FIELD_ALIASES = {
    "id": ("id", "source_id", "doc_id"),
    "url": ("url", "link"),
    "outlet": ("outlet", "source", "site", "sitename"),
    "published": ("published", "date", "time", "date_published", "date_extracted"),
    "title": ("title", "headline"),
    "text": ("text", "content", "body"),
    "html": ("html",),
    "path": ("path", "file"),
}
MAX_MANIFEST_DEPTH = 16  # manifests naming manifests, this many deep at most

# Reads the file a manifest record names (the dispatcher: any format), given the chain of
# manifests that led to it.
ReadTarget = Callable[[Path, tuple[Path, ...]], Iterator[Page | Failure]]

_CHUNK = 1 << 20


class _Lines:
    """The lines of a JSON Lines stream, read chunk by chunk: memory stays at one chunk plus
    one line (a line longer than `max_line` is dropped, not held). Yields (line number,
    byte offset, line) with line None for an over-long one; blank lines are skipped.
    `decoder` turns the bytes into text first (UTF-16); without one lines stay bytes."""

    def __init__(
        self,
        fh: BinaryIO,
        config: ReadConfig,
        decoder: codecs.IncrementalDecoder | None,
        skip: int = 0,
    ):
        self.fh, self.config, self.decoder = fh, config, decoder
        self.line_no = 1
        self.read = self.skip = skip  # bytes already consumed (a BOM)

    def _chunks(self) -> Iterator[bytes | str]:
        while True:
            try:
                chunk = self.fh.read(_CHUNK)
            except GZIP_ERRORS as exc:
                raise ReadError(
                    f"truncated or corrupt gzip ({exc}); stopped at line {self.line_no}"
                ) from None
            except OSError as exc:
                raise ReadError(exc.strerror or str(exc)) from None
            if not chunk:
                if self.decoder is not None:
                    tail = self.decoder.decode(b"", final=True)
                    if tail:
                        yield tail
                return
            self.read += len(chunk)
            if self.read > self.config.max_file_bytes:
                raise ReadError(
                    f"file is larger than {self.config.max_file_mb:g} MB decompressed; stopped "
                    f"reading at line {self.line_no} (raise max_file_mb to read it all)"
                )
            yield chunk if self.decoder is None else self.decoder.decode(chunk)

    def __iter__(self) -> Iterator[tuple[int, int, bytes | str | None]]:
        max_line = self.config.max_line_bytes
        parts: list = []  # the current line's pieces so far
        size = 0  # their length
        long = False  # the current line is over max_line: its pieces are not kept
        start = offset = self.skip  # offsets of the current line and of the chunk
        for chunk in self._chunks():
            nl_char = b"\n" if isinstance(chunk, bytes) else "\n"
            if not parts and not long and not chunk.strip():  # blank run: count, skip
                self.line_no += chunk.count(nl_char)
                tail = chunk.rfind(nl_char) + 1
                if tail:
                    start = offset + tail
                if tail < len(chunk):
                    parts, size = [chunk[tail:]], len(chunk) - tail
                offset += len(chunk)
                continue
            pos = 0
            while True:
                nl = chunk.find(nl_char, pos)
                end = len(chunk) if nl < 0 else nl
                if not long:
                    size += end - pos
                    if size > max_line:
                        long, parts = True, []
                    else:
                        parts.append(chunk[pos:end])
                if nl < 0:
                    break
                if long:
                    yield self.line_no, start, None
                else:
                    line = parts[0] if len(parts) == 1 else chunk[:0].join(parts)
                    if line.strip():
                        yield self.line_no, start, line
                self.line_no += 1
                parts, size, long = [], 0, False
                pos = nl + 1
                start = offset + pos
            offset += len(chunk)
        if long:
            yield self.line_no, start, None
        elif parts:
            line = chunk[:0].join(parts)
            if line.strip():
                yield self.line_no, start, line


def read_jsonl(
    path: Path, config: ReadConfig, chain: tuple[Path, ...], read_target: ReadTarget
) -> Iterator[Page | Failure]:
    """One page per record, streaming; a bad record is that record's Failure. After
    max_failures failed records the rest of the file is skipped, with one Failure saying so."""
    with opened(path) as fh:
        try:
            head = fh.peek(4096)[:4096] if hasattr(fh, "peek") else b""
        except GZIP_ERRORS as exc:
            raise ReadError(f"truncated or corrupt gzip ({exc})") from None
        decoder, encoding = _jsonl_encoding(head)
        skip = 0
        if encoding == "utf-8-sig":
            skip = len(fh.read(3))
        records = failures = 0
        for line_no, offset, line in _Lines(fh, config, decoder, skip):
            where = f"{path}:{line_no}"
            records += 1
            if records > config.max_records:
                yield Failure(
                    where,
                    f"more than {config.max_records} records; stopped reading this file"
                    " (raise max_records to read on)",
                )
                return
            for item in guarded(
                where, _record(path, where, line, offset, encoding, config, chain, read_target)
            ):
                if isinstance(item, Failure):
                    failures += 1
                    if failures > config.max_failures:
                        yield Failure(
                            where,
                            f"… more bad records; stopped reading this file after "
                            f"{config.max_failures} failures (raise max_failures to read on)",
                        )
                        return
                yield item
        if records == 0:
            raise ReadError("empty file")


def _jsonl_encoding(head: bytes) -> tuple[codecs.IncrementalDecoder | None, str]:
    """How the lines of a JSON Lines file are decoded: by line from bytes (UTF-8, legacy code
    pages), or, for UTF-16, by a decoder over the whole stream."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return codecs.getincrementaldecoder("utf-16")(errors="replace"), "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return None, "utf-8-sig"  # the BOM is skipped; lines are UTF-8
    utf16 = utf16_without_bom(head)
    if utf16 is not None:
        return codecs.getincrementaldecoder(utf16)(errors="replace"), utf16
    return None, "utf-8"


def _field(record: dict, name: str) -> object:
    for key in FIELD_ALIASES[name]:
        value = record.get(key)
        if value not in (None, ""):
            return storable(value) if isinstance(value, str) else value
    return None


def _record(
    path: Path,
    where: str,
    line: bytes | str | None,
    offset: int,
    encoding: str,
    config: ReadConfig,
    chain: tuple[Path, ...],
    read_target: ReadTarget,
) -> Iterator[Page | Failure]:
    if line is None:
        raise ReadError(
            f"record line longer than {config.max_line_bytes / 1048576:.0f} MB; too large for "
            f"one page (limit {config.max_page_mb:g} MB)"
        )
    warnings: list[str] = []
    if isinstance(line, bytes):
        line, found, warnings = utf8_or_legacy(line, offset)
        encoding = encoding if found == "utf-8" else found  # utf-8-sig stays named so
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ReadError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ReadError("invalid JSON (nested too deeply)") from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise ReadError(f"invalid JSON ({str(exc).split(':')[0]})") from None
    if not isinstance(record, dict):
        raise ReadError("record is not a JSON object")
    if _field(record, "path") is not None:
        yield from _manifest_pages(record, path, config, chain, read_target)
    else:
        yield _record_page(record, where, encoding, config, warnings)


def _manifest_pages(
    record: dict,
    manifest: Path,
    config: ReadConfig,
    chain: tuple[Path, ...],
    read_target: ReadTarget,
) -> Iterator[Page | Failure]:
    """A manifest record points at a page file (relative to the manifest) and gives the metadata a
    scraper knows but the page text may not state: outlet, URL, time. The page's own
    metadata (a JSON Lines record's fields, a date printed in the text) wins over it."""
    named = str(_field(record, "path"))
    target = manifest.parent / named
    try:
        resolved, here = target.resolve(), manifest.resolve()
    except (OSError, RuntimeError):
        raise ReadError(f"manifest path {named}: symlink loop") from None
    if not config.allow_outside and not resolved.is_relative_to(here.parent):
        raise ReadError(
            f"manifest path {named} resolves outside the manifest's folder"
            " (pass --allow-outside to allow)"
        )
    if resolved == here:
        raise ReadError("manifest names itself")
    stack = (*chain, here)
    if resolved in stack:
        loop = [*stack[stack.index(resolved) :], resolved]
        names = " -> ".join(os.path.relpath(p, loop[0].parent) for p in loop)
        raise ReadError(f"manifest cycle: {names}")
    if len(stack) > MAX_MANIFEST_DEPTH:
        raise ReadError(f"manifests nest more than {MAX_MANIFEST_DEPTH} deep")
    reason = not_regular(target)
    if reason == "no such file or folder":
        raise ReadError(f"manifest names a missing file: {target}")
    if reason is not None:
        raise ReadError(f"manifest path {named}: {reason}")
    meta, warnings = _metadata(record)
    for page in read_target(target, stack):
        if isinstance(page, Failure):
            yield page
            continue
        defaults = {k: v for k, v in meta.items() if getattr(page, k) is None}
        yield dataclasses.replace(page, **defaults, warnings=(*page.warnings, *warnings))


def _metadata(record: dict) -> tuple[dict[str, str | None], list[str]]:
    values = {k: _field(record, k) for k in ("title", "outlet", "url")}
    source_id = _field(record, "id")
    published, warnings = record_date(_field(record, "published"))
    meta = {
        **{k: None if v is None else storable(str(v)) for k, v in values.items()},
        "source_id": None if source_id is None else storable(str(source_id)),
        "published": published,
    }
    return meta, warnings


def _record_page(
    record: dict, where: str, encoding: str, config: ReadConfig, warnings: list[str]
) -> Page:
    html, body = _field(record, "html"), _field(record, "text")
    if html is not None and body is not None:
        raise ReadError("record has both 'text' and 'html'; give one")
    content = html if html is not None else body
    if content is not None and not isinstance(content, str):
        name = "html" if html is not None else "text"
        raise ReadError(f"record's '{name}' is {type(content).__name__}, not a string")
    if content is None or not content.strip():
        raise ReadError("record has no 'text' or 'html'")
    if len(content) > config.max_page_bytes or len(content.encode("utf-8")) > config.max_page_bytes:
        raise ReadError(f"record content larger than {config.max_page_mb:g} MB")
    check_lines(content, config)
    meta, date_warnings = _metadata(record)
    return Page(
        content=content,
        kind="html" if html is not None else "text",
        source_path=where,
        encoding=encoding,
        warnings=(*warnings, *date_warnings),
        **meta,
    )
