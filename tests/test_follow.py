"""Follows and their events on every backend: ingest day 1, follow, ingest day 2, and the
events are exactly the new articles, outlets, claims and conflicts (checked against the
story before and after), delivered to a local webhook that fails first; a late page that
refounds the followed story; saved searches; `changes --since`; the CLI."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from webhook import Webhook

from marsad import search
from marsad.alerts import AlertsConfig, deliver
from marsad.changes import story_changes
from marsad.cli import main
from marsad.cluster import StorylineConfig
from marsad.config import Config
from marsad.demo import DEMO_DIR, DEMO_MANIFEST
from marsad.digest import story_digest
from marsad.follow import FollowError, follow, followed_stories, unfollow, what_changed
from marsad.pipeline import ingest
from marsad.query import analyze, matches, parse_query
from marsad.store import Store, open_store

FLOOD = "مرسى الزين"  # E2 of the demo: floods on 18 then 19 November 2025


def manifest(tmp: Path, name: str, keep) -> Path:
    """A manifest of the demo pages whose record `keep` accepts (pages copied beside it)."""
    shutil.copytree(DEMO_DIR, tmp / "pages", dirs_exist_ok=True)
    records = [json.loads(line) for line in DEMO_MANIFEST.read_text().splitlines()]
    path = tmp / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records if keep(r)))
    return path


def day_two(record: dict) -> bool:
    """19 November (the flood's second day) and the feed, whose records carry their times."""
    return record.get("published") in (None, "2025-11-19")


def flood_story(store: Store):
    return max((s for s in store.stories() if FLOOD in s.title), key=lambda s: s.size)


@pytest.fixture
def days(tmp_path) -> tuple[Path, Path]:
    return (manifest(tmp_path, "day1", lambda r: not day_two(r)),
            manifest(tmp_path, "day2", day_two))  # fmt: skip


# --- the store rows -----------------------------------------------------------------------
def test_follow_rows_events_and_cursors(store):
    with store.transaction():
        f, new = store.follow_add("story", "s-1", {}, "a-1", ["a-1", "a-2"])
        again, new_again = store.follow_add("story", "s-1", {}, "a-1", [])
        g, _ = store.follow_add("search", "سيول", {"outlet": "مرفأ نت"}, None, [])
    assert new and not new_again and again == f and g.id > f.id
    assert g.filters == {"outlet": "مرفأ نت"} and store.follows() == [f, g]
    assert store.follow_seen(f.id, ["a-1", "a-3"]) == {"a-1"}
    with store.transaction():
        store.add_events([(f.id, "article", "s-1", "a-3", {"title": "ع"}),
                          (g.id, "article", None, "a-4", {})])  # fmt: skip
        store.add_events([(f.id, "outlet", "s-1", "مرفأ نت", {"outlet": "مرفأ نت"})])
    events = store.events(0, 10)
    assert [e.item for e in events] == ["a-3", "a-4", "مرفأ نت"]
    assert [e.id for e in events] == sorted(e.id for e in events) and store.last_event() == events[
        -1
    ].id
    assert events[0].to_dict()["title"] == "ع" and events[0].to_dict()["kind"] == "article"
    assert [e.item for e in store.events(events[0].id, 10)] == ["a-4", "مرفأ نت"]
    assert [e.item for e in store.events(0, 10, follow_id=g.id)] == ["a-4"]
    assert store.alert_cursor("webhook:x") == (0, 0, None)  # a new sink loses nothing
    with store.transaction():
        store.alert_mark("webhook:x", events[1].id, 2, "HTTP 500")
    assert store.alert_cursor("webhook:x") == (events[1].id, 2, "HTTP 500")
    with store.transaction():
        assert store.follow_remove(f.id) and not store.follow_remove(f.id)
    assert store.follows() == [g] and store.follow_seen(f.id, ["a-1"]) == set()
    assert len(store.events(0, 10)) == 3  # its events stay


def test_articles_carry_when_they_were_stored(store, days):
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    ingest([days[0]], store)
    middle = dt.datetime.now(dt.UTC)
    time.sleep(0.01)
    ingest([days[1]], store)
    first = {a for a, _, _ in store.added_since(before)}
    second = store.added_since(middle)
    assert first == {a.id for a in store.articles()}
    assert second and {a for a, _, _ in second} < first
    assert all(at > middle for _, _, at in second)
    assert all(sid is not None for _, sid, _ in second)  # stories made in that ingest
    times = store.added_at([a for a, _, _ in second])
    assert set(times) == {a for a, _, _ in second}


def test_a_store_from_before_follows_opens_and_follows(tmp_path, days):
    """A store written before follows existed: no follow tables, pages stored to the whole
    second. It opens, gets the tables, and its old pages count as stored before any T."""
    import sqlite3

    db = tmp_path / "old.db"
    with open_store(db) as store:
        ingest([days[0]], store)
    old = sqlite3.connect(db)
    for table in ("follows", "follow_seen", "follow_events", "alert_cursors"):
        old.execute(f"DROP TABLE {table}")
    old.execute("DROP INDEX pages_added")
    old.execute("UPDATE pages SET added_at = substr(added_at, 1, 19)")
    old.commit()
    old.close()
    with open_store(db) as store:
        early = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        assert len(store.added_since(early)) == store.counts()["articles"]
        follow(store, "story", flood_story(store).id)
        ingest([days[1]], store)
        assert store.events() and store.last_event() == store.events(0, 1000)[-1].id


# --- the acceptance test: day 1, follow, day 2 -------------------------------------------
def test_day_two_events_are_exactly_the_new_articles_and_claims(store_url, days):
    with open_store(store_url) as store:
        ingest([days[0]], store)
        day1 = flood_story(store)
        f, new = follow(store, "story", day1.id)
        assert new and store.events() == []
        before = story_digest(store, day1)
        report = ingest([days[1]], store)
        assert report.events > 0
        after = flood_story(store)
        assert set(day1.article_ids) < set(after.article_ids)
        assert followed_stories(store) == [(store.follows()[0], [after.id])]
        events = store.events(0, 1000)

        fresh = set(after.article_ids) - set(day1.article_ids)
        digest = story_digest(store, after)
        new_claims = {c["id"] for c in digest["claims"] if set(c["article_ids"]) <= fresh}
        grown = {c["id"] for c in digest["claims"]
                 if set(c["article_ids"]) & fresh and not set(c["article_ids"]) <= fresh}  # fmt: skip
        outlets = {a.outlet for a in store.articles(fresh)} - set(day1.outlets)
        assert new_claims and grown and outlets
        by_kind: dict[str, list[str]] = {}
        for e in events:
            assert e.follow_id == f.id and e.story_id == after.id
            by_kind.setdefault(e.kind, []).append(e.item)
        assert sorted(by_kind["article"]) == sorted(fresh)
        assert set(by_kind["claim"]) == new_claims
        assert set(by_kind["claim_update"]) == grown
        assert set(by_kind["outlet"]) == outlets
        assert all(len(items) == len(set(items)) for items in by_kind.values())
        assert not {c["id"] for c in before["claims"]} & new_claims  # new is new
        update = next(e for e in events if e.kind == "claim_update").to_dict()
        assert set(update["added_article_ids"]) <= fresh and update["article_ids"]

        # the same pages again, or an ingest elsewhere: nothing new to tell
        ingest([days[1]], store)
        assert store.last_event() == events[-1].id

        # a webhook that fails twice, then takes them: retried with backoff, nothing lost
        with Webhook(fail=2) as hook:
            waits: list[float] = []
            config = AlertsConfig(webhooks=(hook.url,), retries=3, backoff=0.5, batch=7)
            done = deliver(store, config, sleep=waits.append)
        assert done[0].error is None and done[0].delivered == len(events)
        assert waits == [0.5, 1.0]  # two failures, doubling waits
        assert hook.failed == 2
        got = [e["id"] for batch in hook.batches for e in batch]
        assert got == [e.id for e in events]  # each event once, in log order
        assert store.alert_cursor(f"webhook:{hook.url}")[0] == events[-1].id


def test_a_failing_webhook_keeps_its_events_for_the_next_round(store, days):
    ingest([days[0]], store)
    follow(store, "story", flood_story(store).id)
    ingest([days[1]], store)
    n = store.last_event()
    with Webhook(fail=100) as hook:
        config = AlertsConfig(webhooks=(hook.url,), retries=1, backoff=0)
        done = deliver(store, config, sleep=lambda s: None)
        assert done[0].delivered == 0 and "HTTP 500" in done[0].error
        assert store.alert_cursor(f"webhook:{hook.url}") == (0, 1, done[0].error)
        hook.fail = 0  # the endpoint is back
        done = deliver(store, config, sleep=lambda s: None)
    assert done[0].delivered == n and done[0].error is None
    assert [e["id"] for b in hook.batches for e in b] == list(range(1, n + 1))
    assert store.alert_cursor(f"webhook:{hook.url}") == (n, 0, None)


def test_a_late_page_that_refounds_the_story_keeps_the_follow(store, tmp_path):
    """Day 2 first: its story is founded by a 19 November article; the 18 November pages
    come later and found the story anew (another id). The follow goes with its article."""
    ingest([manifest(tmp_path, "late", lambda r: r.get("published") == "2025-11-19")], store)
    first = flood_story(store)
    f, _ = follow(store, "story", first.id)
    ingest([manifest(tmp_path, "rest", lambda r: r.get("published") != "2025-11-19")], store)
    now = flood_story(store)
    assert now.id != first.id and store.story(first.id) is None
    assert followed_stories(store) == [(f, [now.id])]
    told = {e.item for e in store.events(0, 1000) if e.kind == "article"}
    assert told == set(now.article_ids) - set(first.article_ids)


def test_storyline_follow_tells_of_each_story(store, days):
    """Storylines loosened until the demo's flood story shares one with other stories."""
    config = Config(storylines=StorylineConfig(threshold=0.3, gap_days=300))
    ingest([days[0]], store, config)
    flood = flood_story(store)
    line = next(line for line, ids in store.storylines().items() if flood.id in ids)
    f, _ = follow(store, "storyline", line)
    with pytest.raises(FollowError, match="no storyline"):
        follow(store, "storyline", "s-nothing")

    def members() -> set[str]:
        (ids,) = [ids for _, ids in followed_stories(store)]
        return {a for sid in ids for a in store.story(sid).article_ids}

    before = members()
    ingest([days[1]], store, config)
    told = [e.item for e in store.events(0, 1000, follow_id=f.id) if e.kind == "article"]
    assert len(told) == len(set(told)) and set(told) == members() - before and told


def test_saved_search_tells_of_new_matching_articles_only(store, days):
    ingest([days[0]], store)
    f, _ = follow(store, "search", "السيول")
    g, _ = follow(store, "search", "السيول", outlet="نداء الجنوب")
    with pytest.raises(FollowError, match="cannot follow this search"):
        follow(store, "search", '"غير مغلق')
    old = {h.article_id for h in search.search(store, "السيول", limit=100)}
    ingest([days[1]], store)
    now = {h.article_id for h in search.search(store, "السيول", limit=100)}
    told = {e.item for e in store.events(0, 1000, follow_id=f.id)}
    assert told == now - old and told
    outlets = {a.id: a.outlet for a in store.articles(now)}
    assert {e.item for e in store.events(0, 1000, follow_id=g.id)} == {
        a for a in now - old if outlets[a] == "نداء الجنوب"
    }


@pytest.mark.parametrize("query", ["السيول", "مرسى الزين", '"الدفاع المدني"', "المركزي OR الكأس",
                                   "لأذربيجان", "النعيمي الشرفة"])  # fmt: skip
def test_matches_agrees_with_the_index(query):
    with open_store(":memory:") as store:
        ingest([DEMO_MANIFEST], store)
        found = {h.article_id for h in search.search(store, query, limit=1000)}
        parsed = parse_query(query)
        matched = {a.id for a in store.articles() if matches(parsed, analyze(a))}
    assert matched == found


def test_changes_since_match_the_events(store, days):
    ingest([days[0]], store)
    f, _ = follow(store, "story", flood_story(store).id)
    time.sleep(0.01)
    middle = dt.datetime.now(dt.UTC)
    ingest([days[1]], store)
    found = what_changed(store, middle)
    assert [c["follow"]["id"] for c in found] == [f.id]
    events = store.events(0, 1000)
    assert {a["article_id"] for a in found[0]["articles"]} == {
        e.item for e in events if e.kind == "article"
    }
    assert {c["claim_id"] for c in found[0]["claims"]} == {
        e.item for e in events if e.kind == "claim"
    }
    assert {c["claim_id"] for c in found[0]["updated_claims"]} == {
        e.item for e in events if e.kind == "claim_update"
    }
    assert what_changed(store, dt.datetime.now(dt.UTC)) == []
    every = what_changed(store, middle, every=True)
    assert len(every) > 1 and all(c["follow"] is None for c in every)
    one = what_changed(store, middle, story_id=found[0]["story"]["id"])
    assert [c["story"]["id"] for c in one] == [found[0]["story"]["id"]]


def test_conflicts_are_new_when_they_did_not_stand_before(store, days):
    ingest([days[0], days[1]], store)
    story = flood_story(store)
    conflicts = story_digest(store, story)["facts"]["conflicts"]
    everything = story_changes(store, story, story.article_ids)
    assert len(everything.conflicts) == len(conflicts)
    assert len(everything.claims) == len(story_digest(store, story)["claims"])
    assert story_changes(store, story, []).events() == []


def test_unfollow_stops_events(store, days):
    ingest([days[0]], store)
    f, _ = follow(store, "story", flood_story(store).id)
    assert unfollow(store, f.id) and not unfollow(store, f.id)
    ingest([days[1]], store)
    assert store.events() == [] and followed_stories(store) == []


def test_a_store_without_follows_computes_no_changes(tmp_path, days, monkeypatch):
    """A store without follows never computes a change."""
    import marsad.follow as module

    calls: list[str] = []
    monkeypatch.setattr(module, "story_changes", lambda *a, **k: calls.append("x"))
    with open_store(tmp_path / "s.db") as store:
        ingest([days[0], days[1]], store)
    assert calls == []


# --- the CLI --------------------------------------------------------------------------------
def test_cli_follow_changes_events_and_alerts(tmp_path, days):
    db = str(tmp_path / "cli.db")
    run = CliRunner().invoke
    assert run(main, ["ingest", str(days[0]), "--db", db, "--workers", "1"]).exit_code == 0
    with open_store(db) as store:
        sid = flood_story(store).id
    out = run(main, ["follow", "story", sid, "--db", db])
    assert out.exit_code == 0 and "following story" in out.output
    assert "already following" in run(main, ["follow", "story", sid, "--db", db]).output
    assert run(main, ["follow", "story", "s-none", "--db", db]).exit_code == 1
    assert run(main, ["follow", "search", "السيول", "--db", db]).exit_code == 0
    listed = run(main, ["follows", "--db", db, "--json"]).output.splitlines()
    assert [json.loads(x)["kind"] for x in listed] == ["story", "search"]
    start = dt.datetime.now(dt.UTC).isoformat()
    assert run(main, ["ingest", str(days[1]), "--db", db, "--workers", "1"]).exit_code == 0
    text = run(main, ["changes", "--since", start, "--db", db])
    assert text.exit_code == 0 and "+ article" in text.output and "+ claim" in text.output
    records = [
        json.loads(x)
        for x in run(main, ["changes", "--since", "1h", "--db", db, "--json"]).output.splitlines()
    ]
    assert {r["follow"]["kind"] for r in records} == {"story", "search"}
    bad = run(main, ["changes", "--since", "yesterday", "--db", db])
    assert bad.exit_code == 2 and "ISO time" in bad.output
    events = run(main, ["events", "--db", db, "--json"]).output.splitlines()
    feed = tmp_path / "alerts" / "events.jsonl"
    out = run(main, ["alerts", "deliver", "--jsonl", str(feed), "--db", db])
    assert out.exit_code == 0 and f"{len(events)} delivered" in out.output
    assert [json.loads(x)["id"] for x in feed.read_text().splitlines()] == [
        json.loads(x)["id"] for x in events
    ]
    assert (
        "0 delivered" in run(main, ["alerts", "deliver", "--jsonl", str(feed), "--db", db]).output
    )
    assert "0 waiting" in run(main, ["alerts", "status", "--jsonl", str(feed), "--db", db]).output
    assert run(main, ["alerts", "deliver", "--db", db]).exit_code == 2  # no sink
    assert run(main, ["unfollow", "1", "--db", db]).exit_code == 0
    assert run(main, ["unfollow", "1", "--db", db]).exit_code == 1
