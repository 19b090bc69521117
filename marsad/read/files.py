"""Files: paths, folders and globs to regular files, their bytes (gzip too), a page of them.

Nothing that is not a regular file (FIFO, socket, device, broken symlink, symlink loop) is
ever opened: it is a Failure naming what it is.
"""

from __future__ import annotations

import dataclasses
import errno
import glob
import gzip
import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from marsad.model import Failure, Page, PageKind
from marsad.read.base import ReadConfig, ReadError, check_lines
from marsad.read.dates import iso_datetime
from marsad.read.text import decode_page, storable

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}

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


def not_regular(path: Path) -> str | None:
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
                why = not_regular(m)
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


def kind_of(name: str, text: str) -> PageKind:
    if Path(name).suffix.lower() in HTML_SUFFIXES:
        return "html"
    head = text[:1000].lstrip().lower()
    return "html" if head.startswith(("<!doctype html", "<html", "<?xml")) else "text"


def inner_suffix(path: Path) -> str:
    """Suffix that says the format: `x.jsonl.gz` → `.jsonl`."""
    return Path(path.stem).suffix.lower() if path.suffix == ".gz" else path.suffix.lower()


_reading: list[BinaryIO] = []  # the raw file being read, for progress (`read_offset`)


def read_offset() -> int:
    """Bytes of the file being read consumed so far (on disk: compressed for .gz)."""
    raw = _reading[-1] if _reading else None
    return raw.tell() if raw is not None and not raw.closed else 0


@contextmanager
def opened(path: Path, decompress: bool = True) -> Iterator[BinaryIO]:
    """The file's bytes as a stream (decompressed for .gz unless not `decompress`). Opened
    without blocking and checked to be a regular file once open, so a FIFO swapped in is
    never read."""
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
        if decompress and path.suffix == ".gz":
            with gzip.GzipFile(fileobj=raw, mode="rb") as fh:
                yield fh
        else:
            yield raw


GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


def page_bytes(path: Path, config: ReadConfig) -> bytes:
    """At most max_page_mb + 1 byte of the file, never the whole of an oversized one (the
    caller decides, by what the bytes start with, whether that is too large: `oversized`)."""
    try:
        with opened(path) as fh:
            return fh.read(config.max_page_bytes + 1)
    except GZIP_ERRORS as exc:
        raise ReadError(f"truncated or corrupt gzip ({exc})") from None
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from None


def oversized(path: Path, config: ReadConfig) -> ReadError:
    size = (
        f"more than {config.max_page_mb:g} MB decompressed"
        if path.suffix == ".gz"
        else f"{path.stat().st_size / 1048576:.1f} MB"
    )
    return too_large(size, config)


def too_large(size: str, config: ReadConfig) -> ReadError:
    return ReadError(
        f"{size} is too large for one page "
        f"(limit {config.max_page_mb:g} MB; raise max_page_mb if this is really one page)"
    )


def make_page(
    data: bytes,
    config: ReadConfig,
    *,
    name: str,
    source_path: str,
    kind: PageKind | None = None,
    warnings: tuple[str, ...] = (),
    **meta: str | None,
) -> Page:
    """A page of these bytes, wherever they came from (a file, an archive record, a URL):
    decoded, made storable, checked for length; `kind` found from `name` and the text when
    not given; `meta` (url, title, published, outlet) as the source states it."""
    text, encoding, found = decode_page(data)
    text = storable(text)
    check_lines(text, config)
    return Page(
        content=text,
        kind=kind or kind_of(name, text),
        source_path=source_path,
        encoding=encoding,
        warnings=(*warnings, *found),
        **{k: None if v is None else storable(v) for k, v in meta.items()},
    )


def file_page(path: Path, data: bytes, config: ReadConfig) -> Page:
    name = path.stem if path.suffix == ".gz" else path.name
    return make_page(data, config, name=name, source_path=str(path))


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
