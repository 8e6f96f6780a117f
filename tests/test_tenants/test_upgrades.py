"""The upgrader against the real database: plan, run, failure isolation, retry, kill -9, exclusivity,
maintenance answers and release notes.

A release is simulated by extra migrations for the appeals app (tests/test_tenants/releases.py). The
municipalities these tests upgrade are created once for the module, committed (runs use their own
connections and processes), and every run is limited to them with --only, so the session's
municipalities are never touched. Everything is reset between tests and dropped at the end.
"""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import quote_schema_name, schema_context

from gorodok_tenants.models import (
    Municipality,
    ReleaseNote,
    UpgradeRun,
    UpgradeRunStatus,
    UpgradeTenantState,
    UpgradeTenantStatus,
)
from gorodok_tenants.provisioning.municipalities import (
    MunicipalitySpec,
    host_for,
    municipality_admin_create,
    municipality_create,
)
from gorodok_tenants.routing import forget_hosts
from gorodok_tenants.upgrades import maintenance
from gorodok_tenants.upgrades.planner import plan_upgrade
from tests.conftest import ADMIN_PASSWORD, login
from tests.test_tenants.releases import DRIVER, ROOT, make_release

SLUGS = ("upg-a", "upg-b", "upg-c", "upg-d")
SCHEMAS = tuple("m_" + slug.replace("-", "_") for slug in SLUGS)
APP = "appeals"

# 9001 creates a table, 9002 fills it: a schema is half-migrated if it has 9001 without 9002.
RELEASE = {
    "9001_upgrade_probe": """
        from django.db import migrations

        class Migration(migrations.Migration):
            dependencies = [("{app}", "{previous}")]
            operations = [migrations.RunSQL("CREATE TABLE upgrade_probe (id integer PRIMARY KEY, note text)",
                                            "DROP TABLE upgrade_probe")]
    """,
    "9002_upgrade_data": """
        import os

        from django.db import migrations


        def forwards(apps, schema_editor):
            schema = schema_editor.connection.schema_name
            with schema_editor.connection.cursor() as cursor:
                if schema == os.environ.get("GORODOK_TEST_SLEEP_SCHEMA"):
                    cursor.execute("SELECT pg_sleep(60) /* upgrade-test-sleep */")
                if schema in os.environ.get("GORODOK_TEST_FAIL_SCHEMAS", "").split(","):
                    raise ValueError(f"bad data in {schema}")
                cursor.execute("INSERT INTO upgrade_probe VALUES (1, 'migrated')")

        class Migration(migrations.Migration):
            dependencies = [("{app}", "{previous}")]
            operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
    """,
}
RELEASE_KEYS = {(APP, name) for name in RELEASE}


def _database_url() -> str:
    settings_dict = connection.settings_dict
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return (f"postgres://{user}{password}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
            f"/{settings_dict['NAME']}")


def _records(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {quote_schema_name(schema)}.django_migrations "
                       "WHERE app = %s AND name LIKE '9%%'", [APP])
        return set(cursor.fetchall())


