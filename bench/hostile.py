"""The hostile batch: every bad input the hostile-input issue lists, plus the seed pages, in
one `marsad ingest`, as a user or an attacker would send it.

    python bench/hostile.py [--keep DIR]

Writes the files (our own bytes; the seeds are read from ../shared/data/seeds), runs
`marsad ingest FOLDER SEEDS --db ...` as a child process, and prints wall time, peak RSS,
the exit status, each file's one-line outcome, and what of the seeds was stored.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared/data/seeds"
CLI = [sys.executable, "-c", "from marsad.cli import main; main()"]
GOOD = "افتتاح معرض الكتاب في الدوحة بمشاركة واسعة من دور النشر العربية والأجنبية."


def record(**fields: object) -> str:
    return json.dumps({"title": "عنوان", "text": GOOD, **fields}, ensure_ascii=False)


def zeros_gz(path: Path, gigabytes: float) -> None:
    """A gzip of that many zero bytes, streamed (a few MB on disk)."""
    block = bytes(1 << 24)
    with gzip.open(path, "wb", compresslevel=1) as f:
        for _ in range(int(gigabytes * 64)):
            f.write(block)


def build(folder: Path) -> int:
    """The hostile files; how many."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes | str] = {
        "surrogate.jsonl": '{"title": "x", "text": "نص \\ud800 مكسور ' + GOOD + '"}\n',
        "date-1e20.jsonl": record(published=1e20) + "\n",
        "date-negative.jsonl": record(published=-1e12) + "\n",
        "date-feb30.jsonl": record(published="2018-02-30") + "\n",
        "date-nan.jsonl": '{"text": "' + GOOD + '", "published": NaN}\n',
        "nested.jsonl": "[" * 100_000 + "]" * 100_000 + "\n",
        "long-word.txt": "ب" * 50_000,
        "one-letter-5mb.txt": "ب" * (5 * 1024 * 1024 // 2),
        "junk-lines.jsonl.gz": gzip.compress(b"{junk\n" * 1_000_000),
        "short-lines.txt": "ا\n" * 1_000_000,
        "manifest-etc.jsonl": json.dumps({"path": "/etc/passwd"}) + "\n",
        "manifest-escape.jsonl": json.dumps({"path": "../../../../etc/hostname"}) + "\n",
        "manifest-a.jsonl": json.dumps({"path": "manifest-b.jsonl"}) + "\n",
        "manifest-b.jsonl": json.dumps({"path": "manifest-a.jsonl"}) + "\n",
        "manifest-missing.jsonl": json.dumps({"path": "nowhere.txt"}) + "\n",
        "stray-byte.txt": GOOD.encode()[:40] + b"\xff" + GOOD.encode()[40:],
        "cut-mid-char.txt": GOOD.encode()[:-1],
        "nested-divs.html": "<html><body>" + "<div>" * 100_000 + GOOD + "</div>" * 100_000,
        "unclosed-tags.html": "<html><body>" + "<a " * 100_000,
        "captions-only.txt": "\n".join(["صورة أرشيفية (أ.ف.ب)"] * 6),
        "nul.txt": GOOD[:20] + "\x00" + GOOD[20:],
        "text-and-html.jsonl": record(html="<p>" + GOOD + "</p>") + "\n",
        "empty.txt": "",
        "blank.txt": "   \n\n  ",
        "binary.dat": bytes(range(256)) * 200,
        "utf16-junk.txt": bytes(range(1, 256)) * 40 + b"\x00" * 300,
        "truncated.txt.gz": gzip.compress(GOOD.encode() * 200)[:60],
        "corrupt.txt.gz": b"\x1f\x8b\x08\x00" + os.urandom(300),
        "huge.txt": b"x" * (11 * 1024 * 1024),
        "bad-json.jsonl": '{"text": "unterminated\n',
        "not-object.jsonl": '["a", "list"]\n42\n"text"\n',
        "no-text.jsonl": '{"title": "only a title"}\n',
        "wrong-types.jsonl": '{"text": 12345, "published": {"a": 1}}\n',
        "huge-int.jsonl": '{"text": "' + GOOD + '", "id": ' + "9" * 5000 + "}\n",
        "bomb-record.jsonl.gz": gzip.compress(("[" * 50_000 + "\n").encode() * 20),
        "zlib-not-gzip.txt.gz": zlib.compress(GOOD.encode()),
        "control-chars.txt": "\x01\x02\x03\x04\x05\x06\x07\x08" * 600,
        "cp1256-mixed.txt": GOOD.encode("cp1256") + GOOD.encode("utf-8"),
        "many-records.jsonl": "".join(record(id=i) + "\n" for i in range(2000)),
        "huge-line.jsonl": '{"text": "' + "ب " * (40 * 1024 * 1024 // 4) + '"}\n',
        "html-script-only.html": "<html><script>" + "x" * 100_000 + "</script></html>",
        "xss.html": "<html><body><h1><script>alert(1)</script></h1><p>" + GOOD + "</p></body>",
        "rtl-marks.txt": "\u202e\u2066" * 5000 + GOOD,
        "deep-gz.jsonl.gz": gzip.compress(gzip.compress(b'{"text": "x"}\n')),
    }
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    zeros_gz(folder / "zeros-2gb.jsonl.gz", 2.0)
    zeros_gz(folder / "zeros-1gb.txt.gz", 1.0)
    os.mkfifo(folder / "fifo.txt")
    (folder / "loop-a").symlink_to(folder / "loop-b")
    (folder / "loop-b").symlink_to(folder / "loop-a")
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    return len(files) + 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", help="write the batch here and keep it")
    args = parser.parse_args()
    root = Path(args.keep or tempfile.mkdtemp(prefix="marsad-hostile-"))
    folder = root / "hostile"
    n = build(folder)
    db = root / "hostile.db"
    specs = [str(folder)] + ([str(SEEDS)] if SEEDS.exists() else [])
    started = time.perf_counter()
    proc = subprocess.Popen([*CLI, "ingest", *specs, "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    rss = _rss_children()  # the ingest and its reaped workers
    print(f"{n} hostile files + {len(list(SEEDS.glob('*')))} seed pages: exit {proc.returncode},"
          f" {wall:.1f} s wall, peak RSS {rss:.0f} MB")  # fmt: skip
    print(out.strip())
    print(err.strip())
    with sqlite3.connect(db) as conn:
        seeds = conn.execute(
            "SELECT COUNT(*) FROM articles WHERE source_path LIKE ?", (f"{SEEDS}%",)
        ).fetchone()[0]
        stories = conn.execute(
            "SELECT COUNT(DISTINCT s.story_id) FROM story_articles s JOIN articles a"
            " ON a.id = s.article_id WHERE a.source_path LIKE ?",
            (f"{SEEDS}%",),
        ).fetchone()[0]
    print(f"seed articles stored: {seeds}, in {stories} stories")


def _rss_children() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


if __name__ == "__main__":
    main()
