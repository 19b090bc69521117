"""Interruptions and concurrent writers: the store always ends as after one uninterrupted run.

Real processes, real signals: `marsad ingest` is killed (SIGKILL) at random moments, again
and again, on SQLite and PostgreSQL; after every kill the store holds only complete chunks
(every stored article is in a story), and the run that finishes gives the stories and
duplicate pairs of one uninterrupted run. Two ingests at once take turns.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from marsad.demo import DEMO_MANIFEST
from marsad.pipeline import ingest
from marsad.store import open_store

CLI = [sys.executable, "-c", "from marsad.cli import main; main()"]


def corpus(tmp_path: Path, copies: int = 24) -> Path:
    """The demo corpus beside a manifest that files it `copies` times, a week apart under
    other ids: a few seconds of ingest, for kills to land in."""
    root = tmp_path / "corpus"
    shutil.copytree(DEMO_MANIFEST.parent, root)
    lines = []
    for k in range(copies):
        for i, line in enumerate(DEMO_MANIFEST.read_text(encoding="utf-8").splitlines()):
            record = json.loads(line)
            record["id"] = f"copy{k}-{i}"
            if record.get("published"):
                day = dt.date.fromisoformat(record["published"][:10]) + dt.timedelta(weeks=k)
                record["published"] = day.isoformat() + record["published"][10:]
            lines.append(json.dumps(record, ensure_ascii=False))
    manifest = root / "copies.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def snapshot(location: str) -> dict:
    with open_store(location) as store:
        return {
            "stories": sorted(
                (s.id, s.title, tuple(s.article_ids), tuple(s.outlets), s.start, s.end)
                for s in store.stories()
            ),
            "pairs": sorted((p.a, p.b, p.kind, p.similarity) for p in store.duplicates()),
            "articles": sorted(a.id for a in store.articles()),
        }


def one_run(manifest: Path, tmp_path: Path) -> dict:
    db = str(tmp_path / "reference.db")
    with open_store(db) as store:
        ingest([manifest], store)
    return snapshot(db)


def consistent(location: str, finished: bool = False) -> None:
    """Only whole chunks: every stored article is in a story or queued for the stages (and
    never both), nothing is half-written; a finished run leaves nothing queued."""
    if not location.startswith("postgres"):
        with sqlite3.connect(location) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with open_store(location) as store:
        in_stories = {aid for s in store.stories() for aid in s.article_ids}
        queued = set(store.pending(10**9))
        assert {a.id for a in store.articles()} == in_stories | queued
        assert not in_stories & queued
        assert not (finished and queued)


def start(*args: object) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_kills_at_random_moments_lose_nothing(store_url, tmp_path):
    manifest = corpus(tmp_path)
    expected = one_run(manifest, tmp_path)
    rng = random.Random(7)
    partial = 0
    for attempt in range(6):
        proc = start(
            "ingest", manifest, "--db", store_url, "--chunk", 2, "--workers", 1 + attempt % 2
        )
        time.sleep(rng.uniform(0.3, 2.0))
        proc.kill()
        proc.communicate()
        consistent(store_url)
        partial += snapshot(store_url) != expected
    assert partial >= 2  # the kills landed inside ingests, not after them
    done = start("ingest", manifest, "--db", store_url)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    consistent(store_url, finished=True)
    assert snapshot(store_url) == expected


def test_ctrl_c_says_what_is_kept_and_the_next_run_goes_on(tmp_path):
    manifest = corpus(tmp_path)
    db = str(tmp_path / "m.db")
    proc = start("ingest", manifest, "--db", db, "--chunk", 1, "--workers", 1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # interrupt once the first chunks are stored
        try:
            with sqlite3.connect(db) as conn:
                if conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]:
                    break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the ingest finished before the interrupt arrived")
    assert proc.returncode == 130, err
    assert "interrupted: the store holds" in err and "run the same command again" in err
    consistent(db)
    rerun = start("ingest", manifest, "--db", db)
    rerun.communicate(timeout=120)
    assert snapshot(db) == one_run(manifest, tmp_path)


def test_two_writers_at_once_give_the_stories_of_one_run(store_url, tmp_path):
    manifest = corpus(tmp_path)
    expected = one_run(manifest, tmp_path)
    lines = manifest.read_text(encoding="utf-8").splitlines()
    halves = []
    for name, part in (("a.jsonl", lines[::2]), ("b.jsonl", lines[1::2])):
        halves.append(manifest.with_name(name))
        halves[-1].write_text("\n".join(part) + "\n", encoding="utf-8")
    with open_store(store_url):
        pass  # the schema exists before both start
    procs = [start("ingest", h, "--db", store_url, "--chunk", 1, "--workers", 1) for h in halves]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    consistent(store_url, finished=True)
    assert snapshot(store_url) == expected


def test_a_full_disk_keeps_whole_chunks_and_the_next_run_goes_on(tmp_path):
    """SQLite's page limit stands for a full disk: the chunk being written rolls back, the
    store holds only whole chunks, and once there is room the same ingest finishes."""
    import sqlite3 as sq

    manifest = corpus(tmp_path, copies=4)
    expected = one_run(manifest, tmp_path)
    db = str(tmp_path / "full.db")
    with open_store(db) as store:
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages + 60}")
        with pytest.raises(sq.OperationalError, match="full"):
            ingest([manifest], store, chunk=2)
    consistent(db)
    assert 0 < len(snapshot(db)["articles"]) < len(expected["articles"])
    result = subprocess.run([*CLI, "ingest", str(manifest), "--db", db], capture_output=True)
    assert result.returncode == 0
    consistent(db, finished=True)
    assert snapshot(db) == expected
