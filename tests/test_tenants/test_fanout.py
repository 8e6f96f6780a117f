"""Periodic fan-outs reach only the municipalities with work waiting: the outbox catch-up those with late
events, pruning those with something past retention, the counters those with activity or old figures.
All of it travels on the fan-out queue, never beside citizens' notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.integrations.models import OutboxEvent, WebhookDelivery
from gorodok_platform.integrations.outbox import outbox_schemas_pending, outbox_schemas_to_prune
from gorodok_platform.jobs.probes import schemas_matching, schemas_with_table
from gorodok_platform.jobs.queues import FANOUT_QUEUE
from gorodok_tenants.models import Municipality, MunicipalityCounter
from gorodok_tenants.modules.counters import municipalities_due_for_counters, municipality_counters_refresh

OUTBOX = OutboxEvent._meta.db_table


def _event(schema: str, *, age: timedelta, dispatched: bool = False) -> None:
    import uuid

    with schema_context(schema):
        event = OutboxEvent.objects.create(event_id=uuid.uuid4(), event_type="asset.changed", payload={})
        OutboxEvent.objects.filter(pk=event.pk).update(
            created_at=timezone.now() - age, dispatched_at=timezone.now() - age if dispatched else None)


@pytest.fixture
def clean_outboxes(alpha, beta):
    for schema in ("public", alpha.schema_name, beta.schema_name):
        with schema_context(schema):
            OutboxEvent.objects.all().delete()
            WebhookDelivery.objects.all().delete()
    yield
    for schema in ("public", alpha.schema_name, beta.schema_name):
        with schema_context(schema):
            OutboxEvent.objects.all().delete()


def test_the_probe_asks_every_schema_in_one_statement_and_skips_schemas_without_the_table(alpha, beta,
                                                                                           clean_outboxes):
    _event(beta.schema_name, age=timedelta(minutes=5))
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA IF NOT EXISTS "being_built"')
    try:
        schemas = [alpha.schema_name, "being_built", beta.schema_name]
        assert schemas_with_table(schemas, OUTBOX) == [alpha.schema_name, beta.schema_name]
        with CaptureQueriesContext(connection) as queries:
            found = schemas_matching(schemas, OUTBOX, "dispatched_at IS NULL AND created_at <= %s", [timezone.now()])
        assert found == [beta.schema_name]
        assert len(queries) == 2  # the catalogue, then one UNION ALL over the schemas that have the table
        assert "UNION ALL" in queries[1]["sql"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute('DROP SCHEMA "being_built"')


def test_the_catch_up_goes_only_where_events_are_late(alpha, beta, clean_outboxes):
    assert not {alpha.schema_name, beta.schema_name} & set(outbox_schemas_pending())
    _event(alpha.schema_name, age=timedelta(seconds=5))  # within the grace period: its own message does it
    _event(beta.schema_name, age=timedelta(minutes=2), dispatched=True)
    assert not {alpha.schema_name, beta.schema_name} & set(outbox_schemas_pending())
    _event(beta.schema_name, age=timedelta(minutes=2))
    assert beta.schema_name in outbox_schemas_pending()
    assert alpha.schema_name not in outbox_schemas_pending()


def test_pruning_goes_only_where_something_is_past_retention(alpha, beta, clean_outboxes):
    _event(alpha.schema_name, age=timedelta(days=40))  # undispatched: never pruned
    _event(beta.schema_name, age=timedelta(days=3), dispatched=True)
    assert not {alpha.schema_name, beta.schema_name} & set(outbox_schemas_to_prune())
    _event(beta.schema_name, age=timedelta(days=31), dispatched=True)
    assert beta.schema_name in outbox_schemas_to_prune()
    assert alpha.schema_name not in outbox_schemas_to_prune()


def test_counters_are_refreshed_where_there_was_activity_or_they_are_old(alpha, beta, clean_outboxes, settings):
    settings.COUNTERS_MAX_AGE_SECONDS = 3600
    ours = {alpha.schema_name, beta.schema_name}
    Municipality.objects.filter(pk__in=[alpha.municipality.pk, beta.municipality.pk]).update(last_activity_at=None)
    MunicipalityCounter.objects.filter(municipality__in=[alpha.municipality, beta.municipality]).delete()
    assert ours <= set(municipalities_due_for_counters(interval_seconds=300))  # never computed
    municipality_counters_refresh(municipality=alpha.municipality)
    municipality_counters_refresh(municipality=beta.municipality)
    computed = timezone.now()
    later = computed + timedelta(minutes=11)  # two ticks later, nothing happened in between
    assert not ours & set(municipalities_due_for_counters(interval_seconds=300, now=later))

    _event(alpha.schema_name, age=-timedelta(minutes=10))  # a write just before that tick
    due = set(municipalities_due_for_counters(interval_seconds=300, now=later))
    assert alpha.schema_name in due and beta.schema_name not in due

    Municipality.objects.filter(pk=beta.municipality.pk).update(last_activity_at=computed + timedelta(minutes=9))
    assert ours <= set(municipalities_due_for_counters(interval_seconds=300, now=later))  # staff at work

    Municipality.objects.filter(pk=beta.municipality.pk).update(last_activity_at=None)
    MunicipalityCounter.objects.filter(municipality=beta.municipality).update(
        updated_at=computed - timedelta(hours=2))  # quiet, but its figures are old
    assert beta.schema_name in municipalities_due_for_counters(interval_seconds=300, now=later)


def test_the_fan_outs_travel_on_their_own_queue():
    from gorodok_platform.integrations import actors as outbox_actors
    from gorodok_tenants import actors as tenant_actors
    from gorodok_tenants.modules import jobs as module_jobs

    for actor in (outbox_actors.dispatch_pending_outbox_everywhere, outbox_actors.dispatch_pending_outbox,
                  outbox_actors.prune_outbox_everywhere, outbox_actors.prune_outbox,
                  tenant_actors.refresh_all_counters, tenant_actors.refresh_municipality_counters,
                  module_jobs.fan_out_module_task, module_jobs.run_module_task):
        assert actor.queue_name == FANOUT_QUEUE, actor.actor_name
    for actor in (outbox_actors.dispatch_outbox_event, outbox_actors.deliver_webhook,
                  tenant_actors.send_admin_invitation):
        assert actor.queue_name == "default", actor.actor_name
