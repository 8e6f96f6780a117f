"""A request never waits on the database for longer than ``DATABASE_REQUEST_DEADLINE`` seconds.

The statement timeout is enforced by the server: a server that is frozen (stopped, a stuck VM, a
network black hole) never enforces it, and a request on a connection opened before the freeze would
wait until gunicorn kills the worker. This middleware (the outermost after the probes) sets a
deadline per request; one watchdog thread per process looks twice a second, and past a request's
deadline, if its connection is still waiting for a query's answer, shuts the connection's socket down.
psycopg then fails the query at once ("server closed the connection"), the connection is thrown away,
and the request answers the JSON 503 of ``observability.errors``. Nothing is cut on a healthy server:
the deadline is longer than the statement timeout, which the server enforces first. Registering a
request costs a few microseconds.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("gorodok.db")


def cut_waiting_connections(wrappers, seconds: float) -> int:
    """Shut down the socket of each connection that is waiting for a query's answer; returns how many."""
    from psycopg import pq

    cut = 0
    for wrapper in wrappers:
        conn = getattr(wrapper, "connection", None)
        if conn is None:
            continue
        try:
            pgconn = conn.pgconn
            if pgconn.transaction_status != pq.TransactionStatus.ACTIVE:
                continue  # not inside a query: nothing is waiting on the server
            duplicate = socket.socket(fileno=os.dup(pgconn.socket))
            try:
                duplicate.shutdown(socket.SHUT_RDWR)
            finally:
                duplicate.close()
            cut += 1
        except Exception:  # the connection closed meanwhile: nothing to cut
            logger.debug("could not cut a database connection", exc_info=True)
    if cut:
        logger.error("a request waited %s s on the database: its connection was cut", seconds)
    return cut


class _Watchdog:
    """One daemon thread for the whole process: requests register their deadline (a dictionary entry,
    no thread per request); it looks twice a second for requests past theirs."""

    interval = 0.5

    def __init__(self):
        self._lock = threading.Lock()
        self._watched: dict[int, tuple[float, list, float]] = {}
        self._thread: threading.Thread | None = None

    def watch(self, seconds: float) -> int:
        key = threading.get_ident()
        wrappers = [connections[alias] for alias in connections]  # this thread's connections
        with self._lock:
            self._watched[key] = (time.monotonic() + seconds, wrappers, seconds)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="gorodok-db-deadline", daemon=True)
                self._thread.start()
        return key

    def unwatch(self, key: int) -> None:
        with self._lock:
            self._watched.pop(key, None)

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            now = time.monotonic()
            with self._lock:
                due = [(key, entry) for key, entry in self._watched.items() if entry[0] <= now]
                for key, _entry in due:
                    self._watched.pop(key, None)  # cut once; the request ends soon after
            for _key, (_deadline, wrappers, seconds) in due:
                cut_waiting_connections(wrappers, seconds)


watchdog = _Watchdog()


class DatabaseDeadlineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = float(getattr(settings, "DATABASE_REQUEST_DEADLINE", 0) or 0)
        if seconds <= 0:
            return self.get_response(request)
        key = watchdog.watch(seconds)
        try:
            return self.get_response(request)
        finally:
            watchdog.unwatch(key)
