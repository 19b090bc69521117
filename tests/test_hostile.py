"""Hostile input (issue 10): one bad record never stops a batch, no input exhausts memory or
time, manifests stay in their folder, nothing is lost silently. Every fixture is made here."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from marsad.model import Failure, Page
from marsad.read import (
    ReadConfig,
    ReadError,
    expand,
    iso_datetime,
    read,
    read_file,
    storable,
)

ARABIC = "وصل وفد الاتحاد الرياضي إلى العاصمة مساء الخميس للمشاركة في البطولة الإقليمية."
GOOD = json.dumps({"id": "good", "text": ARABIC}, ensure_ascii=False)


def outcome(items) -> list[tuple[str, str]]:
    """(where, what) per item: a page's content (and warnings), a failure's reason."""
    out = []
    for item in items:
        where = item.source_path.rsplit("/", 1)[-1]
        if isinstance(item, Failure):
            out.append((where, item.reason))
        else:
            out.append(
                (where, item.content if not item.warnings else (item.content, item.warnings))
            )
    return out


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- 1. per-record isolation -------------------------------------------------------------
def test_every_bad_record_is_its_own_failure_and_the_file_goes_on(tmp_path):
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    lines = [
        '{"text": "a\\ud800b"}',  # a lone surrogate: U+FFFD, the record is stored
        '{"text": "a\\u0000b"}',  # NUL: dropped, as the API does
        deep,
        '{"text": "x", "html": "<p>x</p>"}',
        '{"text": 5}',
        '{"text": "x", "published": ' + "9" * 5000 + "}",
        "[1, 2]",
        "{oops",
        GOOD,
    ]
    got = outcome(read_file(write_jsonl(tmp_path / "r.jsonl", lines)))
    assert got == [
        ("r.jsonl:1", "a\ufffdb"),
        ("r.jsonl:2", "ab"),
        ("r.jsonl:3", "invalid JSON (nested too deeply)"),
        ("r.jsonl:4", "record has both 'text' and 'html'; give one"),
        ("r.jsonl:5", "record's 'text' is int, not a string"),
        (
            "r.jsonl:6",
            "invalid JSON (Exceeds the limit (4300 digits) for integer string conversion)",
        ),
        ("r.jsonl:7", "record is not a JSON object"),
        (
            "r.jsonl:8",
            "invalid JSON (Expecting property name enclosed in double quotes at column 2)",
        ),
        ("r.jsonl:9", ARABIC),
    ]
    page = next(p for p in read_file(tmp_path / "r.jsonl") if isinstance(p, Page))
    assert page.content.encode("utf-8")  # storable: encodes without surrogateescape


@pytest.mark.parametrize(
    ("published", "warning"),
    [
        ("1e20", "1e+20 is not a valid date (epoch seconds of years 1900–2100)"),
        ("-1e12", "-1e+12 is not a valid date (epoch seconds of years 1900–2100)"),
        ("NaN", "nan is not a valid date (epoch seconds of years 1900–2100)"),
        ("Infinity", "inf is not a valid date (epoch seconds of years 1900–2100)"),
        ('"2018-02-30"', "2018-02-30 is not a valid date"),
        ('"2018-02-30T10:00"', "2018-02-30T10:00 is not a valid date"),
        ('"1850-01-01"', "1850-01-01 is not a valid date (years 1900–2100)"),
        ('"2150-06-01T10:00"', "2150-06-01T10:00 is not a valid date (years 1900–2100)"),
        ('"next week"', "unrecognised date 'next week'"),
        ("true", "unrecognised date 'True'"),
        ("[2020]", "unrecognised date '[2020]'"),
    ],
)
def test_a_bad_date_keeps_the_page_undated_with_a_warning(tmp_path, published, warning):
    path = write_jsonl(tmp_path / "d.jsonl", [f'{{"text": "نص", "published": {published}}}', GOOD])
    pages = list(read_file(path))
    assert all(isinstance(p, Page) for p in pages) and len(pages) == 2
    assert pages[0].published is None
    assert pages[0].warnings == (f"published: {warning}; the record's date is ignored",)
    with pytest.raises(ReadError) as raised:
        iso_datetime(json.loads(published))
    assert str(raised.value) == warning


def test_good_dates_still_read():
    assert iso_datetime("2018-02-28") == "2018-02-28"
    assert iso_datetime("2018-02-28T10:00Z") == "2018-02-28T10:00+00:00"
    assert iso_datetime("Sun, 18 Feb 2018 21:35:43 +0400") == "2018-02-18T21:35+04:00"
    assert iso_datetime(1_500_000_000)[:4] == "2017"


def test_manifests_naming_each_other_are_a_cycle(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", ['{"path": "b.jsonl"}'])
    write_jsonl(tmp_path / "b.jsonl", ['{"path": "a.jsonl"}', '{"path": "page.txt"}'])
    (tmp_path / "page.txt").write_text(ARABIC, encoding="utf-8")
    assert outcome(read_file(tmp_path / "a.jsonl")) == [
        ("b.jsonl:1", "manifest cycle: a.jsonl -> b.jsonl -> a.jsonl"),
        ("page.txt", ARABIC),
    ]


def test_a_manifest_record_with_a_bad_date_keeps_its_page(tmp_path):
    (tmp_path / "page.txt").write_text(ARABIC, encoding="utf-8")
    write_jsonl(tmp_path / "m.jsonl", ['{"path": "page.txt", "published": "2018-02-30"}'])
    assert outcome(read_file(tmp_path / "m.jsonl")) == [
        (
            "page.txt",
            (ARABIC, ("published: 2018-02-30 is not a valid date; the record's date is ignored",)),
        )
    ]


# --- 2. bounded resources ------------------------------------------------------------------
def run_bounded(code: str, timeout: float = 60) -> dict:
    """Run `code` in a fresh interpreter; it prints a JSON object, to which the child's peak
    RSS (MB) and wall time are added."""
    script = textwrap.dedent(code) + textwrap.dedent(
        """
        import json as _j, resource as _r, pathlib as _p
        # VmHWM is this program's own peak: ru_maxrss also counts the parent's memory at
        # fork (Linux keeps it across exec), so a big pytest process would be blamed here.
        _status = _p.Path("/proc/self/status")
        _hwm = [l for l in _status.read_text().splitlines() if l.startswith("VmHWM")] if _status.exists() else []
        RESULT["rss_mb"] = int(_hwm[0].split()[1]) / 1024 if _hwm else _r.getrusage(_r.RUSAGE_SELF).ru_maxrss / 1024
        print(_j.dumps(RESULT))
        """
    )
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["seconds"] = time.monotonic() - start
    return result


def zeros_gz(path: Path, gb: float) -> None:
    """`gb` GB of NUL bytes as a gzip of concatenated members (quick to make, a few MB)."""
    member = gzip.compress(b"\x00" * (1 << 24), compresslevel=9)
    path.write_bytes(member * int(gb * 64))


def test_two_gb_of_zeros_fail_fast_in_bounded_memory(tmp_path):
    zeros_gz(tmp_path / "zeros.jsonl.gz", 2)
    zeros_gz(tmp_path / "zeros.txt.gz", 2)
    got = run_bounded(
        f"""
        from pathlib import Path
        from marsad.read import read
        RESULT = {{"items": [str(i) for i in read([Path({str(tmp_path)!r})])]}}
        """
    )
    assert got["items"] == [
        f"{tmp_path}/zeros.jsonl.gz: binary file (NUL bytes), not a text, HTML or JSON Lines page",
        f"{tmp_path}/zeros.txt.gz: more than 10 MB decompressed is too large for one page"
        " (limit 10 MB; raise max_page_mb if this is really one page)",
    ]
    assert got["rss_mb"] < 500 and got["seconds"] < 20, got


def test_a_file_past_max_file_mb_stops_with_a_clear_error(tmp_path):
    record = json.dumps({"text": ARABIC}, ensure_ascii=False)
    with gzip.open(tmp_path / "big.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write((record + "\n") * 20_000)  # 3.4 MB decompressed
    items = list(read_file(tmp_path / "big.jsonl.gz", ReadConfig(max_file_mb=1)))
    pages = [i for i in items if isinstance(i, Page)]
    assert len(pages) == (1 << 20) // len((record + "\n").encode())  # lines of the first MB
    assert outcome(items[-1:]) == [
        (
            "big.jsonl.gz",
            "file is larger than 1 MB decompressed; stopped reading at line "
            f"{len(pages) + 1} (raise max_file_mb to read it all)",
        )
    ]


def test_a_million_junk_lines_stop_after_max_failures(tmp_path):
    (tmp_path / "junk.jsonl.gz").write_bytes(gzip.compress(b"x\n" * 1_000_000, 9))
    assert (tmp_path / "junk.jsonl.gz").stat().st_size < 4096
    start = time.monotonic()
    items = list(read_file(tmp_path / "junk.jsonl.gz"))
    assert time.monotonic() - start < 5
    assert len(items) == 101
    assert outcome(items[:1]) == [("junk.jsonl.gz:1", "invalid JSON (Expecting value at column 1)")]
    assert outcome(items[-1:]) == [
        (
            "junk.jsonl.gz:101",
            "… more bad records; stopped reading this file after 100 failures"
            " (raise max_failures to read on)",
        )
    ]


def test_max_records_per_file(tmp_path):
    path = write_jsonl(tmp_path / "r.jsonl", [GOOD] * 5)
    got = outcome(read_file(path, ReadConfig(max_records=3)))
    assert got == [(f"r.jsonl:{n}", ARABIC) for n in (1, 2, 3)] + [
        (
            "r.jsonl:4",
            "more than 3 records; stopped reading this file (raise max_records to read on)",
        )
    ]


def test_a_million_short_lines_is_not_one_page(tmp_path):
    (tmp_path / "lines.txt").write_bytes("ب\n".encode() * 1_000_000)  # 3 MB
    start = time.monotonic()
    assert outcome(read_file(tmp_path / "lines.txt")) == [
        (
            "lines.txt",
            "1000000 lines is too many for one page"
            " (limit 50000; raise max_lines if this is really one page)",
        )
    ]
    assert time.monotonic() - start < 2
    text = json.dumps({"text": "سطر\n" * 11})
    path = write_jsonl(tmp_path / "r.jsonl", [text])
    assert outcome(read_file(path, ReadConfig(max_lines=10))) == [
        (
            "r.jsonl:1",
            "11 lines is too many for one page (limit 10; raise max_lines if this is really one page)",
        )
    ]


def test_a_record_line_over_the_limit_is_skipped_not_held(tmp_path):
    config = ReadConfig(max_page_mb=0.01)  # lines up to 6 x 0.01 MB + 1 MB
    path = write_jsonl(tmp_path / "r.jsonl", ['{"text": "' + "x" * 1_200_000 + '"}', GOOD])
    assert outcome(read_file(path, config)) == [
        ("r.jsonl:1", "record line longer than 1 MB; too large for one page (limit 0.01 MB)"),
        ("r.jsonl:2", ARABIC),
    ]


def test_a_long_word_costs_memory_of_its_length():
    """One 50,000-letter word took 2.5 GB (clitic stripping cached every prefix), a 5 MB page
    of one letter with no spaces was killed at 23.5 GB."""
    got = run_bounded(
        """
        from marsad.arabic import MAX_WORD_CHARS, stems, tokens
        from marsad.extract import extract
        from marsad.model import Page
        from marsad.query import Analyzed
        from marsad.search import snippet
        word = "ب" * 50_000
        a = Analyzed.of("كلمة " + word + " أخرى")
        page = Page("ب" * 2_600_000, "text", "x.txt")
        articles = extract(page).articles
        b = Analyzed.of(articles[0].body)
        RESULT = {
            "tokens": [len(t) for t in tokens(word + " " + word)],
            "stems": len(stems(page.content)[0]),
            "words": len(a.canon),
            "body": len(b.canon),
            "snippet": len(snippet(word, frozenset({"ب" * 64}))),
            "limit": MAX_WORD_CHARS,
        }
        """
    )
    assert got["tokens"] == [64, 64] and got["limit"] == 64
    assert got["stems"] <= 64 and got["words"] == 3 and got["body"] == 1
    assert got["rss_mb"] < 500, got


def test_a_page_of_one_letter_ingests_in_bounded_memory(tmp_path):
    (tmp_path / "ba.txt").write_bytes("ب".encode() * 2_600_000)  # 5 MB, no spaces
    got = run_bounded(
        f"""
        from marsad.pipeline import ingest
        from marsad.store import open_store
        with open_store(":memory:") as store:
            report = ingest([{str(tmp_path / "ba.txt")!r}], store)
            RESULT = {{"pages": report.pages}}
        """,
        timeout=120,
    )
    assert got["pages"] == 1 and got["rss_mb"] < 500, got


@pytest.mark.parametrize("junk", ["<a ", "<time ", '<span class="caption x" ', "<figcaption "])
def test_html_of_unclosed_tags_extracts_in_linear_time(junk):
    """The caption and publish-time patterns ran each tag's attributes to the end of the
    page: 100,000 unclosed tags took about a minute, a 10 MB page hours."""
    from marsad.extract import extract

    html = f"<html><body><article><p>{ARABIC * 5}</p>{junk * 100_000}</article></body></html>"
    start = time.monotonic()
    articles = extract(Page(html, "html", "x.html")).articles
    assert time.monotonic() - start < 5
    assert articles and articles[0].body.startswith(ARABIC)


# --- 3. manifests confined ------------------------------------------------------------------
def test_manifest_paths_stay_in_the_manifest_folder(tmp_path):
    inside = tmp_path / "corpus"
    inside.mkdir()
    (tmp_path / "secret.txt").write_text(ARABIC, encoding="utf-8")
    (inside / "page.txt").write_text(ARABIC, encoding="utf-8")
    (inside / "link.txt").symlink_to(tmp_path / "secret.txt")
    lines = [
        '{"path": "../../etc/passwd"}',
        '{"path": "/etc/passwd"}',
        '{"path": "link.txt"}',
        '{"path": "page.txt"}',
    ]
    path = write_jsonl(inside / "m.jsonl", lines)
    outside = "resolves outside the manifest's folder (pass --allow-outside to allow)"
    assert outcome(read_file(path)) == [
        ("m.jsonl:1", f"manifest path ../../etc/passwd {outside}"),
        ("m.jsonl:2", f"manifest path /etc/passwd {outside}"),
        ("m.jsonl:3", f"manifest path link.txt {outside}"),
        ("page.txt", ARABIC),
    ]
    allowed = outcome(read_file(path, ReadConfig(allow_outside=True)))
    assert ("link.txt", ARABIC) in allowed and allowed[-1] == ("page.txt", ARABIC)


# --- 4. no silent loss ---------------------------------------------------------------------
def test_a_stray_byte_in_utf8_is_replaced_with_a_warning_not_a_code_page(tmp_path):
    body = (ARABIC + "\n").encode("utf-8") * 20
    (tmp_path / "stray.txt").write_bytes(body[:1234] + b"\xff\xfe" + body[1234:])
    (tmp_path / "cut.txt").write_bytes(body + "ب".encode()[:1])
    (tmp_path / "cp1256.txt").write_bytes((ARABIC + "\n").encode("cp1256") * 20)
    pages = {p.source_path.rsplit("/", 1)[-1]: p for p in read([tmp_path])}
    stray, cut, legacy = pages["stray.txt"], pages["cut.txt"], pages["cp1256.txt"]
    assert (stray.encoding, stray.warnings) == (
        "utf-8",
        ("invalid UTF-8 at byte 1234 (2 bytes replaced)",),
    )
    assert stray.content == (body[:1234].decode() + "\ufffd\ufffd" + body[1234:].decode())
    assert (cut.encoding, cut.warnings) == (
        "utf-8",
        (f"invalid UTF-8 at byte {len(body)} (1 byte replaced)",),
    )
    assert (legacy.encoding, legacy.warnings, legacy.content) == (
        "cp1256",
        (),
        (ARABIC + "\n") * 20,
    )


def test_a_stray_byte_in_a_jsonl_record_names_its_file_offset(tmp_path):
    first = (GOOD + "\n").encode("utf-8")
    bad = '{"text": "نص'.encode() + b"\xc3" + b'"}\n'
    (tmp_path / "r.jsonl").write_bytes(first + bad)
    got = outcome(read_file(tmp_path / "r.jsonl"))
    assert got == [
        ("r.jsonl:1", ARABIC),
        (
            "r.jsonl:2",
            ("نص\ufffd", (f"invalid UTF-8 at byte {len(first) + 14} (1 byte replaced)",)),
        ),
    ]


def test_nul_in_a_text_page_is_dropped_like_the_api_does(tmp_path):
    data = (ARABIC + "\n").encode() * 60  # NUL after the 4 KB the binary check looks at
    (tmp_path / "nul.txt").write_bytes(data + b"\x00" + data)
    (page,) = read([tmp_path / "nul.txt"])
    assert page.content == (data + data).decode()


class Alarm:
    """Fail instead of hanging when something blocks (opening a FIFO does)."""

    def __enter__(self):
        signal.signal(signal.SIGALRM, self._ring)
        signal.alarm(5)

    def __exit__(self, *exc):
        signal.alarm(0)

    @staticmethod
    def _ring(*_):
        raise TimeoutError("blocked")


def test_special_files_are_failures_never_opened_never_skipped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.txt").write_text(ARABIC, encoding="utf-8")
    os.mkfifo(folder / "fifo.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.txt"))
    (folder / "loop1").symlink_to(folder / "loop2")
    (folder / "loop2").symlink_to(folder / "loop1")
    (folder / "broken.txt").symlink_to(folder / "nowhere.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder)
    (folder / ".hidden.txt").write_text("x")
    with Alarm():
        try:
            got = outcome(read([folder, folder / "fifo.txt", "/dev/null", folder / "loop1"]))
        finally:
            sock.close()
    assert got == [
        ("broken.txt", "broken symlink (its target does not exist)"),
        ("fifo.txt", "not a regular file (FIFO)"),
        ("loop1", "symlink loop"),
        ("loop2", "symlink loop"),
        ("page.txt", ARABIC),
        ("sock.txt", "not a regular file (socket)"),
        ("up", "symlink loop"),
        ("fifo.txt", "not a regular file (FIFO)"),
        ("null", "not a regular file (character device)"),
        ("loop1", "symlink loop"),
    ]
    with Alarm():
        assert outcome(read_file(folder / "fifo.txt")) == [
            ("fifo.txt", "not a regular file (FIFO)")
        ]
        write_jsonl(folder / "m.jsonl", ['{"path": "fifo.txt"}'])
        assert outcome(read_file(folder / "m.jsonl")) == [
            ("m.jsonl:1", "manifest path fifo.txt: not a regular file (FIFO)")
        ]
    assert [p.name for p in expand([folder / "page.txt"])] == ["page.txt"]


# --- 5. the API: per-record results ------------------------------------------------------
LOCAL = ("127.0.0.1", 50000)
STORY = (
    "افتتاح جسر الوادي الجديد\n\n"
    "افتتح وزير النقل صباح اليوم جسر الوادي الجديد الذي يربط ضفتي النهر في مدينة الريحان. "
    "وقال الوزير إن الجسر سيختصر زمن الرحلة بين الضفتين إلى عشر دقائق."
)


def api(tmp_path, **kw):
    from fastapi.testclient import TestClient

    from marsad.api import create_app

    return TestClient(create_app(str(tmp_path / "api.db"), **kw), client=LOCAL)


def test_post_reports_every_record_and_stores_the_good_ones(tmp_path):
    client = api(tmp_path)
    records = [
        {"text": STORY, "id": "a"},
        {"text": STORY, "id": "b", "published": "2018-02-30"},
        {"text": "   "},
        {"text": "سطر\n" * 60_000},
        {"text": STORY, "id": "c", "published": "2025-07-01T10:00"},
    ]
    r = client.post("/api/pages", json=records)
    assert r.status_code == 207, r.text
    got = [(x["status"], x["reason"], x["warnings"]) for x in r.json()["records"]]
    assert got == [
        ("new", None, []),
        ("new", None, ["published: 2018-02-30 is not a valid date; the record's date is ignored"]),
        ("failed", "the page's text is blank", []),
        (
            "failed",
            "60000 lines is too many for one page"
            " (limit 50000; raise max_lines if this is really one page)",
            [],
        ),
        ("new", None, []),
    ]
    assert r.json()["new_pages"] == 3
    again = client.post("/api/pages", json=[records[0], records[4]])
    assert again.status_code == 200
    assert [x["status"] for x in again.json()["records"]] == ["known", "known"]


def test_post_limits_records_per_request_with_a_clear_413(tmp_path):
    client = api(tmp_path, max_records=2)
    r = client.post("/api/pages", json=[{"text": STORY}] * 3)
    assert r.status_code == 413
    assert r.json()["detail"] == (
        "3 records in one request; the limit is 2 (send them in several requests)"
    )
    small = api(tmp_path, max_body_mb=0.01)

    def chunked():  # no Content-Length: the limit holds while the body streams in
        yield b'{"text": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    r = small.post("/api/pages", content=chunked(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_the_same_record_by_file_and_by_api_is_the_same_page(tmp_path):
    record = {"id": "s", "text": STORY + " \ud800 \x00", "outlet": "صدى\x00"}
    path = write_jsonl(tmp_path / "r.jsonl", [json.dumps(record)])
    (page,) = read_file(path)
    r = api(tmp_path).post(
        "/api/pages", content=json.dumps(record), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["records"][0]["page_id"] == page.id
    assert page.content == STORY + " \ufffd " and page.outlet == "صدى"


# --- 6. fuzzing: readers, extraction, dates -------------------------------------------------
# The strategies are shared with bench/fuzz.py, which runs them with many more examples.
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ_EXAMPLES = 60
SUFFIXES = (".txt", ".html", ".jsonl", ".ndjson", ".txt.gz", ".jsonl.gz")
_HOSTILE_TEXT = st.text(
    st.characters(codec=None, categories=None, exclude_characters=()), max_size=60
) | st.sampled_from(["\ud800", "\x00", "\u2028", "ب" * 300, "\ufeff", "\r\n", "ال" * 40])
_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | _HOSTILE_TEXT,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_FIELDS = ["id", "url", "outlet", "published", "date", "title", "text", "html", "content", "path"]
_RECORDS = st.dictionaries(st.sampled_from(_FIELDS), _JSON_VALUES, max_size=5)


def _json_line(record: dict, ascii_only: bool) -> bytes:
    return json.dumps(record, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@st.composite
def file_bytes(draw) -> tuple[str, bytes]:
    """(suffix, bytes) of a file a hostile or careless scraper could leave."""
    suffix = draw(st.sampled_from(SUFFIXES))
    if "jsonl" in suffix or "ndjson" in suffix:
        lines = draw(
            st.lists(
                st.one_of(
                    st.builds(_json_line, _RECORDS, st.booleans()),
                    st.binary(max_size=40),
                    st.just(b'{"a":' * 3000 + b"1" + b"}" * 3000),
                ),
                max_size=6,
            )
        )
        data = b"\n".join(lines)
    else:
        text = draw(_HOSTILE_TEXT | st.just(ARABIC))
        encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1256", "surrogatepass"]))
        try:
            data = (
                text.encode(encoding)
                if encoding != "surrogatepass"
                else text.encode("utf-8", "surrogatepass")
            )
        except UnicodeEncodeError:
            data = text.encode("utf-8", "surrogatepass")
        data = draw(st.binary(max_size=8)) + data + draw(st.binary(max_size=8))
    if suffix.endswith(".gz"):
        data = gzip.compress(data)
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
    return suffix, data


def check_read(suffix: str, data: bytes, folder: Path) -> list:
    """read_file never raises and yields only storable Pages and Failures."""
    path = folder / f"fuzz{suffix}"
    path.write_bytes(data)
    items = list(read_file(path))
    for item in items:
        assert isinstance(item, Page | Failure), item
        if isinstance(item, Page):
            assert "\x00" not in item.content
            item.content.encode("utf-8")  # no lone surrogates
            assert all(isinstance(w, str) for w in item.warnings)
            assert item.published is None or isinstance(item.published, str)
        else:
            assert item.reason and isinstance(item.reason, str)
    return items


# Pages as reading makes them: storable text (a lone surrogate cannot even be hashed into
# Page.id; reading and the API replace it, see docs/input.md).
PAGES = st.builds(
    Page,
    content=st.one_of(
        _HOSTILE_TEXT, st.lists(_HOSTILE_TEXT | st.just(ARABIC), max_size=8).map("\n".join)
    ).map(storable),
    kind=st.sampled_from(["text", "html"]),
    source_path=st.just("fuzz"),
    title=st.none() | _HOSTILE_TEXT.map(storable),
)
DATES = st.one_of(
    _JSON_VALUES,
    st.datetimes().map(lambda d: d.isoformat()),
    st.from_regex(
        r"\A[+-]?\d{1,6}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:\d{2})?\Z"
    ),
    st.builds(
        "{}, {} {} {} {:02d}:{:02d}:00 {}".format,
        st.sampled_from(["Sun", "Mon", "xyz"]),
        st.integers(0, 40),
        st.sampled_from(["Jan", "Feb", "Foo"]),
        st.integers(-1, 10**6),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from(["+0400", "GMT", "-9999"]),
    ),
)


def check_extract(page: Page) -> None:
    from marsad.extract import extract

    result = extract(page)
    assert result.page is page
    for article in result.articles:
        assert isinstance(article.body, str) and isinstance(article.title, str)


def check_date(value: object) -> None:
    try:
        got = iso_datetime(value)
    except ReadError as exc:
        assert str(exc)
        return
    assert got is None or (isinstance(got, str) and 1900 <= int(got[:4]) <= 2100), got


FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@FUZZ
@given(file_bytes())
def test_fuzz_read_file_never_raises(case):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        check_read(*case, Path(folder))


@FUZZ
@given(PAGES)
def test_fuzz_extract_never_raises(page):
    check_extract(page)


@settings(FUZZ, max_examples=300)
@given(DATES)
def test_fuzz_iso_datetime_raises_only_read_error(value):
    check_date(value)


class _Payload:
    """Unpickling this runs code: it would create the file it names."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_crafted_store_runs_no_code(store_url, tmp_path, capsys):
    """Stores of marsad <= 0.1 kept pickled stage state in `state` rows: a crafted store
    (or anyone who can write that table) ran code in every ingest. Those rows are deleted
    unread, said so, and the stages rebuild from the stored articles."""
    import pickle

    from marsad.demo import DEMO_MANIFEST
    from marsad.pipeline import ingest
    from marsad.store import open_store

    canary = tmp_path / "code-ran"
    with open_store(store_url) as store:
        ingest([DEMO_MANIFEST], store)
        stories = sorted((s.id, tuple(s.article_ids)) for s in store.stories())
        for key in ("dedup", "cluster"):
            store.set_state(key, pickle.dumps(_Payload(str(canary))))
        store.set_state("cluster_state", b"as an old version left it")
    capsys.readouterr()
    with open_store(store_url) as store:
        assert "store written by an older marsad" in capsys.readouterr().err
        assert store.get_state("dedup") is None and store.get_state("cluster") is None
        ingest([DEMO_MANIFEST], store)
        assert sorted((s.id, tuple(s.article_ids)) for s in store.stories()) == stories
    assert not canary.exists()


