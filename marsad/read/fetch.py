"""URLs: fetched with urllib under the same limits as files, http and https only.

Each connect and each wait for bytes is bounded by `fetch_timeout`, a whole fetch by ten
times it; a page by max_page_mb, a streamed sitemap by max_file_mb (decompressed). Whatever
goes wrong is a ReadError naming the reason (`HTTP 404 Not Found`, `timed out after 20 s`,
`connection refused`); redirects may lead to http(s) URLs only, never to a file.
"""

from __future__ import annotations

import gzip
import http.client
import math
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, TypeVar

from marsad.model import Page
from marsad.read.base import ReadConfig, ReadError
from marsad.read.files import GZIP_ERRORS, make_page, too_large

USER_AGENT = "marsad (Arabic news monitor)"
DEADLINE_TIMES = 10  # a whole fetch may take this many fetch_timeouts
T, R = TypeVar("T"), TypeVar("R")


def is_url(spec: object) -> bool:
    return isinstance(spec, str) and spec[:8].lower().startswith(("http://", "https://"))


class _HttpOnly(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if not is_url(newurl):
            raise ReadError(f"redirected to {newurl[:80]!r}, not an http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnly)


class Bounded:
    """A stream read under a byte limit and a deadline (a server trickling bytes cannot
    hold a fetch forever, a gzip bomb cannot fill memory or disk)."""

    def __init__(
        self, fh: BinaryIO, limit: int, deadline: float = math.inf, timeout: float = math.inf
    ):
        self.fh, self.limit, self.deadline, self.timeout = fh, limit, deadline, timeout
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        """Up to `n` bytes (all when -1), fewer only at the end of the body."""
        room = self.limit + 1 - self.count
        n = room if n is None or n < 0 else min(n, room)
        parts: list[bytes] = []
        while n > 0:
            if time.monotonic() > self.deadline:
                raise ReadError(f"timed out (took more than {DEADLINE_TIMES * self.timeout:g} s)")
            part = _guard(self.fh.read, min(n, _BLOCK), self.timeout)
            if not part:
                break
            parts.append(part)
            n -= len(part)
        data = b"".join(parts)
        self.count += len(data)
        if self.count > self.limit:
            raise ReadError(f"more than {self.limit / 1048576:g} MB")
        return data


_BLOCK = 1 << 16


def _guard(call: Callable[[T], R], arg: T, timeout: float) -> R:
    """`call(arg)` with what urllib and sockets raise worded as a ReadError."""
    try:
        return call(arg)
    except ReadError:
        raise
    except urllib.error.HTTPError as exc:
        raise ReadError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise ReadError(_reason(exc.reason, timeout)) from None
    except (OSError, http.client.HTTPException) as exc:
        raise ReadError(_reason(exc, timeout)) from None
    except ValueError as exc:  # a malformed URL
        raise ReadError(f"invalid URL ({exc})") from None


def _reason(exc: object, timeout: float) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"timed out after {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "host not found"
    if isinstance(exc, http.client.IncompleteRead):
        return "connection closed before the whole body arrived"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


@dataclass(frozen=True)
class Response:
    media_type: str  # "text/html", lowercased, no parameters ("" when not said)
    body: BinaryIO  # bounded, decompressed


@contextmanager
def fetching(url: str, config: ReadConfig, limit: int) -> Iterator[Response]:
    """A URL's body as a stream of at most `limit` bytes, decompressed (more is a
    ReadError "more than N MB" when read)."""
    if not is_url(url):
        raise ReadError("not an http(s) URL")
    timeout = config.fetch_timeout
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    )
    resp = _guard(lambda r: _OPENER.open(r, timeout=timeout), request, timeout)
    with resp:
        deadline = time.monotonic() + DEADLINE_TIMES * timeout
        media = resp.headers.get_content_type() if resp.headers.get("Content-Type") else ""
        body: BinaryIO = Bounded(resp, limit, deadline, timeout)  # type: ignore[assignment]
        if (resp.headers.get("Content-Encoding") or "").lower() in ("gzip", "x-gzip"):
            gz = gzip.GzipFile(fileobj=body, mode="rb")
            body = Bounded(gz, limit, deadline, timeout)  # type: ignore[assignment]
        yield Response(media.lower(), body)


def read_body(resp: Response, config: ReadConfig, head: bytes = b"") -> bytes:
    """The rest of a response as one page's bytes (after `head`, already read)."""
    try:
        data = head + resp.body.read(config.max_page_bytes + 1 - len(head))
    except GZIP_ERRORS as exc:
        raise ReadError(f"corrupt gzip body ({exc})") from None
    except ReadError as exc:
        if str(exc).startswith("more than"):
            raise too_large(f"a page of {exc}", config) from None
        raise
    if len(data) > config.max_page_bytes:
        raise too_large(f"a page of more than {config.max_page_mb:g} MB", config)
    return data


HTML_MEDIA = ("text/html", "application/xhtml+xml")


def url_page(url: str, config: ReadConfig, data: bytes | None = None, **meta: str | None) -> Page:
    """The HTML page at `url` (fetched unless its bytes are given); `meta` (title,
    published, outlet) as a feed or sitemap states it. The page's URL is the one asked for
    (a feed's link), not where redirects led."""
    if data is None:
        with fetching(url, config, config.max_page_bytes) as resp:
            if resp.media_type and resp.media_type not in HTML_MEDIA:
                raise ReadError(f"not an HTML page ({resp.media_type})")
            data = read_body(resp, config)
    return make_page(data, config, name="", source_path=url, kind="html", url=url, **meta)
