"""Fast schema provisioning from the template, against the real database and the real pg_dump.

The schemas these tests create live inside the per-test transaction (PostgreSQL's DDL is
transactional) and vanish with its rollback. The template is shared infrastructure: it is built and
swapped on a connection of its own, committed, and every test leaves it current.
"""

from __future__ import annotations

import dataclasses

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django_tenants.models import TenantMixin
from django_tenants.utils import schema_context, schema_exists

from gorodok_platform.accounts.models import User
from gorodok_tenants.models import Domain, Municipality
from gorodok_tenants.provisioning import schemas as schema_provisioning
from gorodok_tenants.provisioning.municipalities import (
    MunicipalitySpec,
    host_for,
    municipality_admin_create,
    municipality_create,
)
from gorodok_tenants.provisioning.schemas import (
    TEMPLATE_SCHEMA,
    PgDumpUnavailable,
    create_tenant_schema,
    ensure_template,
    expected_migration_records,
    provision_schema,
    split_sql,
    template_is_current,
)
from tests.conftest import graphql
from tests.test_tenants.schema_compare import rows as _rows
from tests.test_tenants.schema_compare import snapshot

FAST = "prov_fast"
MIGRATED = "prov_migrated"


def _migrate_path(schema: str) -> None:
    """django-tenants' own creation: CREATE SCHEMA + migrate_schemas."""
    TenantMixin.create_schema(Municipality(schema_name=schema), verbosity=0)
    connection.set_schema_to_public()


