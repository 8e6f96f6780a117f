"""Citus schema-based sharding: what Gorodok does differently when the database has the extension.

With Citus 12+, each municipality's schema can be a distributed schema (all its tables on one node,
moved as a unit) while the public schema stays on the coordinator. Gorodok creates schemas by replaying
``pg_dump`` DDL, which writes identity columns as ``ALTER TABLE ... ADD GENERATED ... AS IDENTITY``;
Citus refuses that statement inside a distributed schema. So a schema is created (fast provisioning,
the spare pool, an archive's restore) with schema-based sharding off for that transaction, and
distributed afterwards with ``citus_schema_distribute``. Without the extension nothing changes.

Exercised here: detection and the statements' text (no Citus on the development machine); the
runbook (deploy/runbooks/scale-out.md) says what was not."""

from __future__ import annotations

from django.db import connections

SHARDING_OFF = "SET LOCAL citus.enable_schema_based_sharding TO off"


def citus_installed(using: str = "default") -> bool:
    """Whether the database has the Citus extension (asked once per connection)."""
    connection = connections[using]
    cached = getattr(connection, "_gorodok_citus", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')")
            cached = bool(cursor.fetchone()[0])
        connection._gorodok_citus = cached
    return cached


def distribute_schema(cursor, schema_name: str) -> None:
    """Make a schema just created (in this transaction) a distributed schema."""
    cursor.execute("SELECT pg_catalog.citus_schema_distribute(%s)", [schema_name])


def psql_commands(schema_name: str, *, citus: bool) -> tuple[list[str], list[str]]:
    """``psql --command`` arguments to put before and after loading a schema's dump (a restore)."""
    if not citus:
        return [], []
    return ([f"--command={SHARDING_OFF}"],
            [f"--command=SELECT pg_catalog.citus_schema_distribute('{schema_name}')"])  # a checked schema name
