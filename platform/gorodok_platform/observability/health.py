"""Liveness and readiness probes."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from gorodok_platform.jobs.broker import broker_reachable


def database_reachable() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:
        return False, type(exc).__name__


def readiness() -> tuple[bool, dict[str, str]]:
    db_ok, db_detail = database_reachable()
    if settings.BROKER_URL:
        broker_ok, broker_detail = broker_reachable(settings.BROKER_URL)
    else:
        broker_ok, broker_detail = True, "in-process"
    return db_ok and broker_ok, {"database": db_detail, "broker": broker_detail}
