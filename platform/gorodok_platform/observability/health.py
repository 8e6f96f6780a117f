"""Liveness and readiness probes."""

from __future__ import annotations

import structlog
from django.conf import settings
from django.db import connection

from gorodok_platform.jobs.broker import broker_reachable

PROBE_TIMEOUT_SECONDS = 2
_log = structlog.get_logger(__name__)


def database_reachable() -> tuple[bool, str]:
    """A fresh connection with a short connect timeout: a frozen server fails the probe in seconds,
    even when the process's own connection (kept between requests) would hang on it."""
    from django.db import connections

    probe = connections.create_connection(connection.alias)
    probe.settings_dict = {**probe.settings_dict,
                           "OPTIONS": {**probe.settings_dict.get("OPTIONS", {}),
                                       "connect_timeout": PROBE_TIMEOUT_SECONDS}}
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:
        return False, type(exc).__name__
    finally:
        probe.close()


def readiness() -> tuple[bool, dict[str, str]]:
    """Ready means the database answers. The broker is reported (and logged) but never takes a pod out of
    service: while it is down, writes keep their jobs in the database and the scheduler sends them later."""
    db_ok, db_detail = database_reachable()
    if settings.BROKER_URL:
        broker_ok, broker_detail = broker_reachable(settings.BROKER_URL)
        if not broker_ok:
            _log.warning("readiness: the broker is unreachable; serving on, jobs wait in the database",
                         broker=broker_detail)
    else:
        broker_detail = "in-process"
    return db_ok, {"database": db_detail, "broker": broker_detail}
