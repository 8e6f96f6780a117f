"""The schema version: which migrations a municipality's schema has, as one short comparable label."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.db import connection
from django.db.migrations.loader import MigrationLoader


def _label(migrations: set[tuple[str, str]]) -> str:
    digest = hashlib.sha256("\n".join(f"{a}.{n}" for a, n in sorted(migrations)).encode()).hexdigest()
    return f"{len(migrations)}-{digest[:12]}"


@lru_cache(maxsize=1)
def code_schema_version() -> str:
    """The version every schema reaches once all of this release's migrations are applied."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    return _label(set(loader.graph.nodes))


def applied_schema_version(schema_name: str) -> str:
    """The version recorded in a schema's django_migrations table."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT app, name FROM "{schema_name}".django_migrations'  # noqa: S608 - a schema name from our table
        )
        return _label({(app, name) for app, name in cursor.fetchall()})
