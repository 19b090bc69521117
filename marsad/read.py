"""Readers: files, folders and globs of text, HTML and JSON Lines (optionally gzipped) → Pages.

Reading never raises on bad input: a file or record that cannot be read becomes a `Failure`
naming the file (and line) and the reason, and the batch goes on.
"""

from __future__ import annotations

import dataclasses
import glob
import gzip
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from marsad.model import Failure, Page, PageKind

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
    """Limits that keep one bad file from eating the batch."""

    max_page_mb: float = 10.0  # a single text/HTML page above this is not a news page

    @property
    def max_page_bytes(self) -> int:
        return int(self.max_page_mb * 1024 * 1024)


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
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _arabic_score(text: str) -> float:
    """How much a decoding looks like Arabic prose: Arabic letters, and ال at word starts."""
    if not text:
        return 0.0
    sample = text[:20000]
    return (len(_ARABIC_LETTER.findall(sample)) + 20 * len(_AL.findall(sample))) / len(sample)


def _looks_textual(text: str) -> bool:
    sample = text[:4096]
    return not _CONTROL.search(sample) and len(_WORDISH.findall(sample)) > 0.8 * len(sample)


def decode(data: bytes) -> tuple[str, str]:
    """Decode page bytes; return (text, encoding name). Raises ReadError when not text."""
    if not data.strip():
        raise ReadError("empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16"
    head = data[:4096]
    if b"\x00" in head:  # UTF-16 without a BOM, or binary
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _looks_textual(text):
                return text, enc
        raise ReadError("binary file (NUL bytes), not a text, HTML or JSON Lines page")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Legacy Arabic code pages share most byte values; pick the one that reads as Arabic.
    best: tuple[float, str, str] | None = None
    for enc in ("cp1256", "iso-8859-6"):
        text = data.decode(enc, errors="replace")
        score = _arabic_score(text) - text.count("\ufffd") / max(len(text), 1) * 50
        if best is None or score > best[0]:
            best = (score, text, enc)
    assert best is not None
    score, text, enc = best
    if score <= 0.05 or len(_CONTROL.findall(text[:4096])) > 8:
        raise ReadError("not decodable as UTF-8, UTF-16, Windows-1256 or ISO-8859-6 text")
    return text, enc


# --- dates -------------------------------------------------------------------------------


def iso_datetime(value: object) -> str | None:
    """ISO 8601 for the date forms records carry (ISO, RFC 2822, epoch seconds); None if none."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value).isoformat(timespec="minutes")
    text = str(value).strip()
    if _DAY.fullmatch(text):  # a day without a time stays a day: no invented midnight
        return datetime.strptime(text, "%Y-%m-%d").date().isoformat()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat(timespec="minutes")
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat(timespec="minutes")
    except (TypeError, ValueError, IndexError):
        raise ReadError(f"unrecognised date {text!r}") from None


# --- files -------------------------------------------------------------------------------


def expand(specs: Iterable[str | Path]) -> Iterator[Path | Failure]:
    """Files named by paths, folders (recursive, hidden files skipped) and glob patterns."""
    for spec in specs:
        path = Path(spec)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                rel = p.relative_to(path).parts
                if p.is_file() and not any(part.startswith(".") for part in rel):
                    yield p
        elif path.is_file():
            yield path
        elif glob.has_magic(str(spec)):
            matches = sorted(Path(m) for m in glob.glob(str(spec), recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                yield Failure(str(spec), "glob pattern matched no files")
            yield from files
        else:
            yield Failure(str(spec), "no such file or folder")


def _kind_of(name: str, text: str) -> PageKind:
    if Path(name).suffix.lower() in HTML_SUFFIXES:
        return "html"
    head = text[:1000].lstrip().lower()
    return "html" if head.startswith(("<!doctype html", "<html", "<?xml")) else "text"


def _read_bytes(path: Path, config: ReadConfig) -> bytes:
    limit = config.max_page_bytes
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                data = fh.read() if _inner_suffix(path) in JSONL_SUFFIXES else fh.read(limit + 1)
        else:
            data = path.read_bytes()
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ReadError(f"truncated or corrupt gzip ({exc})") from None
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from None
    if _inner_suffix(path) not in JSONL_SUFFIXES and len(data) > limit:
        raise ReadError(
            f"{len(data) / 1048576:.1f} MB is too large for one page "
            f"(limit {config.max_page_mb:g} MB; raise max_page_mb if this is really one page)"
        )
    return data


def _inner_suffix(path: Path) -> str:
    """Suffix that says the format: `x.jsonl.gz` → `.jsonl`."""
    return Path(path.stem).suffix.lower() if path.suffix == ".gz" else path.suffix.lower()


def read_file(path: Path, config: ReadConfig = ReadConfig()) -> Iterator[Page | Failure]:
    """Pages of one file (one page, or one per JSON Lines record)."""
    try:
        data = _read_bytes(path, config)
        text, encoding = decode(data)
    except ReadError as exc:
        yield Failure(str(path), str(exc))
        return
    if _inner_suffix(path) in JSONL_SUFFIXES:
        yield from _records(path, text, encoding, config)
        return
    name = path.stem if path.suffix == ".gz" else path.name
    yield Page(content=text, kind=_kind_of(name, text), source_path=str(path), encoding=encoding)


def _field(record: dict, name: str) -> object:
    for key in FIELD_ALIASES[name]:
        if record.get(key) not in (None, ""):
            return record[key]
    return None


def _records(path: Path, text: str, encoding: str, config: ReadConfig) -> Iterator[Page | Failure]:
    # JSON Lines are split on \n only: a record may hold U+2028 or U+0085, which splitlines cuts.
    for line_no, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{line_no}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Failure(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield Failure(where, "record is not a JSON object")
            continue
        try:
            if _field(record, "path") is not None:
                yield from _manifest_pages(record, path, where, config)
            else:
                yield _record_page(record, where, encoding, config)
        except ReadError as exc:
            yield Failure(where, str(exc))


def _manifest_pages(
    record: dict, manifest: Path, where: str, config: ReadConfig
) -> Iterator[Page | Failure]:
    """A manifest record points at a page file (relative to the manifest) and gives the metadata a
    scraper knows but the page text may not state: outlet, URL, time. The page's own
    metadata (a JSON Lines record's fields, a date printed in the text) wins over it."""
    target = manifest.parent / str(_field(record, "path"))
    if target.resolve() == manifest.resolve():
        raise ReadError("manifest names itself")
    if not target.is_file():
        raise ReadError(f"manifest names a missing file: {target}")
    meta = _metadata(record)
    for page in read_file(target, config):
        if isinstance(page, Failure):
            yield page
            continue
        defaults = {k: v for k, v in meta.items() if getattr(page, k) is None}
        yield dataclasses.replace(page, **defaults)


def _metadata(record: dict) -> dict[str, str | None]:
    values = {k: _field(record, k) for k in ("title", "outlet", "url")}
    source_id = _field(record, "id")
    return {
        **{k: None if v is None else str(v) for k, v in values.items()},
        "source_id": None if source_id is None else str(source_id),
        "published": iso_datetime(_field(record, "published")),
    }


def _record_page(record: dict, where: str, encoding: str, config: ReadConfig) -> Page:
    html, body = _field(record, "html"), _field(record, "text")
    content = html if html is not None else body
    if not isinstance(content, str) or not content.strip():
        raise ReadError("record has no 'text' or 'html'")
    if len(content.encode("utf-8")) > config.max_page_bytes:
        raise ReadError(f"record content larger than {config.max_page_mb:g} MB")
    return Page(
        content=content,
        kind="html" if html is not None else "text",
        source_path=where,
        encoding=encoding,
        **_metadata(record),
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
