"""A webhook receiver: an HTTP server on 127.0.0.1 that records what Gorodok POSTs to it."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers with the planned status
    (``plan[path]``: statuses to give in turn; ``failing``: paths that answer 500; else 200)."""

    def __init__(self):
        receiver = self
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.plan: dict[str, list[int]] = {}
        self.failing: set[str] = set()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = min(int(self.headers.get("Content-Length") or 0), 1_000_000)
                body = self.rfile.read(length)
                with receiver.lock:
                    planned = receiver.plan.get(self.path)
                    status = planned.pop(0) if planned else (500 if self.path in receiver.failing else 200)
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body, status,
                                                      time.monotonic()))
                reply = b"ok" if status < 300 else b"not now " * 200
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]
