"""Connect, statement, lock and idle-in-transaction timeouts: set on every connection, per kind of work."""

from __future__ import annotations

import pytest
from django.db import connections

from gorodok_platform.dbtimeouts import database_options


def _shown(connection, *names: str) -> list[str]:
    with connection.cursor() as cursor:
        values = []
        for name in names:
            cursor.execute(f"SHOW {name}")
            values.append(cursor.fetchone()[0])
        return values


@pytest.mark.django_db
def test_a_request_connection_has_short_timeouts(settings):
    fresh = connections.create_connection("default")
    try:
        assert _shown(fresh, "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout") == [
            "15s", "10s", "1min"]
    finally:
        fresh.close()
    assert settings.DATABASES["default"]["OPTIONS"]["connect_timeout"] == settings.DATABASE_CONNECT_TIMEOUT == 5


def test_jobs_and_the_upgrader_get_longer_ones_and_other_options_stay():
    timeouts = {"request": {"statement": 30, "lock": 10, "idle_in_transaction": 60},
                "job": {"statement": 600, "lock": 60, "idle_in_transaction": 300},
                "upgrade": {"statement": 0, "lock": 0, "idle_in_transaction": 0}}
    existing = {"options": "-c search_path=public -c statement_timeout=1", "sslmode": "prefer"}
    request = database_options("request", connect_timeout=5, timeouts=timeouts, existing=existing)
    assert request["options"] == ("-c search_path=public -c statement_timeout=30000 -c lock_timeout=10000 "
                                  "-c idle_in_transaction_session_timeout=60000")
    assert request["sslmode"] == "prefer" and request["connect_timeout"] == 5
    job = database_options("job", connect_timeout=5, timeouts=timeouts, existing=request)
    assert job["options"] == ("-c search_path=public -c statement_timeout=600000 -c lock_timeout=60000 "
                              "-c idle_in_transaction_session_timeout=300000")
    upgrade = database_options("upgrade", connect_timeout=5, timeouts=timeouts, existing=job)
    assert "statement_timeout=0 " in upgrade["options"] and "lock_timeout=0 " in upgrade["options"]


def test_long_running_commands_switch_to_their_kind_from_the_command_line():
    from django.core.management import load_command_class

    kinds = {name: load_command_class(app, name).database_work for app, name in (
        ("gorodok_platform.jobs", "worker"), ("gorodok_platform.jobs", "scheduler"),
        ("gorodok_tenants", "upgrade"), ("gorodok_tenants", "municipality_archive"),
        ("gorodok_tenants", "municipality_restore"), ("gorodok_tenants", "municipality_export"))}
    assert kinds == {"worker": "job", "scheduler": "job", "upgrade": "upgrade", "municipality_archive": "upgrade",
                     "municipality_restore": "upgrade", "municipality_export": "upgrade"}
