"""Which schemas have work waiting, asked of the database in one query instead of one job each.

A periodic fan-out that sends a message to every municipality grows with the number of
municipalities, not with what they do: with a thousand of them and ten active, 99% of the messages
(and of the workers' database time) find nothing to do. ``schemas_matching`` asks every schema at
once: one statement of ``UNION ALL`` branches, each an index probe with ``LIMIT 1`` into the same
table of one schema, answered with the names of the schemas where a row matches. Schemas that do not
have the table (yet) are left out first, from the catalogue, so a schema being built never breaks it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from psycopg import sql

# Statements stay well below the parser's comfort zone; each chunk is one round trip.
CHUNK = 500


def schemas_with_table(schemas: Iterable[str], table: str) -> list[str]:
    """Those of ``schemas`` that have ``table``, in the order given."""
    wanted = list(dict.fromkeys(schemas))
    if not wanted:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "WHERE c.relname = %s AND c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)",
            [table, wanted])
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in wanted if name in present]


def schemas_matching(schemas: Iterable[str], table: str, condition: str, params: Sequence = ()) -> list[str]:
    """Those of ``schemas`` whose ``table`` has at least one row where ``condition`` holds.

    ``condition`` is SQL written by the caller (never user input), with ``%s`` placeholders filled from
    ``params`` in every branch; it should be answerable from an index (e.g. ``dispatched_at IS NULL``)."""
    present = schemas_with_table(schemas, table)
    found: list[str] = []
    for start in range(0, len(present), CHUNK):
        chunk = present[start:start + CHUNK]
        branches = [
            sql.SQL("(SELECT {name} FROM {table} WHERE {condition} LIMIT 1)").format(
                name=sql.Literal(name), table=sql.Identifier(name, table), condition=sql.SQL(condition))
            for name in chunk
        ]
        statement = sql.SQL(" UNION ALL ").join(branches)
        with connection.cursor() as cursor:
            cursor.execute(statement.as_string(cursor.cursor), list(params) * len(chunk))
            found.extend(row[0] for row in cursor.fetchall())
    return found