def _has_probe(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_catalog.to_regclass(%s) IS NOT NULL", [f"{quote_schema_name(schema)}.upgrade_probe"])
        return cursor.fetchone()[0]


def _at_target(schema: str) -> bool:
    """Fully migrated (records and table with its row) — the only other allowed state is untouched."""
    if _records(schema) != RELEASE_KEYS or not _has_probe(schema):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {quote_schema_name(schema)}.upgrade_probe")
        return cursor.fetchone()[0] == 1


def _untouched(schema: str) -> bool:
    return _records(schema) == set() and not _has_probe(schema)


def _reset() -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for schema in (*SCHEMAS, "public"):
            cursor.execute(f"DROP TABLE IF EXISTS {quote_schema_name(schema)}.upgrade_probe")
            cursor.execute(f"DELETE FROM {quote_schema_name(schema)}.django_migrations "
                           "WHERE app = %s AND name LIKE '9%%'", [APP])
    UpgradeRun.objects.all().delete()
    ReleaseNote.objects.all().delete()
    Municipality.objects.filter(slug__in=SLUGS).update(maintenance_since=None, maintenance_message="",
                                                       upgrade_canary=False)
    forget_hosts(*(host_for(slug) for slug in SLUGS))


@pytest.fixture(scope="module")
def towns(django_db_setup, django_db_blocker):
    """Four committed municipalities (an administrator each), dropped at the end of the module."""
    with django_db_blocker.unblock():
        created = []
        try:
            for index, slug in enumerate(SLUGS):
                municipality = Municipality.objects.filter(slug=slug).first() or municipality_create(
                    spec=MunicipalitySpec(name=f"Город {slug}", name_en=slug, slug=slug, oktmo=f"9700000{index}"))
                created.append(municipality)
                municipality_admin_create(municipality=municipality, email=f"admin@{slug}.example.ru",
                                          password=ADMIN_PASSWORD)
            yield {m.slug: m for m in created}
        finally:
            connection.set_schema_to_public()
            _reset()
            for municipality in Municipality.objects.filter(slug__in=SLUGS):
                municipality.delete(force_drop=True)


@pytest.fixture
def release(towns, django_db_blocker, settings, tmp_path, monkeypatch):
    """The simulated release switched on (in this process and for subprocesses), on a clean slate."""
    monkeypatch.delenv("GORODOK_TEST_FAIL_SCHEMAS", raising=False)
    monkeypatch.delenv("GORODOK_TEST_SLEEP_SCHEMA", raising=False)
    with django_db_blocker.unblock():
        _reset()
        made = make_release(tmp_path, APP, RELEASE)
        settings.MIGRATION_MODULES = {**getattr(settings, "MIGRATION_MODULES", {}), APP: made.module}
        try:
            yield made
        finally:
            connection.set_schema_to_public()
            _reset()


def _upgrade(*args: str) -> str:
    out = io.StringIO()
    try:
        call_command("upgrade", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        raise CommandError(f"{error}\n{out.getvalue()}") from error
    return out.getvalue()


def _run(*extra: str, action: str = "run") -> str:
    return _upgrade(action, "--only", *SCHEMAS, "--no-progress", *extra)


def _spawn(made, *args: str, **environ: str) -> subprocess.Popen:
    env = made.environ(GORODOK_ENV="test", DATABASE_URL=_database_url(), **environ)
    return subprocess.Popen([sys.executable, "-c", DRIVER, "upgrade", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for_sleep(process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Until the subprocess's migration sleeps inside its transaction."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE application_name = "
                           "'gorodok-upgrade' AND query LIKE '%%upgrade-test-sleep%%' AND state = 'active'")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.2)
    raise AssertionError("the upgrade never reached the sleeping migration")


# --- plan -----------------------------------------------------------------------------------------


def test_plan_lists_the_pending_migrations_of_each_municipality(release):
    out = _upgrade("plan", "--only", *SCHEMAS)
    for schema in SCHEMAS:
        assert f"{schema} (" in out
        assert "2 pending: appeals.9001_upgrade_probe, appeals.9002_upgrade_data" in out
    assert "public: appeals.9001_upgrade_probe, appeals.9002_upgrade_data" in out

    data = json.loads(_upgrade("plan", "--json", "--only", *SCHEMAS))
    assert {row["schema"] for row in data["pending"]} == set(SCHEMAS)
    assert all(row["pending"] == ["appeals.9001_upgrade_probe", "appeals.9002_upgrade_data"]
               for row in data["pending"])


def test_check_fails_until_every_schema_is_upgraded(release):
    # Web and worker start behind this check: new code never serves a schema the upgrader has not reached.
    with pytest.raises(CommandError, match=r"not applied: public schema behind; 4 municipalities behind"):
        _upgrade("check", "--only", *SCHEMAS)
    _upgrade("run", "--only", SCHEMAS[0], "--no-progress")
    with pytest.raises(CommandError, match=r"public schema current; 3 municipalities behind"):
        _upgrade("check", "--only", *SCHEMAS)
    _run()
    assert "are current" in _upgrade("check", "--only", *SCHEMAS)


def test_plan_reads_every_schema_with_a_few_queries(release):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        plan = plan_upgrade(only=SCHEMAS)
    assert len(plan.pending_tenants) == len(SCHEMAS)
    assert len(queries) <= 8, [q["sql"][:120] for q in queries]


# --- run, failure isolation, retry, release notes ---------------------------------------------------


def test_a_failing_municipality_is_rolled_back_alone_and_retry_completes_it(release, monkeypatch, client, towns):
    failing = SCHEMAS[1]
    monkeypatch.setenv("GORODOK_TEST_FAIL_SCHEMAS", failing)
    with pytest.raises(CommandError, match="1 municipalities are not upgraded"):
        _run("--workers", "2")

    assert _untouched(failing), "the failed municipality must be rolled back entirely"
    for schema in SCHEMAS:
        if schema != failing:
            assert _at_target(schema)
    state = UpgradeTenantState.objects.get(schema_name=failing)
    assert state.status == UpgradeTenantStatus.FAILED
    assert "appeals.9002_upgrade_data" in state.error and f"ValueError: bad data in {failing}" in state.error
    assert state.attempts == 1
    broken = Municipality.objects.get(schema_name=failing)
    assert broken.maintenance_since is not None and broken.maintenance_message == maintenance.FAILED_MESSAGE
    assert Municipality.objects.filter(schema_name__in=SCHEMAS, maintenance_since__isnull=True).count() == 3
    run = UpgradeRun.objects.get()
    assert run.status == UpgradeRunStatus.DONE_WITH_FAILURES
    assert (run.municipalities_done, run.municipalities_failed) == (3, 1)

    # Its users and integrators get a clear answer, never the half-migrated schema.
    response = client.get("/graphql/", HTTP_HOST=host_for("upg-b"))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "MUNICIPALITY_UPGRADING"
    assert maintenance.FAILED_MESSAGE in response.json()["error"]["message"]

    # A plain run leaves the failed one alone; retry takes it up once the data is fixed.
    monkeypatch.delenv("GORODOK_TEST_FAIL_SCHEMAS")
    with pytest.raises(CommandError, match="failed earlier"):
        _run()
    assert _untouched(failing)
    out = _run(action="retry")
    assert "1 municipalities upgraded, 0 failed" in out
    assert all(_at_target(schema) for schema in SCHEMAS)
    state.refresh_from_db()
    assert (state.status, state.attempts, state.error) == (UpgradeTenantStatus.DONE, 2, "")
    assert not Municipality.objects.filter(schema_name__in=SCHEMAS, maintenance_since__isnull=False).exists()
    assert UpgradeRun.objects.get().status == UpgradeRunStatus.DONE
    assert "0 to upgrade" in _upgrade("plan", "--only", *SCHEMAS)
    assert "everything is current" in _run()


def test_release_notes_are_shown_once_to_an_administrator_after_the_upgrade(release, client, towns):
    assert "added for release" in _upgrade("note", "Appeals now have probes", "--body", "What changed.")
    assert ReleaseNote.objects.get().release == plan_upgrade(only=SCHEMAS).release
    login(client, host_for("upg-a"), "admin@upg-a.example.ru")
    before = client.get("/admin/", HTTP_HOST=host_for("upg-a"))
    assert before.status_code == 200 and "Appeals now have probes" not in before.content.decode()

    _run("--workers", "2")
    first = client.get("/admin/", HTTP_HOST=host_for("upg-a"))
    assert first.status_code == 200
    assert "Appeals now have probes" in first.content.decode()
    again = client.get("/admin/", HTTP_HOST=host_for("upg-a"))
    assert "Appeals now have probes" not in again.content.decode()


def test_a_canary_failure_halts_the_run_before_the_others(release, monkeypatch):
    Municipality.objects.filter(slug="upg-a").update(upgrade_canary=True)
    monkeypatch.setenv("GORODOK_TEST_FAIL_SCHEMAS", SCHEMAS[0])
    with pytest.raises(CommandError, match="canary"):
        _run()
    assert all(_untouched(schema) for schema in SCHEMAS)
    assert UpgradeRun.objects.get().status == UpgradeRunStatus.HALTED
    assert set(UpgradeTenantState.objects.values_list("schema_name", "status")) >= {
        (SCHEMAS[0], UpgradeTenantStatus.FAILED), (SCHEMAS[1], UpgradeTenantStatus.PENDING)}

    monkeypatch.delenv("GORODOK_TEST_FAIL_SCHEMAS")
    _run(action="retry")
    assert all(_at_target(schema) for schema in SCHEMAS)
    states = dict(UpgradeTenantState.objects.values_list("schema_name", "started_at"))
    assert all(states[SCHEMAS[0]] < states[schema] for schema in SCHEMAS[1:]), "the canary goes first"


def test_a_non_atomic_migration_is_refused_by_the_planner(towns, django_db_blocker, settings, tmp_path):
    with django_db_blocker.unblock():
        _reset()
        made = make_release(tmp_path, APP, {"9001_concurrently": """
            from django.db import migrations

            class Migration(migrations.Migration):
                atomic = False
                dependencies = [("{app}", "{previous}")]
                operations = [migrations.RunSQL("SELECT 1", migrations.RunSQL.noop)]
        """})
        settings.MIGRATION_MODULES = {APP: made.module}
        try:
            out = _upgrade("plan", "--only", *SCHEMAS)
            assert "REFUSED" in out and "Non-atomic migration(s) appeals.9001_concurrently" in out
            with pytest.raises(CommandError, match="cannot be upgraded"):
                _run()
            assert all(_records(schema) == set() for schema in SCHEMAS)
        finally:
            _reset()


# --- kill -9 and exclusivity -----------------------------------------------------------------------


def test_a_run_killed_mid_migration_is_finished_by_the_next_one(release):
    sleepy = SCHEMAS[2]
    process = _spawn(release, "run", "--only", *SCHEMAS, "--workers", "1", "--no-progress",
                     GORODOK_TEST_SLEEP_SCHEMA=sleepy)
    try:
        _wait_for_sleep(process)
        assert UpgradeTenantState.objects.get(schema_name=sleepy).status == UpgradeTenantStatus.RUNNING
        assert Municipality.objects.get(schema_name=sleepy).maintenance_since is not None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert _untouched(sleepy)
    assert all(_at_target(schema) or _untouched(schema) for schema in SCHEMAS), "nothing half-migrated"

    out = _run()  # in this process: ends the killed run's session (if PostgreSQL has not yet) and resumes
    assert "0 failed" in out
    assert all(_at_target(schema) for schema in SCHEMAS)
    run = UpgradeRun.objects.get()
    assert (run.status, run.attempts) == (UpgradeRunStatus.DONE, 2)
    assert set(UpgradeTenantState.objects.values_list("status", flat=True)) == {UpgradeTenantStatus.DONE}
    assert not Municipality.objects.filter(schema_name__in=SCHEMAS, maintenance_since__isnull=False).exists()


def test_a_second_concurrent_run_refuses_to_start(release):
    process = _spawn(release, "run", "--only", *SCHEMAS, "--workers", "1", "--no-progress",
                     GORODOK_TEST_SLEEP_SCHEMA=SCHEMAS[0])
    try:
        _wait_for_sleep(process)
        with pytest.raises(CommandError, match="Another upgrade run is in progress"):
            _run()
        second = _spawn(release, "retry", "--only", *SCHEMAS, "--no-progress")
        output, _ = second.communicate(timeout=120)
        assert second.returncode != 0 and "Another upgrade run is in progress" in output
    finally:
        process.kill()
        process.wait(timeout=30)
    _run()
    assert all(_at_target(schema) for schema in SCHEMAS)


# --- maintenance answers -----------------------------------------------------------------------------


def test_a_municipality_in_maintenance_answers_503_upgrading(alpha, client):
    Municipality.objects.filter(pk=alpha.municipality.pk).update(maintenance_since="2026-01-01T00:00:00Z")
    forget_hosts(alpha.host)
    for path in ("/graphql/", "/admin/"):
        response = client.get(path, HTTP_HOST=alpha.host)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "MUNICIPALITY_UPGRADING"
        assert response["Retry-After"] == "60"
    maintenance.leave(alpha.municipality.pk)
    forget_hosts(alpha.host)
    assert client.get("/admin/login/", HTTP_HOST=alpha.host).status_code == 200


def test_the_upgrader_migrates_inside_the_schema_and_writes_state_in_public(release):
    _run("--workers", "3")
    with schema_context(SCHEMAS[0]):
        assert _at_target(SCHEMAS[0])
    connection.set_schema_to_public()
    assert not _has_probe("public"), "the tenant app's operations are not run in the public schema"
    assert _records("public") == RELEASE_KEYS, "but recorded there, as migrate_schemas does"


# --- the migration check of make test ---------------------------------------------------------------


def test_the_migration_lint_flags_a_column_drop_and_passes_an_expand_migration(towns, django_db_blocker, settings,
                                                                               tmp_path):
    from gorodok_tenants.upgrades.lint import lint_migrations

    with django_db_blocker.unblock():
        made = make_release(tmp_path, APP, {"9001_drop_column": """
            from django.db import migrations

            class Migration(migrations.Migration):
                dependencies = [("{app}", "{previous}")]
                operations = [migrations.RemoveField("appeal", "subject")]
        """})
        settings.MIGRATION_MODULES = {APP: made.module}
        report = io.StringIO()
        assert lint_migrations(app_labels=[APP], stdout=report) == 1
        assert "(appeals, 9001_drop_column)... ERR" in report.getvalue()
        assert "DROPPING columns" in report.getvalue()
        report = io.StringIO()
        assert lint_migrations(app_labels=["gorodok_tenants"], stdout=report) == 0, report.getvalue()


# --- the console ----------------------------------------------------------------------------------


def test_the_console_shows_the_plan_and_the_runs_progress(release, client, regional_admin, region_host):
    login(client, region_host, regional_admin.email)
    plan_page = client.get("/admin/gorodok_tenants/upgraderun/plan/", HTTP_HOST=region_host)
    assert plan_page.status_code == 200
    text = plan_page.content.decode()
    assert all(schema in text for schema in SCHEMAS) and "appeals.9001_upgrade_probe" in text

    _run("--workers", "2")
    runs = client.get("/admin/gorodok_tenants/upgraderun/", HTTP_HOST=region_host)
    assert runs.status_code == 200
    assert "4 / 4" in runs.content.decode()
    assert 'http-equiv="refresh"' not in runs.content.decode(), "no refresh once the run is over"
    states = client.get("/admin/gorodok_tenants/upgradetenantstate/", HTTP_HOST=region_host)
    assert states.status_code == 200 and SCHEMAS[0] in states.content.decode()
