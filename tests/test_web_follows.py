"""Follows over HTTP on both backends: the REST endpoints (who may write, errors, the change
records), the changes page and its cookie, the follow button and the «جديد» badges."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from test_follow import day_two, flood_story, manifest

from marsad.api import create_app
from marsad.pipeline import ingest
from marsad.store import open_store

LOCAL = ("127.0.0.1", 50000)
REMOTE = ("203.0.113.9", 50000)


@pytest.fixture
def two_days(store_url, tmp_path):
    """The store after day 1, the day-2 manifest, and the flood story's id."""
    with open_store(store_url) as store:
        ingest([manifest(tmp_path, "day1", lambda r: not day_two(r))], store)
        sid = flood_story(store).id
    return store_url, manifest(tmp_path, "day2", day_two), sid


def test_follow_endpoints(two_days):
    db, day2, sid = two_days
    client = TestClient(create_app(db), client=LOCAL)
    made = client.post("/api/follows", json={"kind": "story", "target": sid})
    assert made.status_code == 201 and made.json()["stories"] == [sid]
    assert client.post("/api/follows", json={"kind": "story", "target": sid}).status_code == 200
    assert client.post("/api/follows", json={"kind": "story", "target": "s-x"}).status_code == 404
    assert client.post("/api/follows", json={"kind": "story"}).status_code == 422
    saved = client.post("/api/search/follows", json={"q": "السيول", "outlet": "مرفأ نت"})
    assert saved.status_code == 201 and saved.json()["filters"] == {"outlet": "مرفأ نت"}
    bad = client.post("/api/search/follows", json={"q": '"مفتوح'})
    assert bad.status_code == 400 and "quotes" in bad.json()["detail"]
    remote = TestClient(create_app(db), client=REMOTE)
    assert remote.post("/api/follows", json={"kind": "story", "target": sid}).status_code == 403
    assert remote.delete(f"/api/follows/{made.json()['id']}").status_code == 403
    assert [f["kind"] for f in client.get("/api/follows").json()["items"]] == ["story", "search"]

    since = dt.datetime.now(dt.UTC).isoformat()
    with open_store(db) as store:
        ingest([day2], store)
        last = store.last_event()
    changes = client.get("/api/changes", params={"since": since}).json()
    (story,) = [c for c in changes["items"] if c["follow"]["kind"] == "story"]
    assert story["articles"] and story["claims"] and story["updated_claims"]
    assert story["story"]["size"] > len(story["articles"])
    every = client.get("/api/changes", params={"since": since, "all": "true"}).json()["items"]
    assert len(every) >= 1 and all(c["follow"] is None for c in every)
    assert client.get("/api/changes", params={"since": "soon"}).status_code == 422
    events = client.get("/api/events", params={"after": 0, "limit": 1000}).json()
    assert events["last"] == last and [e["id"] for e in events["items"]] == list(range(1, last + 1))
    assert client.get("/api/events", params={"after": last}).json()["items"] == []
    assert client.delete(f"/api/follows/{made.json()['id']}").status_code == 204
    assert client.delete(f"/api/follows/{made.json()['id']}").status_code == 404


def test_changes_page_remembers_the_visit_and_badges_count_from_it(two_days):
    db, day2, sid = two_days
    client = TestClient(create_app(db), client=LOCAL)
    story = client.get(f"/stories/{sid}")
    assert 'data-kind="story"' in story.text and "متابَعة" not in story.text
    client.post("/api/follows", json={"kind": "story", "target": sid})
    assert "✓ متابَعة" in client.get(f"/stories/{sid}").text
    first = client.get("/changes")
    assert first.status_code == 200 and "marsad_seen" in first.cookies
    assert 'class="new"' not in client.get("/").text  # nothing since the visit
    with open_store(db) as store:
        ingest([day2], store)
        now = flood_story(store).id
    assert f'href="/stories/{now}">' in client.get("/").text
    listing = client.get("/").text
    assert listing.count('class="new"') >= 1
    page = client.get("/changes").text
    assert "مقال:" in page and "ادعاء جديد" in page and now in page
    assert 'class="new"' not in client.get("/").text  # seen now
    assert client.get("/changes", params={"since": "غدا"}).status_code == 400
    assert 'class="new"' in client.get("/", params={"new_since": "1d"}).text
