"""The warm pool of spare schemas, against the real database: no mocks.

Spares must be committed to be seen by other connections (takers, refills, workers), so these tests
run outside the per-test transaction: the ``committed`` fixture unblocks the database, and drops every
schema a test created and every spare in a ``finally``. The session's municipalities are untouched.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import threading

import dramatiq
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django_tenants.models import TenantMixin
from django_tenants.utils import quote_schema_name, schema_context, schema_exists

from gorodok_platform.accounts.models import User
from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.audit.services import audit_record
from gorodok_platform.jobs.middleware import tenant_for_schema
from gorodok_platform.jobs.scheduler import periodic_jobs
from gorodok_tenants.models import Municipality
from gorodok_tenants.provisioning import pool as schema_pool
from gorodok_tenants.provisioning import schemas as schema_provisioning
from gorodok_tenants.provisioning.municipalities import MunicipalitySpec, host_for, municipality_create
from gorodok_tenants.provisioning.pool import pool_drain, pool_refill, pool_spares, pool_take, take_spare
from gorodok_tenants.provisioning.schemas import (
    create_tenant_schema,
    ensure_template,
    expected_migration_records,
    template_is_current,
)
from tests.conftest import graphql
from tests.test_tenants.schema_compare import rows, snapshot

TAKEN = "pool_taken"
MIGRATED = "pool_migrated"
SPARE_NAME = re.compile(r"^gorodok_spare_[0-9a-f]{12}$")


def _drop(*schemas: str) -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(schema)} CASCADE")


def _committed(sql: str) -> None:
    """Run ``sql`` on a connection of its own, committed at once (as another process would)."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(sql)
    finally:
        other.close()


@pytest.fixture
def committed(django_db_setup, django_db_blocker, settings):
    """Database access without the per-test transaction. Yields a list: names of the schemas the test
    creates, dropped afterwards together with every spare and any queued job."""
    settings.GORODOK_PROVISIONING = "fast"
    settings.GORODOK_SCHEMA_POOL_SIZE = 3
    broker = dramatiq.get_broker()
    created: list[str] = []
    with django_db_blocker.unblock():
        ensure_template()
        assert pool_spares() == [], "a spare was left behind"
        broker.flush_all()
        try:
            yield created
        finally:
            broker.flush_all()
            _drop(*created)
            pool_drain()
            assert pool_spares() == []
            assert template_is_current()


def test_a_taken_spare_is_identical_to_a_migrated_schema(committed):
    assert pool_refill(1) == 1
    [spare] = pool_spares()
    committed.extend([TAKEN, MIGRATED])

    with transaction.atomic():
        assert take_spare(TAKEN) == spare
    TenantMixin.create_schema(Municipality(schema_name=MIGRATED), verbosity=0)  # django-tenants' path

    assert pool_spares() == [] and not schema_exists(spare)
    taken, migrated = snapshot(TAKEN), snapshot(MIGRATED)
    assert taken["migrations"] and taken["functions"] and taken["triggers"] and taken["sequences"]
    for part in migrated:
        assert taken[part] == migrated[part], part
    assert set(taken["migrations"]) == expected_migration_records()
    # Nothing in the schema kept its old name as text (function bodies, settings, trigger arguments).
    for (source,) in rows("SELECT p.prosrc || coalesce(array_to_string(p.proconfig, ' '), '') FROM pg_proc p "
                          "WHERE p.pronamespace = %s::regnamespace", [TAKEN]):
        assert "gorodok_" not in source


