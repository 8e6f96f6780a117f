"""The throwaway database every benchmark measures in: created at the start, dropped at the end, on
the same server the tests use (DATABASE_URL, else 127.0.0.1:5432, else the embedded one)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
SOURCE_ROOTS = ("platform", "tenants", "services", "graphql")


def add_source_roots() -> None:
    """The four source roots, and the repository root (for ``tests.benchmarks.*`` settings)."""
    for source_root in (*SOURCE_ROOTS, ""):
        path = str(ROOT / source_root)
        if path not in sys.path:
            sys.path.insert(0, path)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def point_django_at(name: str, settings_module: str = "gorodok_platform.settings") -> tuple[str, str]:
    """Point Django at database ``name``; return (its URL, a maintenance URL on the same server)."""
    add_source_roots()
    os.environ.setdefault("GORODOK_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    from gorodok_platform.devdb import resolve_database_url

    base = resolve_database_url(os.environ["GORODOK_ENV"])
    bench = with_database(base, name)
    os.environ["DATABASE_URL"] = bench
    return bench, with_database(base, "postgres")


def recreate_database(maintenance_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')
