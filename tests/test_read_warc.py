"""Web archives: a WARC or ARC of our own pages gives the articles the same pages give as
files; records that hold no page are skipped and counted; a bad record fails alone."""

from collections import Counter

import pytest
from local_inputs import arc_bytes, articles, demo_html, warc_bytes

from marsad.model import Failure, Page
from marsad.read import ReadConfig, read

HTML = "text/html; charset=utf-8"


def _captures(files):
    return [("response", f"https://news.example/{p.name}", HTML, "200 OK", p.read_bytes())
            for p in files]  # fmt: skip


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return demo_html(tmp_path_factory.mktemp("pages"))


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_a_warc_gives_the_articles_its_pages_give_as_files(tmp_path, pages, gz):
    archive = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    archive.write_bytes(warc_bytes(_captures(pages), gzip=gz))
    got = list(read([archive]))
    assert articles(got) == articles(read(pages))
    assert len(articles(got)) >= len(pages)
    first = got[0]
    assert first.url == f"https://news.example/{pages[0].name}"
    assert first.published == "2025-03-09T08:00+00:00"  # the capture time
    assert first.source_path == f"{archive}:0"  # file and the record's byte offset


def test_capture_time_and_host_fill_in_what_a_page_does_not_state(tmp_path, pages):
    from marsad.pipeline import extract_page

    archive = tmp_path / "crawl.warc.gz"
    archive.write_bytes(warc_bytes(_captures(pages)))
    by_name = {p.url.rsplit("/", 1)[-1]: extract_page(p).articles[0] for p in read([archive])}
    stated = by_name["22_raed.html"]  # states its outlet and time in its markup: they win
    assert (stated.outlet, stated.published) == ("الرائد اليوم", "2025-03-10T16:45")
    bare = by_name["01_sada.html"]  # states neither
    assert bare.outlet == "news.example"
    assert bare.published == "2025-03-09T08:00+00:00"


def test_an_arc_file_reads_like_a_warc(tmp_path, pages):
    archive = tmp_path / "old.arc"
    archive.write_bytes(arc_bytes([(f"http://news.example/{p.name}", p.read_bytes())
                                   for p in pages]))  # fmt: skip
    got = list(read([archive]))
    assert articles(got) == articles(read(pages))
    assert got[0].published == "2025-03-09T08:00+00:00"


def test_records_holding_no_page_are_skipped_and_counted(tmp_path, pages):
    page = pages[0].read_bytes()
    records = [
        ("warcinfo", "", "application/warc-fields", "", b"software: marsad test\r\n"),
        ("request", "https://news.example/a", "application/http; msgtype=request", "",
         b"GET /a HTTP/1.1\r\nHost: news.example\r\n\r\n"),
        ("response", "https://news.example/a", HTML, "200 OK", page),
        ("response", "https://news.example/logo.png", "image/png", "200 OK", b"\x89PNG" + bytes(5000)),
        ("response", "https://news.example/gone", HTML, "404 Not Found", b"<html>gone</html>"),
        ("response", "https://news.example/old", HTML, "301 Moved Permanently", b""),
        ("revisit", "https://news.example/a", HTML, "200 OK", b""),
        ("metadata", "https://news.example/a", "application/warc-fields", "", b"outlinks: x\r\n"),
    ]  # fmt: skip
    archive = tmp_path / "mixed.warc.gz"
    archive.write_bytes(warc_bytes(records))
    skipped = Counter()
    got = list(read([archive], skipped=skipped))
    assert [type(x) for x in got] == [Page]
    assert skipped == {
        "warcinfo records": 1, "request records": 1, "revisit records": 1,
        "metadata records": 1, "image/png captures": 1, "HTTP 404 responses": 1,
        "HTTP 301 responses": 1,
    }  # fmt: skip


def _offsets(data: bytes) -> list[int]:
    import io

    from warcio.archiveiterator import ArchiveIterator

    it = ArchiveIterator(io.BytesIO(data))
    out = []
    for _ in it:
        out.append(it.offset)
    return out


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_a_corrupt_record_fails_alone_and_the_rest_is_read(tmp_path, pages, gz):
    data = bytearray(warc_bytes(_captures(pages[:4]), gzip=gz))
    at = _offsets(bytes(data))[1]
    start = at + 12 if gz else at  # the second record's gzip stream, or its WARC/1.0 line
    data[start : start + 28] = b"#" * 28
    archive = tmp_path / ("bad.warc.gz" if gz else "bad.warc")
    archive.write_bytes(bytes(data))
    got = list(read([archive]))
    failures = [x for x in got if isinstance(x, Failure)]
    assert len(failures) == 1
    assert failures[0].source_path == f"{archive}:{at}"
    assert failures[0].reason.startswith("corrupt archive record (")
    urls = [x.url for x in got if isinstance(x, Page)]
    assert urls == [f"https://news.example/{p.name}" for p in (pages[0], pages[2], pages[3])]


