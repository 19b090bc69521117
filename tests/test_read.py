import gzip
import json

import pytest

from marsad.model import Failure, Page
from marsad.read import ReadConfig, decode, iso_datetime, read

ARABIC = "وصل وفد الاتحاد الرياضي إلى العاصمة مساء الخميس للمشاركة في البطولة الإقليمية.\n"


def pages_and_failures(specs, config=None):
    items = list(read(specs, config or ReadConfig()))
    return [i for i in items if isinstance(i, Page)], [i for i in items if isinstance(i, Failure)]


@pytest.mark.parametrize(
    "encoding, expected",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("cp1256", "cp1256"),
        ("iso-8859-6", "iso-8859-6"),
    ],
)
def test_decode_arabic_encodings(encoding, expected):
    text, found = decode((ARABIC * 3).encode(encoding))
    assert found == expected
    assert text.strip().startswith("وصل وفد")


def test_cp1256_and_iso_8859_6_are_told_apart():
    # Same letters, different byte values: each must come back as Arabic, not mojibake.
    for enc in ("cp1256", "iso-8859-6"):
        text, found = decode("قال الوزير إن الاجتماع ناقش الملف".encode(enc))
        assert (text, found) == ("قال الوزير إن الاجتماع ناقش الملف", enc)


def test_formats_and_globs(tmp_path):
    (tmp_path / "a.txt").write_text(ARABIC, encoding="utf-8")
    (tmp_path / "b.html").write_text(f"<html><body><p>{ARABIC}</p></body></html>")
    with gzip.open(tmp_path / "c.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write(ARABIC)
    records = [
        {
            "id": "r1",
            "url": "https://example.org/1",
            "outlet": "صدى",
            "published": "2025-03-12T09:40",
            "title": "عنوان",
            "text": ARABIC,
        },
        {"id": 7, "html": f"<html><body><p>{ARABIC}</p></body></html>"},
    ]
    with gzip.open(tmp_path / "d.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    (tmp_path / ".hidden.txt").write_text("x")

    pages, failures = pages_and_failures([tmp_path])
    assert failures == []
    kinds = {p.source_path.rsplit("/", 1)[-1]: p.kind for p in pages}
    assert kinds == {
        "a.txt": "text",
        "b.html": "html",
        "c.txt.gz": "text",
        "d.jsonl.gz:1": "text",
        "d.jsonl.gz:2": "html",
    }
    rec = next(p for p in pages if p.source_id == "r1")
    assert (rec.outlet, rec.title, rec.published) == ("صدى", "عنوان", "2025-03-12T09:40")
    assert next(p for p in pages if p.kind == "html" and p.source_id).source_id == "7"

    globbed, _ = pages_and_failures([str(tmp_path / "*.txt")])
    assert [p.source_path.rsplit("/", 1)[-1] for p in globbed] == ["a.txt"]


def test_same_content_same_page_id(tmp_path):
    (tmp_path / "x.txt").write_text(ARABIC, encoding="utf-8")
    (tmp_path / "y.txt").write_bytes(ARABIC.encode("cp1256"))
    pages, _ = pages_and_failures([tmp_path])
    assert len({p.id for p in pages}) == 1


def test_bad_input_gets_specific_errors_and_batch_goes_on(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "short.bin").write_bytes(b"\x00\x01binary")  # as UTF-16: U+0100 and CJK
    full = gzip.compress(ARABIC.encode() * 200)
    (tmp_path / "truncated.txt.gz").write_bytes(full[: len(full) // 2])
    (tmp_path / "huge.txt").write_bytes(
        ARABIC.encode() * (50 * 1024 * 1024 // len(ARABIC.encode()))
    )
    (tmp_path / "bad.jsonl").write_text('{"id": 1, "text": "نص"}\n{oops\n[1]\n{"id": 3}\n')
    (tmp_path / "good.txt").write_text(ARABIC)

    pages, failures = pages_and_failures([tmp_path, tmp_path / "missing.txt"])
    reasons = {f.source_path.rsplit("/", 1)[-1]: f.reason for f in failures}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["binary.bin"] and "binary" in reasons["short.bin"]
    assert "truncated or corrupt gzip" in reasons["truncated.txt.gz"]
    assert "too large for one page" in reasons["huge.txt"]
    assert "invalid JSON" in reasons["bad.jsonl:2"]
    assert reasons["bad.jsonl:3"] == "record is not a JSON object"
    assert reasons["bad.jsonl:4"] == "record has no 'text' or 'html'"
    assert reasons["missing.txt"] == "no such file or folder"
    assert sorted(p.source_path.rsplit("/", 1)[-1] for p in pages) == ["bad.jsonl:1", "good.txt"]


def test_iso_datetime_forms():
    assert iso_datetime("Sun, 18 Feb 2018 21:35:43 +0400") == "2018-02-18T21:35+04:00"
    assert iso_datetime("2015-07-21 02:51:32") == "2015-07-21T02:51"
    assert iso_datetime(None) is None


def test_jsonl_records_may_hold_unicode_line_separators(tmp_path):
    # JSON allows U+2028/U+0085 raw inside strings; only \n ends a record.
    text = "سطر أول\u2028سطر ثان\x85سطر ثالث"
    (tmp_path / "r.jsonl").write_text(
        json.dumps({"id": "a", "text": text}, ensure_ascii=False)
        + "\r\n"
        + json.dumps({"id": "b", "text": "نص"})
        + "\n",
        encoding="utf-8",
    )
    pages, failures = pages_and_failures([tmp_path / "r.jsonl"])
    assert failures == []
    assert [(p.source_id, p.content) for p in pages] == [("a", text), ("b", "نص")]


def test_one_text_as_two_records_is_two_pages(tmp_path):
    records = [{"id": "world-1", "text": ARABIC}, {"id": "mideast-7", "text": ARABIC}]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    (tmp_path / "copy.jsonl").write_text(json.dumps(records[0]) + "\n")
    pages, _ = pages_and_failures([tmp_path / "r.jsonl", tmp_path / "copy.jsonl"])
    assert len({p.id for p in pages}) == 2  # same record again: same page