def _committed(sql: str) -> None:
    """Run ``sql`` on a connection of its own, committed at once (as another process would)."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(sql)
    finally:
        other.close()


@pytest.fixture(autouse=True)
def _fast_path(settings):
    settings.GORODOK_PROVISIONING = "fast"  # whatever the environment says


@pytest.fixture
def current_template(db):
    ensure_template()
    yield
    assert template_is_current(), "a test left the template stale"


def test_a_fast_schema_is_identical_to_a_migrated_one(current_template):
    provision_schema(FAST)
    _migrate_path(MIGRATED)

    fast, migrated = snapshot(FAST), snapshot(MIGRATED)

    assert fast["migrations"], "nothing was compared"
    assert fast["relations"] and fast["indexes"] and fast["constraints"] and fast["sequences"]
    assert fast["groups"] and fast["permissions"] and fast["content_types"]
    for part in migrated:
        assert fast[part] == migrated[part], part
    assert set(fast["migrations"]) == expected_migration_records()


def test_migrate_schemas_finds_nothing_to_apply_and_upgrades_apply_normally(current_template):
    provision_schema(FAST)
    _migrate_path(MIGRATED)

    connection.set_schema(FAST)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    connection.set_schema_to_public()
    call_command("migrate_schemas", tenant=True, schema_name=FAST, interactive=False, verbosity=0)

    # An upgrade path in both directions: unapply an app's migrations, then apply them again.
    call_command("migrate_schemas", "sessions", "zero", tenant=True, schema_name=FAST, interactive=False,
                 verbosity=0)
    assert not _rows("SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
                     "AND table_name = 'django_session'", [FAST])
    call_command("migrate_schemas", tenant=True, schema_name=FAST, interactive=False, verbosity=0)

    after, migrated = snapshot(FAST), snapshot(MIGRATED)
    for part in ("relations", "columns", "indexes", "constraints", "migrations"):
        assert [row for row in after[part] if "session" in str(row)] == \
               [row for row in migrated[part] if "session" in str(row)], part


def test_the_new_schema_works_sequences_continue_and_rows_are_the_templates(current_template):
    provision_schema(FAST)
    template_groups = _rows(f"SELECT id, name FROM {TEMPLATE_SCHEMA}.auth_group ORDER BY id")
    assert _rows(f"SELECT id, name FROM {FAST}.auth_group ORDER BY id") == template_groups
    with schema_context(FAST):
        user = User.objects.create_user(email="first@prov.example.ru", password=None)
        assert user.pk == 1
        assert list(User.objects.values_list("email", flat=True)) == ["first@prov.example.ru"]
    [(next_group_id,)] = _rows(f"INSERT INTO {FAST}.auth_group (name) VALUES ('new') RETURNING id")
    assert next_group_id == max(group_id for group_id, _ in template_groups) + 1


def test_a_dropped_template_is_rebuilt_and_the_provisioning_retried(current_template):
    _committed(f"DROP SCHEMA {TEMPLATE_SCHEMA} CASCADE")
    assert not template_is_current()

    provision_schema(FAST)  # the cached DDL is still right; copying the rows fails, rebuilds, retries

    assert template_is_current()
    assert set(_rows(f"SELECT app, name FROM {FAST}.django_migrations")) == \
           expected_migration_records()


def test_a_template_at_another_migration_state_is_rebuilt(current_template):
    # As if another version of the code had built it: one record more than this code's migrations.
    _committed(f"INSERT INTO {TEMPLATE_SCHEMA}.django_migrations (app, name, applied) "
               "VALUES ('accounts', '9999_from_the_future', now())")
    assert not template_is_current()

    provision_schema(FAST)  # the copied records fail the digest check: rebuilt, retried

    assert template_is_current()
    assert ("accounts", "9999_from_the_future") not in set(_rows(f"SELECT app, name FROM {FAST}.django_migrations"))


def test_a_template_missing_a_migration_record_is_rebuilt_by_ensure_template(current_template):
    _committed(f"DELETE FROM {TEMPLATE_SCHEMA}.django_migrations WHERE app = 'accounts' AND name = '0002_seed_roles'")
    assert not template_is_current()

    assert ensure_template() is True

    assert template_is_current()
    assert ensure_template() is False


def test_a_failure_mid_provisioning_leaves_no_schema(current_template, monkeypatch):
    plan = schema_provisioning.blueprint()
    broken = dataclasses.replace(plan, post_data=(*plan.post_data, "SELECT 1 / 0"))
    monkeypatch.setattr(schema_provisioning, "blueprint", lambda *args, **kwargs: broken)

    with pytest.raises(DatabaseError, match="division by zero"):
        provision_schema(FAST)

    assert not schema_exists(FAST)
    assert _rows("SELECT 1") == [(1,)]  # the caller's transaction is still usable


def test_provisioning_into_an_existing_schema_fails_and_leaves_it_alone(current_template):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {FAST}; CREATE TABLE {FAST}.mine (id int)")

    with pytest.raises(DatabaseError, match="already exists"):
        create_tenant_schema(Municipality(schema_name=FAST), check_if_exists=False)
    assert create_tenant_schema(Municipality(schema_name=FAST), check_if_exists=True) is False

    assert _rows("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [FAST]) == [("mine",)]


def test_a_failed_municipality_creation_leaves_neither_row_nor_schema(current_template, monkeypatch):
    plan = schema_provisioning.blueprint()
    broken = dataclasses.replace(plan, pre_data=(*plan.pre_data, "SELECT 1 / 0"))
    monkeypatch.setattr(schema_provisioning, "blueprint", lambda *args, **kwargs: broken)

    with pytest.raises(DatabaseError):
        municipality_create(spec=MunicipalitySpec(name="Сбой", name_en="Failure", slug="prov-fail", oktmo="95000091"))

    assert not Municipality.objects.filter(slug="prov-fail").exists()
    assert not schema_exists("m_prov_fail")


def test_a_created_municipality_serves_its_api_and_gets_an_admin(current_template, client):
    municipality = municipality_create(
        spec=MunicipalitySpec(name="Гамма", name_en="Gamma", slug="prov-gamma", oktmo="95000093")
    )
    assert schema_exists("m_prov_gamma") and Domain.objects.get(tenant=municipality).domain == host_for("prov-gamma")

    status, body = graphql(client, host_for("prov-gamma"), "{ municipality { name } }")
    assert status == 200 and body == {"data": {"municipality": {"name": "Гамма"}}}

    admin = municipality_admin_create(municipality=municipality, email="admin@prov-gamma.example.ru", password=None)
    with schema_context("m_prov_gamma"):
        assert list(admin.groups.values_list("name", flat=True)) == ["municipal_admin"]


def test_the_migrate_setting_selects_django_tenants_path(current_template, settings, monkeypatch):
    settings.GORODOK_PROVISIONING = "migrate"
    monkeypatch.setattr(schema_provisioning, "provision_schema", _must_not_be_called)

    create_tenant_schema(Municipality(schema_name=MIGRATED))

    assert set(_rows(f"SELECT app, name FROM {MIGRATED}.django_migrations")) == \
           expected_migration_records()


def test_without_pg_dump_it_falls_back_to_migrating(current_template, monkeypatch):
    def no_pg_dump(*args, **kwargs):
        raise PgDumpUnavailable("No pg_dump here.")

    monkeypatch.setattr(schema_provisioning, "blueprint", no_pg_dump)

    assert create_tenant_schema(Municipality(schema_name=MIGRATED)) in (None, True)

    assert set(_rows(f"SELECT app, name FROM {MIGRATED}.django_migrations")) == \
           expected_migration_records()


def _must_not_be_called(*args, **kwargs):
    raise AssertionError("the fast path ran")


@pytest.mark.parametrize(
    ("script", "statements"),
    [
        ("SET a = 1;\nCREATE TABLE x (a text DEFAULT 'a;b');\n",
         ["SET a = 1", "CREATE TABLE x (a text DEFAULT 'a;b')"]),
        ("\\restrict abc\n-- c; d\nSELECT 'it''s;' ;\n\\unrestrict abc\n", ["SELECT 'it''s;'"]),
        ("CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;",
         ["CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql"]),
        ("SELECT E'a\\';b' AS \"x;y\"; /* one; /* two; */ */ SELECT $$;$$;",
         ["SELECT E'a\\';b' AS \"x;y\"", "SELECT $$;$$"]),
    ],
)
def test_split_sql_knows_quotes_comments_and_meta_commands(script, statements):
    assert split_sql(script) == statements


def test_the_cached_ddl_never_names_the_template(db):
    plan = schema_provisioning.blueprint()
    ddl = plan.ddl('Odd Name$1')
    assert TEMPLATE_SCHEMA not in ddl
    assert 'CREATE SCHEMA "Odd Name$1"' in ddl and '"Odd Name$1".django_migrations' in ddl
    assert "search_path" not in ddl
