"""Citus schema-based sharding: the project's schemas hold nothing a distributed schema refuses, and the
provisioning and restore paths know what to do when the extension is there (no Citus on this machine:
its absence is detected and nothing changes)."""

from __future__ import annotations

from django.core.management import call_command

from gorodok_tenants.provisioning import citus
from gorodok_tenants.upgrades.lint import citus_problems


def test_no_tenant_table_or_migration_would_break_a_distributed_schema():
    assert citus_problems() == []


def test_upgrade_lint_reports_the_citus_check(capsys, db):
    call_command("upgrade", "lint")
    assert "Citus-incompatible: 0" in capsys.readouterr().out


def test_without_the_extension_nothing_changes(db):
    assert citus.citus_installed() is False
    assert citus.psql_commands("m_alpha", citus=False) == ([], [])


def test_with_the_extension_a_restore_loads_undistributed_then_distributes():
    before, after = citus.psql_commands("m_alpha", citus=True)
    assert before == ["--command=SET LOCAL citus.enable_schema_based_sharding TO off"]
    assert after == ["--command=SELECT pg_catalog.citus_schema_distribute('m_alpha')"]