def test_a_renamed_spare_works_its_sequences_continue_and_the_audit_trigger_fires(committed):
    pool_refill(1)
    committed.append(TAKEN)

    assert pool_take(TAKEN) is True  # outside any transaction: commits at once

    [(last_group,)] = rows(f"SELECT max(id) FROM {TAKEN}.auth_group")
    assert last_group, "the seeded role groups are there"
    assert rows(f"INSERT INTO {TAKEN}.auth_group (name) VALUES ('new') RETURNING id") == [(last_group + 1,)]
    with schema_context(TAKEN):
        user = User.objects.create_user(email="first@pool.example.ru", password=None)
        assert user.pk == 1
        entry = audit_record(action="test.pool", target=user)
        assert entry.pk == 1 and AuditEntry.objects.count() == 1
        for statement in ("UPDATE audit_auditentry SET reason = 'x'", "DELETE FROM audit_auditentry",
                          "TRUNCATE audit_auditentry"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
        assert AuditEntry.objects.count() == 1
    # The trigger calls the function of the renamed schema, not one elsewhere.
    assert rows("SELECT DISTINCT p.pronamespace::regnamespace::text FROM pg_trigger t "
                "JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgrelid = %s::regclass",
                [f"{TAKEN}.audit_auditentry"]) == [(TAKEN,)]


def test_a_stale_spare_is_skipped_by_takers_and_dropped_by_the_refill(committed):
    assert pool_refill(2) == 2
    stale, fresh = pool_spares()  # oldest first: takers try the stale one first
    _committed(f"INSERT INTO {stale}.django_migrations (app, name, applied) "
               "VALUES ('accounts', '9999_from_the_future', now())")
    committed.extend([TAKEN, "pool_taken_2"])

    assert take_spare(TAKEN) == fresh
    assert take_spare("pool_taken_2") is None  # only the stale one is left: the DDL path would run
    assert not schema_exists("pool_taken_2") and pool_spares() == [stale]

    assert pool_refill() == 3
    spares = pool_spares()
    assert stale not in spares and len(spares) == 3


def test_a_damaged_spare_is_skipped_inside_the_callers_transaction_and_dropped_by_the_refill(committed):
    assert pool_refill(2) == 2
    damaged, fresh = pool_spares()
    _committed(f"DROP TABLE {damaged}.django_migrations")
    committed.append(TAKEN)

    with transaction.atomic():  # the error on the damaged spare is confined to a savepoint
        assert take_spare(TAKEN) == fresh
        assert rows("SELECT 1") == [(1,)]
    assert schema_exists(TAKEN) and pool_spares() == [damaged]

    assert pool_refill(1) == 1 and damaged not in pool_spares()


def test_the_refill_fills_up_to_the_size_is_idempotent_and_trims_a_surplus(committed, settings):
    settings.GORODOK_SCHEMA_POOL_SIZE = 2
    assert pool_refill() == 2
    assert pool_refill() == 0
    spares = pool_spares()
    assert len(spares) == 2 and all(SPARE_NAME.match(spare) for spare in spares)
    for spare in spares:
        assert set(rows(f"SELECT app, name FROM {spare}.django_migrations")) == expected_migration_records()

    assert pool_refill(3) == 1 and len(pool_spares()) == 3
    assert pool_refill() == 0
    assert pool_spares() == spares  # the oldest are kept


def test_concurrent_refills_do_not_overshoot(committed):
    results = []

    def refill():
        try:
            results.append(pool_refill())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refill) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert sorted(results) == [0, 3]
    assert len(pool_spares()) == 3


def test_two_takers_at_once_get_different_spares_without_waiting_for_each_other(committed):
    pool_refill(2)
    spares = pool_spares()
    names = [TAKEN, "pool_taken_2"]
    committed.extend(names)
    both_taken = threading.Barrier(2, timeout=30)
    taken: dict[str, str | None] = {}
    errors: list[BaseException] = []

    def take(name: str) -> None:
        try:
            with transaction.atomic():  # each thread: its own connection and transaction
                taken[name] = take_spare(name)
                both_taken.wait()  # neither commits before the other has taken: would time out if one blocked
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(taken.values()) == sorted(spares)
    assert all(schema_exists(name) for name in names) and pool_spares() == []


def test_the_pool_is_off_with_size_zero_or_in_migrate_mode(committed, settings):
    pool_refill(1)
    [spare] = pool_spares()
    committed.append(TAKEN)

    settings.GORODOK_SCHEMA_POOL_SIZE = 0
    assert schema_pool.pool_size() == 0
    assert pool_take(TAKEN) is False and pool_spares() == [spare]
    settings.GORODOK_SCHEMA_POOL_SIZE = 3
    settings.GORODOK_PROVISIONING = "migrate"
    assert schema_pool.pool_size() == 0 and pool_take(TAKEN) is False
    assert not schema_exists(TAKEN)

    settings.GORODOK_SCHEMA_POOL_SIZE = 0
    settings.GORODOK_PROVISIONING = "fast"
    assert pool_refill() == 0 and pool_spares() == []  # and an off pool drops what was left


