"""Alert sinks: the [alerts] config, JSON Lines delivery resuming from its cursor, and the
delivery thread of `marsad serve`, which a stuck webhook never holds an ingest up for."""

from __future__ import annotations

import dataclasses
import json
import threading
import time

import pytest
from fastapi.testclient import TestClient
from webhook import Webhook

from marsad.alerts import AlertsConfig, deliver, pending
from marsad.api import create_app
from marsad.config import Config, ConfigError, load_config
from marsad.store import open_store

PAGE = {
    "text": "سيول جديدة في مرسى الزين\n\nغمرت السيول مجددا أحياء مرسى الزين القديمة صباح اليوم، "
    "وأعلن الدفاع المدني إجلاء عشرات الأسر من حي السواقي.",
    "outlet": "صدى المدائن",
    "published": "2025-11-18T10:00",
}


def test_alerts_table_of_the_config(tmp_path):
    path = tmp_path / "marsad.toml"
    path.write_text('[alerts]\nwebhooks = ["https://example.org/hook"]\njsonl = "ev.jsonl"\n'
                    "retries = 5\n", encoding="utf-8")  # fmt: skip
    alerts = load_config(path).alerts
    assert alerts.webhooks == ("https://example.org/hook",) and alerts.retries == 5
    assert [s.name for s in alerts.sinks()] == [
        "webhook:https://example.org/hook",
        "jsonl:ev.jsonl",
    ]
    for bad, said in (('webhooks = "https://x"', "list of URLs"), ('webhooks = ["ftp://x"]', "http"),
                      ("batch = 0", "batch"), ("backoff = -1", "backoff")):  # fmt: skip
        path.write_text(f"[alerts]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=said):
            load_config(path)


def test_jsonl_sink_resumes_after_its_cursor(store, tmp_path):
    with store.transaction():
        f, _ = store.follow_add("story", "s-1", {}, "a", [])
        store.add_events([(f.id, "article", "s-1", f"a-{i}", {}) for i in range(5)])
    feed = tmp_path / "out" / "events.jsonl"
    config = AlertsConfig(jsonl=str(feed), batch=2)
    assert pending(store, config)[f"jsonl:{feed}"]["waiting"] == 5
    (done,) = deliver(store, config)
    assert done.delivered == 5 and done.error is None
    with store.transaction():
        store.add_events([(f.id, "outlet", "s-1", "مرفأ نت", {"outlet": "مرفأ نت"})])
    assert deliver(store, config)[0].delivered == 1
    lines = [json.loads(x) for x in feed.read_text(encoding="utf-8").splitlines()]
    assert [e["id"] for e in lines] == list(range(1, 7)) and lines[-1]["outlet"] == "مرفأ نت"
    assert pending(store, config)[f"jsonl:{feed}"] == {"cursor": 6, "waiting": 0, "failures": 0,
                                                       "error": None}  # fmt: skip


def test_serve_delivers_in_a_thread_and_a_stuck_webhook_never_holds_ingest(store_url):
    hold = threading.Event()
    with Webhook(hold=hold) as hook:
        config = dataclasses.replace(Config(), alerts=AlertsConfig(webhooks=(hook.url,),
                                                                   interval=0.05))  # fmt: skip
        app = create_app(store_url, config=config)
        with TestClient(app, client=("127.0.0.1", 50000)) as client:  # runs the lifespan
            assert client.post("/api/pages", json=PAGE).status_code == 200
            sid = client.get("/api/stories").json()["items"][0]["id"]
            assert (
                client.post("/api/follows", json={"kind": "story", "target": sid}).status_code
                == 201
            )
            more = {
                **PAGE,
                "outlet": "مرفأ نت",
                "text": PAGE["text"] + " وتواصل فرق الإنقاذ عملها.",
            }
            start = time.monotonic()
            assert client.post("/api/pages", json=more).json()["new_pages"] == 1
            assert time.monotonic() - start < 20  # the webhook is still holding its answer
            assert hook.batches == []
            hold.set()
            assert hook.took.wait(30)
            told = [e for batch in hook.batches for e in batch]
            assert {e["kind"] for e in told} >= {"article", "outlet"}
            (now,) = client.get("/api/follows").json()["items"][0]["stories"]  # maybe renamed
            assert all(e["story_id"] == now for e in told)
    with open_store(store_url) as store:
        assert store.alert_cursor(f"webhook:{hook.url}")[0] == told[-1]["id"]
