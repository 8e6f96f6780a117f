"""A request never waits on the database for longer than ``DATABASE_REQUEST_DEADLINE`` seconds.

The statement timeout is enforced by the server: a server that is frozen (stopped, a stuck VM, a
network black hole) never enforces it, and a request on a connection opened before the freeze would
wait until gunicorn kills the worker. This middleware (the outermost after the probes) arms a timer
per request; if it fires while the request's connection is still waiting for a query's answer, it
shuts the connection's socket down. psycopg then fails the query at once ("server closed the
connection"), the connection is thrown away, and the request answers the JSON 503 of
``observability.errors``. Nothing is cut on a healthy server: the deadline is longer than the
statement timeout, which the server enforces first.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

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


class DatabaseDeadlineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = float(getattr(settings, "DATABASE_REQUEST_DEADLINE", 0) or 0)
        if seconds <= 0:
            return self.get_response(request)
        wrappers = [connections[alias] for alias in connections]  # this thread's connections
        timer = threading.Timer(seconds, cut_waiting_connections, args=(wrappers, seconds))
        timer.daemon = True
        timer.start()
        try:
            return self.get_response(request)
        finally:
            timer.cancel()