def test_a_member_whose_data_ends_early_is_that_record_failing(tmp_path, pages):
    """Damaged deflate data can decode as a short, complete member: warcio then reads part
    of a record and takes the bytes after it for the next one. The failure is the record."""
    import gzip
    import zlib

    data = warc_bytes(_captures(pages[:4]))
    at = _offsets(data)[1:3]
    text = zlib.decompress(data[at[0] : at[1]], wbits=31)
    short = gzip.compress(text[: len(text) // 2], mtime=0) + b"\x00junk" * 40
    archive = tmp_path / "short.warc.gz"
    archive.write_bytes(data[: at[0]] + short + data[at[1] :])
    got = list(read([archive]))
    failures = [x for x in got if isinstance(x, Failure)]
    assert [x.source_path for x in failures] == [f"{archive}:{at[0]}"]
    assert "ends before the next record" in failures[0].reason
    urls = [x.url for x in got if isinstance(x, Page)]
    assert urls == [f"https://news.example/{p.name}" for p in (pages[0], pages[2], pages[3])]


@pytest.mark.parametrize(
    ("gz", "cut", "reason"),
    [
        (True, 40, "truncated or corrupt archive:"),
        (False, 40, "record without a WARC-Type (a header cut short or damaged)"),
        (False, 900, "record cut short ("),
    ],
    ids=["gz-header", "header", "payload"],
)
def test_a_truncated_archive_keeps_the_whole_records_and_says_where_it_broke(
    tmp_path, pages, gz, cut, reason
):
    data = warc_bytes(_captures(pages[:3]), gzip=gz)
    last = _offsets(data)[2]
    archive = tmp_path / "cut.warc"
    archive.write_bytes(data[: last + cut])
    got = list(read([archive]))
    assert [type(x) for x in got] == [Page, Page, Failure]
    assert got[2].source_path == f"{archive}:{last}"
    assert got[2].reason.startswith(reason)


def test_an_oversized_capture_fails_alone(tmp_path, pages):
    big = b"<html><body><p>" + "كلمة ".encode() * 300_000 + b"</p></body></html>"
    records = [("response", "https://news.example/big", HTML, "200 OK", big),
               *_captures(pages[:1])]  # fmt: skip
    archive = tmp_path / "big.warc.gz"
    archive.write_bytes(warc_bytes(records))
    got = list(read([archive], ReadConfig(max_page_mb=1)))
    assert isinstance(got[0], Failure) and "too large for one page" in got[0].reason
    assert isinstance(got[1], Page)


def test_an_archive_is_known_by_its_content_whatever_its_name(tmp_path, pages):
    archive = tmp_path / "capture.dat"
    archive.write_bytes(warc_bytes(_captures(pages[:2]), gzip=False))
    assert [x.url for x in read([archive])] == [f"https://news.example/{p.name}" for p in pages[:2]]


def _huge_image_record(path, mb: int) -> None:
    """A gzip member holding one WARC response of `mb` MB of image bytes (quick to make)."""
    import zlib

    http = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n"
    block = len(http) + mb * (1 << 20)
    head = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://news.example/huge.jpg\r\n"
        b"WARC-Date: 2025-03-09T08:00:00Z\r\nWARC-Record-ID: <urn:uuid:0>\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: %d\r\n\r\n" % block
    )
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    with path.open("wb") as fh:
        fh.write(packer.compress(head + http))
        zeros = bytes(1 << 20)
        for _ in range(mb):
            fh.write(packer.compress(zeros))
        fh.write(packer.compress(b"\r\n\r\n") + packer.flush())


def test_a_huge_record_streams_past_in_bounded_memory(tmp_path, pages):
    from test_hostile import run_bounded

    archive = tmp_path / "huge.warc.gz"
    _huge_image_record(archive, 300)
    with archive.open("ab") as fh:
        fh.write(warc_bytes(_captures(pages[:1])))
    got = run_bounded(
        f"""
        from collections import Counter
        from marsad.read import read
        skipped = Counter()
        RESULT = {{"urls": [p.url for p in read([{str(archive)!r}], skipped=skipped)],
                   "skipped": dict(skipped)}}
        """
    )
    assert got["urls"] == [f"https://news.example/{pages[0].name}"]
    assert got["skipped"] == {"image/jpeg captures": 1}
    assert got["rss_mb"] < 200 and got["seconds"] < 30, got