def test_creating_into_an_existing_schema_fails_and_leaves_the_spare_alone(committed):
    pool_refill(1)
    [spare] = pool_spares()
    committed.append(TAKEN)
    _committed(f"CREATE SCHEMA {TAKEN}; CREATE TABLE {TAKEN}.mine (id int)")

    with pytest.raises(DatabaseError, match="already exists"):
        create_tenant_schema(Municipality(schema_name=TAKEN), check_if_exists=False)
    assert create_tenant_schema(Municipality(schema_name=TAKEN), check_if_exists=True) is False

    assert pool_spares() == [spare]
    assert rows("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [TAKEN]) == [("mine",)]


def test_spares_are_not_tenants(committed):
    pool_refill(1)
    [spare] = pool_spares()

    assert not Municipality.objects.filter(schema_name=spare).exists()
    assert tenant_for_schema(spare) is None  # jobs addressed to it are skipped
    output = io.StringIO()
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=1, stdout=output)
    assert "gorodok_spare_" not in output.getvalue()


def test_the_command_fills_and_drains_the_pool(committed):
    output = io.StringIO()
    call_command("provisioning_template", "--refill-pool", stdout=output)
    assert "3 built, 3 present" in output.getvalue() and len(pool_spares()) == 3

    call_command("provisioning_template", "--drain-pool", stdout=output)
    assert "3 spare schema(s) dropped; 0 left." in output.getvalue() and pool_spares() == []


def test_a_municipality_created_with_a_warm_pool_serves_its_api_and_the_pool_is_refilled(committed, client):
    broker = dramatiq.get_broker()
    assert pool_refill() == 3
    oldest = pool_spares()[0]
    municipality = None
    try:
        municipality = municipality_create(
            spec=MunicipalitySpec(name="Пул", name_en="Pool", slug="pool-warm", oktmo="95000095")
        )
        assert schema_exists("m_pool_warm") and not schema_exists(oldest)
        assert len(pool_spares()) == 2

        status, body = graphql(client, host_for("pool-warm"), "{ municipality { name } }")
        assert status == 200 and body == {"data": {"municipality": {"name": "Пул"}}}

        queued = [dramatiq.Message.decode(data) for data in list(broker.queues["default"].queue)]
        assert [(message.actor_name, message.options["tenant_schema"]) for message in queued] == \
               [("refill_schema_pool", "public")]

        worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
        worker.start()
        try:
            broker.join("default", timeout=60_000, fail_fast=True)
            worker.join()
        finally:
            worker.stop()
        assert len(pool_spares()) == 3
    finally:
        if municipality is not None:
            municipality.delete(force_drop=True)
        assert not schema_exists("m_pool_warm")


def test_a_schema_that_would_not_survive_a_rename_disables_the_pool(committed, monkeypatch, caplog):
    # As if a migration had written a function whose body names its own schema.
    plan = schema_provisioning.blueprint()
    embedding = "CREATE FUNCTION \x00gorodok_count_migrations() RETURNS bigint LANGUAGE sql " \
                "AS $$ SELECT count(*) FROM \x00django_migrations $$"
    monkeypatch.setattr(schema_provisioning, "blueprint",
                        lambda *args, **kwargs: dataclasses.replace(plan, pre_data=(*plan.pre_data, embedding)))

    with caplog.at_level(logging.ERROR, logger="gorodok.provisioning"):
        assert pool_refill(1) == 0

    assert pool_spares() == []  # the spare's transaction was rolled back
    assert "gorodok_count_migrations() embed(s) the schema's name" in caplog.text


def test_the_refill_is_a_registered_periodic_job():
    import gorodok_tenants.actors  # noqa: F401

    jobs = periodic_jobs()
    assert "refill_schema_pool" in jobs and jobs["refill_schema_pool"].seconds <= 600
