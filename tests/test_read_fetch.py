"""URLs are fetched under the limits of files: size, time, http(s) only; each failure is
one Failure naming the URL and the reason."""

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from marsad.model import Failure, Page
from marsad.read import ReadConfig, read

PAGE = "<html><head><title>خبر</title></head><body><p>نص الخبر.</p></body></html>".encode()


# 50 MB of spaces gzipped, made once at import: compressing them inside the handler took
# longer than the client's 0.5 s timeout on a loaded machine (CI read "timed out" instead).
BOMB = gzip.compress(b" " * 50_000_000)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/etc/passwd")
            self.end_headers()
            return
        if self.path == "/gzip":
            body, extra = gzip.compress(PAGE), [("Content-Encoding", "gzip")]
        elif self.path == "/big":
            body, extra = PAGE + b" " * 3_000_000, []
        elif self.path == "/bomb":
            body, extra = BOMB, [("Content-Encoding", "gzip")]
        else:
            body, extra = PAGE, []
        self.send_response(200)
        kind = "image/png" if self.path == "/logo.png" else "text/html; charset=utf-8"
        self.send_header("Content-Type", kind)
        for header in extra:
            self.send_header(*header)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def base():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_url_is_an_html_page_with_its_url(base):
    (page,) = read([f"{base}/news/1"])
    assert isinstance(page, Page) and page.kind == "html"
    assert (page.url, page.source_path) == (f"{base}/news/1", f"{base}/news/1")
    (gz,) = read([f"{base}/gzip"])
    assert gz.content == page.content


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/big", "a page of more than 1 MB is too large for one page (limit 1 MB; raise"
                 " max_page_mb if this is really one page)"),
        ("/bomb", "a page of more than 1 MB is too large for one page (limit 1 MB; raise"
                  " max_page_mb if this is really one page)"),
        ("/slow", "timed out after 0.5 s"),
        ("/to-file", "redirected to 'ftp://127.0.0.1/etc/passwd', not an http(s) URL"),
        ("/logo.png", "neither a feed, a sitemap nor an HTML page (image/png)"),
    ],
)  # fmt: skip
def test_a_url_past_a_limit_is_one_failure_naming_it(base, path, reason):
    config = ReadConfig(max_page_mb=1, max_file_mb=4, fetch_timeout=0.5)
    assert list(read([f"{base}{path}"], config)) == [Failure(f"{base}{path}", reason)]


def test_an_unreachable_host_is_one_failure():
    (failure,) = read(["http://127.0.0.1:9/x"], ReadConfig(fetch_timeout=2))
    assert failure.reason == "connection refused"
