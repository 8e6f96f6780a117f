"""A municipality's schema stands on its own: no table of it references a table of another schema (the
public one included), so a schema can be exported, restored, moved or distributed (Citus schema-based
sharding) whole, and no constraint can tie one municipality's rows to the region's or another's."""

from __future__ import annotations

from django.db import connection


def test_no_tenant_table_references_another_schema(alpha):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname, src.relname, dst_ns.nspname, dst.relname
            FROM pg_constraint c
            JOIN pg_class src ON src.oid = c.conrelid
            JOIN pg_namespace src_ns ON src_ns.oid = src.relnamespace
            JOIN pg_class dst ON dst.oid = c.confrelid
            JOIN pg_namespace dst_ns ON dst_ns.oid = dst.relnamespace
            WHERE c.contype = 'f' AND src_ns.nspname = %s AND dst_ns.nspname <> src_ns.nspname
            """,
            [alpha.schema_name],
        )
        crossing = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FROM pg_constraint c JOIN pg_class src ON src.oid = c.conrelid "
            "JOIN pg_namespace n ON n.oid = src.relnamespace WHERE c.contype = 'f' AND n.nspname = %s",
            [alpha.schema_name])
        inside = cursor.fetchone()[0]
    assert inside > 20  # the schema's own foreign keys are there (the query looks where it should)
    assert crossing == []


def test_no_tenant_view_or_function_names_another_schema(alpha):
    """Views and functions of a municipality's schema read only their own schema's tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT v.relname, dep_ns.nspname
            FROM pg_class v
            JOIN pg_namespace v_ns ON v_ns.oid = v.relnamespace
            JOIN pg_rewrite r ON r.ev_class = v.oid
            JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass
            JOIN pg_class dep ON dep.oid = d.refobjid
            JOIN pg_namespace dep_ns ON dep_ns.oid = dep.relnamespace
            WHERE v.relkind IN ('v', 'm') AND v_ns.nspname = %s AND dep_ns.nspname NOT IN (%s, 'pg_catalog')
            """,
            [alpha.schema_name, alpha.schema_name],
        )
        assert cursor.fetchall() == []
