"""Readers: files, folders and globs of text, HTML and JSON Lines (optionally gzipped) → Pages.

Reading never raises on bad input: a file or record that cannot be read becomes a `Failure`
naming the file (and line) and the reason, and the batch goes on.
"""

from __future__ import annotations

import codecs
import dataclasses
import errno
import glob
import gzip
import json
import math
import os
import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

from marsad.model import MAX_YEAR, MIN_YEAR, Failure, Page, PageKind

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
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


@dataclass(frozen=True)
class ReadConfig:
    """Limits that keep one bad file from eating the batch ([read] in the TOML config; every
    limit, its default and the error it gives: docs/input.md)."""

    max_page_mb: float = 10.0  # a single text/HTML page (or record) above this is not a news page
    max_file_mb: float = 2048.0  # bytes read from one file, decompressed (JSON Lines, .gz)
    max_records: int = 1_000_000  # records read from one JSON Lines file
    max_failures: int = 100  # failed records of one file before the rest of it is skipped
    max_lines: int = 50_000  # lines of one page (or record text)
    allow_outside: bool = False  # manifests may name files outside their own folder

    def __post_init__(self) -> None:
        for name in ("max_page_mb", "max_file_mb", "max_records", "max_failures", "max_lines"):
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


# --- encodings ---------------------------------------------------------------------------

_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_AL = re.compile("(?:^|\\s)\u0627\u0644")  # the article "ال" at a word start
# What a news page is written in: Latin, Arabic (and its presentation forms), punctuation. A
# binary file read as UTF-16 comes out as CJK and other scripts instead.
_WORDISH = re.compile(
    "[\\s\u0021-\u024f\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff"
    "\ufe70-\ufeff\u2000-\u206f\u00a0«»]"
)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_LIKE = re.compile(r"[+-]?\d{4,}-\d{1,2}-\d{1,2}(?:[T ]|$)")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII = bytes(range(128))
# Share of the non-ASCII bytes that must be invalid UTF-8 before the bytes are taken for a
# legacy code page: a real Windows-1256 file is nearly all invalid sequences, a UTF-8 file
# with a stray byte or a cut last character has a few.
LEGACY_SHARE = 0.5
# A file that is not Arabic in any code page is still read as UTF-8 (with replacement) when
# at most this share of its bytes is invalid; beyond it, it is not text.
REPLACE_SHARE = 0.02


def _arabic_score(text: str) -> float:
    """How much a decoding looks like Arabic prose: Arabic letters, and ال at word starts."""
    if not text:
        return 0.0
    sample = text[:20000]
    return (len(_ARABIC_LETTER.findall(sample)) + 20 * len(_AL.findall(sample))) / len(sample)


def _looks_textual(text: str) -> bool:
    sample = text[:4096]
    return not _CONTROL.search(sample) and len(_WORDISH.findall(sample)) > 0.8 * len(sample)


