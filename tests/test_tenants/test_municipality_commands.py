"""The management-command base: --schema (repeatable), --all, --dry-run, one handler per municipality."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _call(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def test_schema_is_repeatable_and_each_runs_in_its_own_schema(alpha, beta):
    out = _call("appeals_sweep", "--schema", alpha.schema_name, "--schema", beta.schema_name)
    assert f"{alpha.schema_name}: flagged" in out and f"{beta.schema_name}: flagged" in out


def test_dry_run_lists_the_municipalities_and_runs_nothing(alpha, beta, monkeypatch):
    from gorodok_services.appeals.management.commands import appeals_sweep

    monkeypatch.setattr(appeals_sweep, "appeals_sweep", lambda: pytest.fail("a dry run must not sweep"))
    out = _call("appeals_sweep", "--all", "--dry-run")
    assert "Dry run: would run in" in out
    assert alpha.schema_name in out and beta.schema_name in out


def test_schema_and_all_together_or_neither_are_refused(alpha):
    with pytest.raises(CommandError, match="not both"):
        _call("appeals_sweep", "--all", "--schema", alpha.schema_name)
    with pytest.raises(CommandError, match="--schema SCHEMA"):
        _call("seed_demo_appeals")
    with pytest.raises(CommandError, match="No municipality"):
        _call("appeals_retention", "--schema", "m_nowhere")


def test_one_municipality_failing_does_not_stop_the_others(alpha, beta, monkeypatch):
    from django.db import connection

    from gorodok_services.appeals.management.commands import appeals_sweep
    from gorodok_services.appeals.sweep import appeals_sweep as real_sweep

    def sweep():
        if connection.schema_name == alpha.schema_name:
            raise RuntimeError("alpha is broken")
        return real_sweep()

    monkeypatch.setattr(appeals_sweep, "appeals_sweep", sweep)
    out = StringIO()
    with pytest.raises(CommandError, match="Failed in 1 of 2"):
        call_command("appeals_sweep", "--schema", alpha.schema_name, "--schema", beta.schema_name,
                     stdout=out, stderr=out)
    assert "alpha is broken" in out.getvalue()
    assert f"{beta.schema_name}: flagged" in out.getvalue()


def test_commands_share_the_base_instead_of_each_other():
    from gorodok_services.appeals.management.commands import appeals_retention, appeals_sweep, seed_demo_appeals
    from gorodok_tenants.commands import MunicipalityCommand

    for module in (appeals_sweep, appeals_retention, seed_demo_appeals):
        assert issubclass(module.Command, MunicipalityCommand)
    assert not hasattr(appeals_sweep, "municipalities_for")