def test_a_stray_nul_in_utf8_text_is_dropped_not_binary(tmp_path):
    from marsad.read import read_file

    page = tmp_path / "nul.txt"
    page.write_bytes("افتتاح معرض الكتاب\x00 في الدوحة".encode())
    (result,) = read_file(page)
    assert isinstance(result, Page) and result.content == "افتتاح معرض الكتاب في الدوحة"


@pytest.mark.parametrize("published", [None, "1900-01-01", "2100-12-31", "9999-12-31", "0001-01-01"])
def test_dates_at_the_calendar_edge_never_crash_a_digest(published):
    """A page dated (or an undated page mentioning) the calendar's first or last day: the
    digest resolves what it can and says nothing it cannot, without an OverflowError."""
    from marsad.digest import describe
    from marsad.model import Article, Story

    arts = [
        Article("p1", 0, "وصول", "وصل الوفد اليوم الأحد. وانتهت الحرب في 31 ديسمبر 9999.", published),
        Article("p2", 0, "مباحثات", "وصل الوفد أمس الأحد، وسيغادر غدا الاثنين والأسبوع المقبل. "
                "وبدأت في 1 يناير 0001."),
    ]  # fmt: skip
    digest = describe(Story("s-1", "وصول", [a.id for a in arts], [], published, published), arts, [])
    assert digest["claims"]
    for x in digest["inferred_published"]:  # the text's own dates only within plausible years
        assert x["basis"] == "story" or "1900" <= x["published"][:4] <= "2100"


def test_a_date_line_outside_plausible_years_is_no_publish_time():
    from marsad.extract.dates import parse_date_line

    assert parse_date_line("9999-12-31") is None
    assert parse_date_line("2024-08-19") == "2024-08-19"