def _legacy(data: bytes) -> tuple[str, str] | None:
    """Legacy Arabic code pages share most byte values; the one that reads as Arabic."""
    best: tuple[float, str, str] | None = None
    for enc in ("cp1256", "iso-8859-6"):
        text = data.decode(enc, errors="replace")
        score = _arabic_score(text) - text.count("\ufffd") / max(len(text), 1) * 50
        if best is None or score > best[0]:
            best = (score, text, enc)
    assert best is not None
    score, text, enc = best
    if score <= 0.05 or len(_CONTROL.findall(text[:4096])) > 8:
        return None
    return text, enc


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _utf8_or_legacy(data: bytes, offset: int = 0) -> tuple[str, str, list[str]]:
    """UTF-8; bytes that are mostly invalid UTF-8 are a legacy code page; a few invalid bytes
    in UTF-8 are replaced (U+FFFD) with a warning naming the first one's byte offset."""
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        first = exc.start
    text = data.decode("utf-8", errors="replace")
    replacements = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    replaced = len(data) - (len(text.encode("utf-8")) - 3 * replacements)
    non_ascii = len(data) - len(data.translate(None, _ASCII))
    if replaced > LEGACY_SHARE * non_ascii:
        legacy = _legacy(data)
        if legacy is not None:
            return legacy[0], legacy[1], []
        if replaced > REPLACE_SHARE * len(data):
            raise ReadError("not decodable as UTF-8, UTF-16, Windows-1256 or ISO-8859-6 text")
    warning = f"invalid UTF-8 at byte {offset + first} ({_plural(replaced, 'byte')} replaced)"
    return text, "utf-8", [warning]


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """Decode page bytes; (text, encoding name, warnings). Raises ReadError when not text."""
    if not data.strip():
        raise ReadError("empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        text, _, warnings = _utf8_or_legacy(data[3:], 3)
        return text, "utf-8-sig", warnings
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16", []
    utf16 = _utf16_without_bom(data[:4096])
    if utf16 is not None:
        return data.decode(utf16, errors="replace"), utf16, []
    return _utf8_or_legacy(data)


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 without a BOM when the head holds NUL bytes and reads as text that way; None
    when it has no NUL, or a stray few in UTF-8 text (dropped as `storable` drops them);
    ReadError when it has NULs and is no text (a binary file)."""
    nuls = head.count(0)
    if not nuls:
        return None
    if nuls <= max(2, len(head) // 200) and _utf8_head(head.replace(b"\x00", b"")):
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        text = head[: len(head) // 2 * 2].decode(enc, errors="replace")
        if "\ufffd" not in text.rstrip("\ufffd") and _looks_textual(text):
            return enc
    raise ReadError("binary file (NUL bytes), not a text, HTML or JSON Lines page")


def _utf8_head(head: bytes) -> bool:
    """Whether these first bytes of a file are UTF-8 text (a character cut at the end
    allowed)."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    return _looks_textual(text)


def decode(data: bytes) -> tuple[str, str]:
    """Decode page bytes; return (text, encoding name). Raises ReadError when not text."""
    text, encoding, _ = _decode(data)
    return text, encoding


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """Text every store can hold: NUL (U+0000) dropped, each lone UTF-16 surrogate (JSON may
    escape one: "\\ud800") replaced by U+FFFD. Reading and the API both apply it."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text


# --- dates -------------------------------------------------------------------------------

_EPOCH_MIN = datetime(MIN_YEAR, 1, 2, tzinfo=UTC).timestamp()
_EPOCH_MAX = datetime(MAX_YEAR, 12, 30, tzinfo=UTC).timestamp()


def _in_range(stamp: datetime | date, text: str) -> None:
    if not MIN_YEAR <= stamp.year <= MAX_YEAR:
        raise ReadError(f"{text} is not a valid date (years {MIN_YEAR}–{MAX_YEAR})")


def iso_datetime(value: object) -> str | None:
    """ISO 8601 for the date forms records carry (ISO, RFC 2822, epoch seconds); None if none.

    Raises ReadError (and nothing else) for a value that is no date: "unrecognised date
    'next week'", "2018-02-30 is not a valid date", "1e+20 is not a valid date (...)"."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not (math.isfinite(value) and _EPOCH_MIN <= value <= _EPOCH_MAX):
            shown = f"{value:g}" if isinstance(value, float) else str(value)[:24]
            raise ReadError(
                f"{shown} is not a valid date (epoch seconds of years {MIN_YEAR}–{MAX_YEAR})"
            )
        return datetime.fromtimestamp(value).isoformat(timespec="minutes")
    if not isinstance(value, str):
        raise ReadError(f"unrecognised date {str(value)[:40]!r}")
    text = value.strip()
    if len(text) > 80:
        raise ReadError(f"unrecognised date {text[:40] + '…'!r}")
    if _DAY.fullmatch(text):  # a day without a time stays a day: no invented midnight
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ReadError(f"{text} is not a valid date") from None
        _in_range(day, text)
        return day.isoformat()
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        if _ISO_LIKE.match(text):
            raise ReadError(f"{text} is not a valid date") from None
    else:
        _in_range(stamp, text)
        return stamp.isoformat(timespec="minutes")
    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        raise ReadError(f"unrecognised date {text!r}") from None
    _in_range(stamp, text)
    return stamp.isoformat(timespec="minutes")


def record_date(value: object) -> tuple[str | None, list[str]]:
    """A record's `published`: (ISO date, []) or, when it is no date, (None, [warning]): the
    page is kept, undated, rather than lost for a broken field."""
    try:
        return iso_datetime(value), []
    except ReadError as exc:
        return None, [f"published: {exc}; the record's date is ignored"]


# --- files -------------------------------------------------------------------------------

_KINDS = {
    stat.S_IFIFO: "FIFO",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
}


def _kind_reason(mode: int) -> str:
    return f"not a regular file ({_KINDS.get(stat.S_IFMT(mode), 'unknown type')})"


def _stat_reason(path: Path) -> tuple[os.stat_result | None, str | None]:
    """(stat, None) for something that exists, else (None, why it cannot be read)."""
    try:
        return path.stat(), None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, "symlink loop"
        if path.is_symlink():
            return None, "broken symlink (its target does not exist)"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None, "no such file or folder"
        return None, exc.strerror or str(exc)
    except ValueError:  # a NUL in the path
        return None, "no such file or folder"


def _not_regular(path: Path) -> str | None:
    """Why `path` is not a regular file to read (never opening it), or None."""
    st, reason = _stat_reason(path)
    if st is None:
        return reason
    if stat.S_ISDIR(st.st_mode):
        return "is a folder"
    return None if stat.S_ISREG(st.st_mode) else _kind_reason(st.st_mode)


def expand(specs: Iterable[str | Path]) -> Iterator[Path | Failure]:
    """Files named by paths, folders (recursive, hidden files skipped) and glob patterns.

    Anything that is not a regular file (FIFO, socket, device, broken symlink, symlink loop)
    is a Failure naming what it is; it is never opened."""
    for spec in specs:
        path = Path(spec)
        st, reason = _stat_reason(path)
        if st is not None and stat.S_ISDIR(st.st_mode):
            yield from _walk(path, frozenset({os.path.realpath(path)}))
        elif st is not None:
            yield path if stat.S_ISREG(st.st_mode) else Failure(str(spec), _kind_reason(st.st_mode))
        elif reason == "no such file or folder" and glob.has_magic(str(spec)):
            matches = sorted(Path(m) for m in glob.glob(str(spec), recursive=True))
            found = False
            for m in matches:
                why = _not_regular(m)
                if why == "is a folder":
                    continue
                found = True
                yield m if why is None else Failure(str(m), why)
            if not found:
                yield Failure(str(spec), "glob pattern matched no files")
        else:
            yield Failure(str(spec), reason or "no such file or folder")


def _walk(folder: Path, ancestors: frozenset[str]) -> Iterator[Path | Failure]:
    """A folder's files in path order, depth first; symlinked folders are followed unless
    they lead back to a folder being walked (a symlink loop)."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Failure(str(folder), exc.strerror or str(exc))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        st, reason = _stat_reason(path)
        if st is None:
            yield Failure(str(path), reason or "cannot be read")
        elif stat.S_ISDIR(st.st_mode):
            real = os.path.realpath(path)
            if real in ancestors:
                yield Failure(str(path), "symlink loop")
            else:
                yield from _walk(path, ancestors | {real})
        elif stat.S_ISREG(st.st_mode):
            yield path
        else:
            yield Failure(str(path), _kind_reason(st.st_mode))


def _kind_of(name: str, text: str) -> PageKind:
    if Path(name).suffix.lower() in HTML_SUFFIXES:
        return "html"
    head = text[:1000].lstrip().lower()
    return "html" if head.startswith(("<!doctype html", "<html", "<?xml")) else "text"


def _inner_suffix(path: Path) -> str:
    """Suffix that says the format: `x.jsonl.gz` → `.jsonl`."""
    return Path(path.stem).suffix.lower() if path.suffix == ".gz" else path.suffix.lower()


_reading: list[BinaryIO] = []  # the raw file being read, for progress (`read_offset`)


def read_offset() -> int:
    """Bytes of the file being read consumed so far (on disk: compressed for .gz)."""
    raw = _reading[-1] if _reading else None
    return raw.tell() if raw is not None and not raw.closed else 0


@contextmanager
def _opened(path: Path) -> Iterator[BinaryIO]:
    """The file's bytes as a stream (decompressed for .gz). Opened without blocking and
    checked to be a regular file once open, so a FIFO swapped in is never read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ReadError(_kind_reason(mode))
        raw = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    _reading[:] = [raw]
    with raw:
        if path.suffix == ".gz":
            with gzip.GzipFile(fileobj=raw, mode="rb") as fh:
                yield fh
        else:
            yield raw


_GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


def _read_page_bytes(path: Path, config: ReadConfig) -> bytes:
    """At most max_page_mb (+1 byte) of the file, never the whole of an oversized one."""
    limit = config.max_page_bytes
    try:
        with _opened(path) as fh:
            data = fh.read(limit + 1)
    except _GZIP_ERRORS as exc:
        raise ReadError(f"truncated or corrupt gzip ({exc})") from None
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from None
    if len(data) > limit:
        size = (
            f"more than {config.max_page_mb:g} MB decompressed"
            if path.suffix == ".gz"
            else f"{path.stat().st_size / 1048576:.1f} MB"
        )
        raise ReadError(
            f"{size} is too large for one page "
            f"(limit {config.max_page_mb:g} MB; raise max_page_mb if this is really one page)"
        )
    return data


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


def read_file(path: Path, config: ReadConfig = ReadConfig()) -> Iterator[Page | Failure]:
    """Pages of one file (one page, or one per JSON Lines record). Never raises: whatever
    goes wrong becomes a Failure naming the file (and line), and reading goes on."""
    yield from _read_file(Path(path), config, ())


def _read_file(path: Path, config: ReadConfig, chain: tuple[Path, ...]) -> Iterator[Page | Failure]:
    reason = _not_regular(path)
    if reason is not None:
        yield Failure(str(path), reason)
        return
    try:
        if _inner_suffix(path) in JSONL_SUFFIXES:
            yield from _read_jsonl(path, config, chain)
        else:
            yield _read_page(path, config)
    except ReadError as exc:
        yield Failure(str(path), str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        yield Failure(str(path), f"unexpected error: {type(exc).__name__}: {exc}")


def _read_page(path: Path, config: ReadConfig) -> Page:
    text, encoding, warnings = _decode(_read_page_bytes(path, config))
    text = storable(text)
    check_lines(text, config)
    name = path.stem if path.suffix == ".gz" else path.name
    return Page(
        content=text,
        kind=_kind_of(name, text),
        source_path=str(path),
        encoding=encoding,
        warnings=tuple(warnings),
    )


# --- JSON Lines ----------------------------------------------------------------------------

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
            except _GZIP_ERRORS as exc:
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


def _read_jsonl(
    path: Path, config: ReadConfig, chain: tuple[Path, ...]
) -> Iterator[Page | Failure]:
    """One page per record, streaming; a bad record is that record's Failure. After
    max_failures failed records the rest of the file is skipped, with one Failure saying so."""
    with _opened(path) as fh:
        try:
            head = fh.peek(4096)[:4096] if hasattr(fh, "peek") else b""
        except _GZIP_ERRORS as exc:
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
            for item in _guarded(
                where, _record(path, where, line, offset, encoding, config, chain)
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
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return codecs.getincrementaldecoder(utf16)(errors="replace"), utf16
    return None, "utf-8"


def _guarded(where: str, items: Iterator[Page | Failure]) -> Iterator[Page | Failure]:
    """A record's pages; whatever exception reading it raises is that record's Failure."""
    try:
        yield from items
    except ReadError as exc:
        yield Failure(where, str(exc))
    except RecursionError:
        yield Failure(where, "record nested too deeply")
    except Exception as exc:  # noqa: BLE001 - one bad record must not stop the file
        yield Failure(where, f"unexpected error: {type(exc).__name__}: {exc}")


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
) -> Iterator[Page | Failure]:
    if line is None:
        raise ReadError(
            f"record line longer than {config.max_line_bytes / 1048576:.0f} MB; too large for "
            f"one page (limit {config.max_page_mb:g} MB)"
        )
    warnings: list[str] = []
    if isinstance(line, bytes):
        line, found, warnings = _utf8_or_legacy(line, offset)
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
        yield from _manifest_pages(record, path, config, chain)
    else:
        yield _record_page(record, where, encoding, config, warnings)


def _manifest_pages(
    record: dict, manifest: Path, config: ReadConfig, chain: tuple[Path, ...]
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
    reason = _not_regular(target)
    if reason == "no such file or folder":
        raise ReadError(f"manifest names a missing file: {target}")
    if reason is not None:
        raise ReadError(f"manifest path {named}: {reason}")
    meta, warnings = _metadata(record)
    for page in _read_file(target, config, stack):
        if isinstance(page, Failure):
            yield page
            continue
        defaults = {k: v for k, v in meta.items() if getattr(page, k) is None}
        yield dataclasses.replace(page, **defaults, warnings=(*page.warnings, *warnings))


@dataclass(frozen=True)
class PageDefaults:
    """What a whole batch shares and its pages may not say (`marsad ingest --outlet
    --published --url-prefix`): filled in where a page, its record or its manifest gives
    nothing. `published` is checked like a record's date."""

    outlet: str | None = None
    published: str | None = None
    url_prefix: str | None = None

    def __post_init__(self) -> None:
        if self.published is not None:
            object.__setattr__(self, "published", iso_datetime(self.published))

    def apply(self, page: Page) -> Page:
        fill: dict[str, str] = {}
        if page.outlet is None and self.outlet:
            fill["outlet"] = storable(self.outlet)
        if page.published is None and self.published:
            fill["published"] = self.published
        if page.url is None and self.url_prefix and ":" not in Path(page.source_path).name:
            fill["url"] = storable(self.url_prefix.rstrip("/") + "/" + Path(page.source_path).name)
        return dataclasses.replace(page, **fill) if fill else page


MAX_MANIFEST_DEPTH = 16  # manifests naming manifests, this many deep at most


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


def read(
    specs: Iterable[str | Path], config: ReadConfig = ReadConfig()
) -> Iterator[Page | Failure]:
    """All pages named by `specs`, with a Failure for each file or record that cannot be read."""
    for item in expand(specs):
        if isinstance(item, Failure):
            yield item
        else:
            yield from read_file(item, config)
