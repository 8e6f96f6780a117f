"""A first installation goes through the upgrader too: `upgrade run --bootstrap` creates the public schema
inside the run's lock; without the flag an empty database is refused with a clear message; passed again
on the next release, the flag changes nothing. Run as the release pipeline runs it, on a database of its
own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlunsplit

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _url(name: str) -> str:
    settings = connection.settings_dict
    netloc = f"{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    if settings.get("PASSWORD"):
        netloc = f"{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT'] or 5432}"
    return urlunsplit(("postgres", netloc, "/" + name, "", ""))


@pytest.fixture
def empty_database(db):
    name = f"test_gorodok_bootstrap_{uuid.uuid4().hex[:8]}"
    maintenance = _url("postgres")
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url(name)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _upgrade(url: str, *flags: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "GORODOK_ENV": "test"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "manage.py", "upgrade", "run", "--no-progress", *flags], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600, check=False)


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {row[0] for row in rows}


def test_a_first_installation_is_bootstrapped_by_the_upgrader(empty_database):
    refused = _upgrade(empty_database)
    assert refused.returncode != 0
    assert "--bootstrap" in refused.stderr + refused.stdout
    assert "Traceback" not in refused.stderr
    assert not _tables(empty_database)

    installed = _upgrade(empty_database, "--bootstrap")
    assert installed.returncode == 0, installed.stderr[-3000:]
    tables = _tables(empty_database)
    assert {"gorodok_tenants_municipality", "gorodok_tenants_upgraderun", "django_migrations"} <= tables

    again = _upgrade(empty_database, "--bootstrap")  # the next release passes the flag again
    assert again.returncode == 0, again.stderr[-3000:]
    assert "nothing to do" in again.stdout
    assert _tables(empty_database) == tables
