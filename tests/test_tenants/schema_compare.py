"""Comparing two schemas: everything that makes one up, with its own name replaced by <schema>.

Shared by the provisioning tests (a fast schema against a migrated one) and the pool tests (a taken
spare against a migrated one).
"""

from __future__ import annotations

import re

from django.db import connection


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _normalise(value, schema: str):
    if isinstance(value, str):
        return re.sub(rf'(?<![\w$])"?{re.escape(schema)}"?(?=\.)', "<schema>", value)
    if isinstance(value, (list, tuple)):
        return type(value)(_normalise(item, schema) for item in value)
    return value


def snapshot(schema: str) -> dict[str, list[tuple]]:
    """Everything that makes up a schema, with its own name replaced by <schema>."""
    connection.set_schema_to_public()
    parts = {
        "relations": rows(
            """SELECT c.relname, c.relkind, c.relpersistence, c.reloptions, c.reltoastrelid <> 0,
                      obj_description(c.oid, 'pg_class')
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %s ORDER BY c.relname""", [schema]),
        # Column order, not attnum: a migration that dropped a column leaves a hole in the migrated
        # table's attribute numbers (as after any pg_dump and restore, the fast schema has none).
        "columns": rows(
            """SELECT table_name, column_name,
                      row_number() OVER (PARTITION BY table_name ORDER BY ordinal_position),
                      data_type, udt_schema, udt_name,
                      character_maximum_length, numeric_precision, numeric_scale, datetime_precision,
                      is_nullable, column_default, is_identity, identity_generation, identity_start,
                      identity_increment, identity_maximum, identity_minimum, identity_cycle, is_generated,
                      generation_expression, collation_name
                 FROM information_schema.columns WHERE table_schema = %s
                ORDER BY table_name, ordinal_position""", [schema]),
        "column_comments": rows(
            """SELECT c.relname, a.attname, col_description(c.oid, a.attnum)
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %s AND a.attnum > 0 AND col_description(c.oid, a.attnum) IS NOT NULL
                ORDER BY 1, 2""", [schema]),
        "indexes": rows(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s ORDER BY 1, 2",
            [schema]),
        "constraints": rows(
            """SELECT t.relname, c.conname, c.contype, c.condeferrable, c.condeferred, c.convalidated,
                      pg_get_constraintdef(c.oid)
                 FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
                 JOIN pg_namespace n ON n.oid = c.connamespace
                WHERE n.nspname = %s ORDER BY 1, 2""", [schema]),
        "sequences": rows(
            """SELECT sequencename, data_type::text, start_value, min_value, max_value, increment_by, cycle,
                      cache_size, last_value
                 FROM pg_sequences WHERE schemaname = %s ORDER BY 1""", [schema]),
        "sequence_owners": rows(
            """SELECT s.relname, t.relname, a.attname, d.deptype
                 FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
                 JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
                                 AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
                 JOIN pg_class t ON t.oid = d.refobjid
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
                WHERE n.nspname = %s AND s.relkind = 'S' ORDER BY 1""", [schema]),
        "functions": rows(
            """SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p
                 JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s ORDER BY 1""", [schema]),
        "triggers": rows(
            """SELECT c.relname, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid)
                 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %s AND NOT t.tgisinternal ORDER BY 1, 2""", [schema]),
        "migrations": rows(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY 1, 2'),
        "content_types": rows(f'SELECT id, app_label, model FROM "{schema}".django_content_type ORDER BY id'),
        "permissions": rows(
            f'SELECT id, content_type_id, codename, name FROM "{schema}".auth_permission ORDER BY id'),
        "groups": rows(f'SELECT id, name FROM "{schema}".auth_group ORDER BY id'),
        "group_permissions": rows(
            f'SELECT group_id, permission_id FROM "{schema}".auth_group_permissions ORDER BY 1, 2'),
    }
    return {name: _normalise(rows, schema) for name, rows in parts.items()}
