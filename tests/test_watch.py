"""Watch: a file dropped into a folder is ingested in the next round, a restart reads
nothing again (the store knows what was read), new feed items are all that is fetched."""

import html
import os
import time
from functools import partial

import pytest
from click.testing import CliRunner
from local_inputs import demo_html, serve

from marsad import watch as watch_module
from marsad.cli import main
from marsad.store import open_store
from marsad.watch import parse_every, watch, watch_round


@pytest.fixture
def folder(tmp_path):
    """A folder a scraper writes into (its files finished a while ago) and more pages."""
    pages = demo_html(tmp_path / "all")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for page in pages[:2]:
        (inbox / page.name).write_bytes(page.read_bytes())
        os.utime(inbox / page.name, (time.time() - 60, time.time() - 60))
    return inbox, pages


def test_a_dropped_file_is_ingested_in_the_next_round(store_url, folder):
    inbox, pages = folder
    with open_store(store_url) as store:
        first = watch_round([inbox], store, settle=0)
        assert (first.report.new_pages, first.items["new"]) == (2, 2)
        (inbox / pages[2].name).write_bytes(pages[2].read_bytes())  # dropped
        second = watch_round([inbox], store, number=2, settle=0)
        assert second.report.new_pages == 1 and second.report.articles >= 1
        assert second.items == {"new": 1, "unchanged": 2}
        assert second.report.pages == 1  # the two known files were not even read
        assert store.counts()["pages"] == 3


def test_a_restart_reads_nothing_again(store_url, folder):
    inbox, _ = folder
    with open_store(store_url) as store:
        watch_round([inbox], store, settle=0)
    with open_store(store_url) as store:  # another process, later
        again = watch_round([inbox], store, settle=0)
        assert (again.report.pages, again.report.new_pages) == (0, 0)
        assert again.items == {"unchanged": 2}


def test_a_changed_file_is_read_again(store_url, folder):
    inbox, pages = folder
    with open_store(store_url) as store:
        watch_round([inbox], store, settle=0)
        target = inbox / pages[0].name
        target.write_bytes(pages[3].read_bytes())  # a corrected version
        os.utime(target, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
        again = watch_round([inbox], store, settle=0)
        assert (again.items["new"], again.report.new_pages) == (1, 1)


def test_a_file_still_being_written_waits_for_the_next_round(store_url, folder, monkeypatch):
    import marsad.read.inputs as inputs

    inbox, pages = folder
    with open_store(store_url) as store:
        watch_round([inbox], store, settle=0)
        growing = inbox / "growing.html"
        growing.write_bytes(pages[2].read_bytes()[:200])
        waits = []

        def write_on(seconds: float) -> None:  # the scraper writes on while the round waits
            waits.append(seconds)
            growing.write_bytes(pages[2].read_bytes())
            os.utime(growing, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))

        monkeypatch.setattr(inputs.time, "sleep", write_on)
        halfway = watch_round([inbox], store, settle=60)
        assert len(waits) == 1 and 59 < waits[0] <= 60
        assert halfway.report.pages == 0  # left for the next look, not read half-written
        os.utime(growing, (time.time() - 120, time.time() - 120))
        done = watch_round([inbox], store, settle=60)
        assert done.report.new_pages == 1 and len(waits) == 1


def test_an_interrupted_round_loses_nothing_and_the_next_one_finishes(
    store_url, folder, monkeypatch
):
    inbox, pages = folder
    for page in pages[2:5]:
        (inbox / page.name).write_bytes(page.read_bytes())
    names = sorted(p.name for p in inbox.iterdir())
    import marsad.read.inputs as inputs

    real = inputs.file_contents

    def interrupted(path, *args):
        if path.name == names[3]:
            raise KeyboardInterrupt
        return real(path, *args)

    monkeypatch.setattr(inputs, "file_contents", interrupted)
    monkeypatch.setattr(watch_module, "ingest_pages", partial(watch_module.ingest_pages, chunk=1))
    with open_store(store_url) as store, pytest.raises(KeyboardInterrupt):
        watch_round([inbox], store, settle=0)
    with open_store(store_url) as store:
        kept = store.counts()["pages"]
        assert kept >= 2  # committed chunks stay whole
    monkeypatch.setattr(inputs, "file_contents", real)
    with open_store(store_url) as store:
        rest = watch_round([inbox], store, settle=0)
        assert rest.report.new_pages == 5 - kept
        assert store.counts()["pages"] == 5  # nothing twice
        assert watch_round([inbox], store, settle=0).items == {"unchanged": 5}


def test_only_new_feed_items_are_fetched(store_url, tmp_path):
    folder = tmp_path / "site"
    pages = demo_html(folder)
    with serve(folder) as (base, log), open_store(store_url) as store:

        def feed(n: int) -> str:
            items = "".join(
                f"<item><title>{html.escape(p.stem)}</title><link>{base}/{p.name}</link>"
                f"<pubDate>Sun, 09 Mar 2025 10:00:00 +0300</pubDate></item>"
                for p in pages[:n]
            )
            return f"<?xml version='1.0'?><rss version='2.0'><channel>{items}</channel></rss>"

        (folder / "feed.xml").write_text(feed(2), encoding="utf-8")
        first = watch_round([f"{base}/feed.xml"], store, settle=0)
        assert first.report.new_pages == 2
        (folder / "feed.xml").write_text(feed(3), encoding="utf-8")
        del log[:]
        second = watch_round([f"{base}/feed.xml"], store, settle=0)
        assert second.report.new_pages == 1
        assert log == ["/feed.xml", f"/{pages[2].name}"]  # the known items were not fetched


def test_watch_runs_rounds_and_reports_each(store_url, folder):
    inbox, _ = folder
    slept, lines = [], []
    with open_store(store_url) as store:
        rounds = watch([inbox], store, every=300, rounds=2, settle=0, sleep=slept.append,
                       on_round=lambda r: lines.append(r.line()))  # fmt: skip
    assert [r.number for r in rounds] == [1, 2] and len(slept) == 1 and 0 < slept[0] <= 300
    assert "round 1: 2 new pages," in lines[0] and "0 failures" in lines[0]
    assert "round 2: 0 new pages, 0 articles, 0 stories touched, 0 failures" in lines[1]


def test_the_watch_command_prints_a_heartbeat_per_round(tmp_path, folder):
    inbox, _ = folder
    (inbox / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    os.utime(inbox / "bad.txt", (time.time() - 60, time.time() - 60))
    db = str(tmp_path / "w.db")
    result = CliRunner().invoke(main, ["watch", str(inbox), "--db", db, "--rounds", "1"])
    assert result.exit_code == 0, result.output
    assert "round 1: 2 new pages" in result.output and ", 1 failures (3 new" in result.output
    assert f"  {inbox}/bad.txt: binary file (NUL bytes)" in result.stderr
    bad = CliRunner().invoke(main, ["watch", str(inbox), "--db", db, "--every", "soon"])
    assert bad.exit_code == 2 and "not an interval" in bad.output


def test_intervals():
    assert [parse_every(x) for x in ("90", "30s", "5m", "1h", "1.5m")] == [90, 30, 300, 3600, 90]
    for bad in ("", "0", "-5m", "5x"):
        with pytest.raises(ValueError):
            parse_every(bad)
