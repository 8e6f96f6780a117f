"""A release checks that the image's PostgreSQL client is not older than the server (``check --database``)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from gorodok_tenants.provisioning import schemas as schema_provisioning
from gorodok_tenants.provisioning.pgtools import check_pg_tools, server_major


def _fake_client(tmp_path, major):
    for name in ("pg_dump", "psql"):
        program = tmp_path / name
        program.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {major}.1'\n")
        program.chmod(0o755)
    return tmp_path / "pg_dump"


def test_the_installed_client_passes(db):
    assert check_pg_tools(databases=["default"]) == []
    call_command("check", databases=["default"])


def test_an_older_client_than_the_server_fails_the_release_check(db, settings, tmp_path, monkeypatch):
    monkeypatch.setattr(schema_provisioning, "_pg_dump_choice", {})
    settings.GORODOK_PG_DUMP = str(_fake_client(tmp_path, server_major() - 1))
    errors = check_pg_tools(databases=["default"])
    assert [error.id for error in errors] == ["gorodok_tenants.E003", "gorodok_tenants.E003"]
    assert f"older than the PostgreSQL {server_major()} server" in errors[0].msg
    with pytest.raises(SystemCheckError, match="pg_dump"):
        call_command("check", databases=["default"])


def test_a_missing_client_fails_the_release_check(db, settings, tmp_path):
    settings.GORODOK_PG_DUMP = str(tmp_path / "nowhere" / "pg_dump")
    errors = check_pg_tools(databases=["default"])
    assert [error.id for error in errors] == ["gorodok_tenants.E001"]


def test_checks_without_a_database_do_not_connect():
    assert check_pg_tools(databases=None) == []
