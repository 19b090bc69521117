"""Inputs the reader and watch tests build from our own demo pages: a local HTTP server,
WARC/ARC archives, feeds and sitemaps, and the articles pages give (to compare sources)."""

from __future__ import annotations

import html
import io
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from marsad.demo import DEMO_MANIFEST
from marsad.model import Failure, Page
from marsad.pipeline import extract_page

DEMO_PAGES = Path(DEMO_MANIFEST).parent / "pages"


def demo_html(folder: Path, texts: int = 3) -> list[Path]:
    """The demo's HTML pages, and its first `texts` text pages as minimal HTML, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for page in sorted(DEMO_PAGES.glob("*.html")):
        out.append(folder / page.name)
        out[-1].write_bytes(page.read_bytes())
    for page in sorted(DEMO_PAGES.glob("*.txt"))[:texts]:
        title, *paras = [p for p in page.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
        doc = (
            f"<!DOCTYPE html><html lang='ar'><head><meta charset='utf-8'><title>"
            f"{html.escape(title)}</title></head><body><article><h1>{html.escape(title)}</h1>"
            f"{body}</article></body></html>"
        )
        out.append(folder / f"{page.stem}.html")
        out[-1].write_text(doc, encoding="utf-8")
    return out


def articles(items: Iterable[Page | Failure]) -> list[tuple[str, str]]:
    """(title, body) of every article the pages give, sorted: what must not depend on the
    source the pages came from."""
    got = []
    for item in items:
        assert isinstance(item, Page), item
        result = extract_page(item)
        got += [(a.title, a.body) for a in result.articles]
    return sorted(got)


class _Quiet(SimpleHTTPRequestHandler):
    log: list[str]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.log.append(self.path)
        super().do_GET()


@contextmanager
def serve(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """`folder` over HTTP on a free local port: (base URL, paths requested so far)."""
    log: list[str] = []
    handler = type("Handler", (_Quiet,), {"log": log})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()


def warc_bytes(records: list[tuple], gzip: bool = True) -> bytes:
    """A WARC of (type, url, content type, status, body) records, in order."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzip)
    for rec_type, url, media, status, body in records:
        headers = {"WARC-Date": "2025-03-09T08:00:00Z"}
        if rec_type in ("response", "revisit"):
            http = StatusAndHeaders(status, [("Content-Type", media)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, rec_type, payload=io.BytesIO(body), length=len(body), http_headers=http,
                warc_headers_dict=headers,
            )  # fmt: skip
        else:
            record = writer.create_warc_record(
                url, rec_type, payload=io.BytesIO(body), length=len(body),
                warc_content_type=media, warc_headers_dict=headers,
            )  # fmt: skip
        writer.write_record(record)
    return buf.getvalue()


def arc_bytes(pages: list[tuple[str, bytes]]) -> bytes:
    """An ARC (version 1) file of HTML captures."""
    desc = b"1 0 marsad\nURL IP-address Archive-date Content-type Archive-length\n"
    out = [b"filedesc://test.arc 0.0.0.0 20250309080000 text/plain %d\n" % len(desc) + desc]
    for url, body in pages:
        resp = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
        head = b"\n%s 127.0.0.1 20250309080000 text/html %d\n" % (url.encode(), len(resp))
        out.append(head + resp)
    return b"".join(out) + b"\n"
