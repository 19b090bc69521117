"""Alerts: the follow event log delivered to webhooks (HTTP POST of JSON) and JSON Lines files.

Delivery reads the log and never writes it, so it never holds up an ingest: it runs after
one (`marsad alerts deliver`), or in a background thread of `marsad serve`. Each sink keeps
its cursor (the last event id it took) as a store row; a sink that fails is retried with
doubling waits, and after the last retry the round ends with its cursor where it was, so
the next round starts from the first undelivered event: a failing webhook loses nothing.
Delivery is at least once (a crash between a POST and its cursor write sends that batch
again): consumers drop event ids they have seen.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from marsad.store import Store, open_store


@dataclass(frozen=True)
class AlertsConfig:
    """`webhooks`: URLs each batch of events is POSTed to; `jsonl`: a file events are
    appended to, one JSON object a line. `batch`: events per POST. `retries`: attempts after
    the first failed one in a round, `backoff` seconds before the first retry (doubling).
    `interval`: seconds between delivery rounds in `marsad serve`."""

    webhooks: tuple[str, ...] = ()
    jsonl: str | None = None
    batch: int = 100
    retries: int = 3
    backoff: float = 1.0
    timeout: float = 10.0
    interval: float = 5.0

    def __post_init__(self) -> None:
        if isinstance(self.webhooks, str) or not all(isinstance(u, str) for u in self.webhooks):
            raise ValueError("webhooks must be a list of URLs")
        object.__setattr__(self, "webhooks", tuple(self.webhooks))  # TOML gives a list
        for url in self.webhooks:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"a webhook must be an http:// or https:// URL, not {url!r}")
        if self.batch < 1 or self.retries < 0:
            raise ValueError("batch must be at least 1 and retries at least 0")
        if min(self.backoff, self.timeout, self.interval) < 0:
            raise ValueError("backoff, timeout and interval must be at least 0")

    def sinks(self) -> list[Sink]:
        out: list[Sink] = [Webhook(url, self.timeout) for url in self.webhooks]
        return out + ([JsonLines(Path(self.jsonl))] if self.jsonl else [])


class Sink:
    """Where events go; `name` keys its cursor row."""

    name: str

    def send(self, events: list[dict]) -> None:
        """Deliver these events or raise."""
        raise NotImplementedError


class Webhook(Sink):
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url, self.timeout, self.name = url, timeout, f"webhook:{url}"

    def send(self, events: list[dict]) -> None:
        """One POST of {"events": [...]}; any 2xx answer is delivery."""
        body = json.dumps({"events": events}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "marsad"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            if not 200 <= response.status < 300:
                raise OSError(f"HTTP {response.status}")


class JsonLines(Sink):
    def __init__(self, path: Path) -> None:
        self.path, self.name = path, f"jsonl:{path}"

    def send(self, events: list[dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in events)


@dataclass
class Delivery:
    """What one round did for one sink."""

    sink: str
    delivered: int = 0
    cursor: int = 0
    error: str | None = None


def _reason(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    return f"{type(exc).__name__}: {exc}"


def deliver(
    store: Store, config: AlertsConfig, sleep: Callable[[float], object] = time.sleep
) -> list[Delivery]:
    """One round: every sink gets the events after its cursor, a batch at a time."""
    out = []
    for sink in config.sinks():
        cursor, failures, _ = store.alert_cursor(sink.name)
        done = Delivery(sink.name, cursor=cursor)
        while events := store.events(cursor, config.batch):
            error = _send(sink, [e.to_dict() for e in events], config, sleep)
            with store.transaction():
                if error is None:
                    cursor, failures = events[-1].id, 0
                    done.delivered += len(events)
                else:
                    failures += 1
                store.alert_mark(sink.name, cursor, failures, error)
            done.cursor, done.error = cursor, error
            if error is not None:
                break
        out.append(done)
    return out


def _send(
    sink: Sink, events: list[dict], config: AlertsConfig, sleep: Callable[[float], object]
) -> str | None:
    """None when delivered, else the last attempt's reason."""
    reason = ""
    for attempt in range(config.retries + 1):
        if attempt:
            sleep(config.backoff * 2 ** (attempt - 1))
        try:
            sink.send(events)
            return None
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then reported
            reason = _reason(exc)
    return f"{sink.name}: {reason}"


def pending(store: Store, config: AlertsConfig) -> dict[str, dict]:
    """Each sink's cursor, failures in a row, last error and how many events wait."""
    last = store.last_event()
    out = {}
    for sink in config.sinks():
        cursor, failures, error = store.alert_cursor(sink.name)
        out[sink.name] = {"cursor": cursor, "waiting": last - cursor, "failures": failures,
                          "error": error}  # fmt: skip
    return out


class Deliverer:
    """Delivery rounds in a daemon thread with its own store connection (`marsad serve`):
    every `interval` seconds, and soon after `wake()` (an ingest recorded events)."""

    def __init__(self, db: str, config: AlertsConfig) -> None:
        self.db, self.config = db, config
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="marsad-alerts", daemon=True)
        self.last: list[Delivery] = []

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=self.config.timeout + 1)

    def _run(self) -> None:
        with open_store(self.db) as store:
            while not self._stop.is_set():
                try:
                    self.last = deliver(store, self.config, sleep=self._stop.wait)
                except Exception as exc:  # noqa: BLE001 - the thread lives on; next round retries
                    self.last = [Delivery("store", error=_reason(exc))]
                self._wake.wait(self.config.interval)
                self._wake.clear()
