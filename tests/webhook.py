"""A local webhook receiver for alert tests: answers 500 to its first `fail` POSTs, then 200,
and keeps every batch of events it took; with `hold`, each answer waits until it is set."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Webhook:
    def __init__(self, fail: int = 0, hold: threading.Event | None = None) -> None:
        self.fail, self.failed, self.batches = fail, 0, []
        self.took = threading.Event()  # set on each delivered batch
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server protocol
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hold is not None:
                    hold.wait(30)
                if hook.failed < hook.fail:
                    hook.failed += 1
                    self.send_response(500)
                else:
                    hook.batches.append(json.loads(body)["events"])
                    hook.took.set()
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Webhook:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
