"""Periodic fan-out over municipalities: messages and database time per minute, before and after.

    GORODOK_ENV=test python tests/benchmarks/fanout.py [--quick] [--municipalities N] [--active A]

Works in a throwaway database (``gorodok_bench_fanout`` on the server DATABASE_URL names; without
DATABASE_URL, the server ``make test`` would use), which it creates, fills and drops: N municipalities
(1,000; 50 with --quick), each a real schema built by the provisioning DDL path, of which A (10; 1)
are active: in the last minute each wrote an event and an audit entry (dispatched at once, as a healthy
broker does), and one of them also has an event whose message was lost (undispatched for two minutes).
Every counter was computed once in the last hour, at moments spread over it (the steady state).

One minute of the region's periodic work is played twice, in the same process:

    before  what the scheduler sent up to now: the outbox catch-up and pruning to every schema each
            minute, a counter refresh to every municipality each five minutes (1/5 of it per minute);
    after   the catch-up only where events are late, pruning (hourly) only where something is past
            retention, counters only where there was activity or the figures are over an hour old
            (COUNTERS_MAX_AGE_SECONDS), each found by a probe over all schemas (1/60 and 1/5 per minute).

A message is counted when the fan-out sends it; each one is then run in its schema (the work a worker
does), and the database time is the time spent in SQL statements — the fan-out's own queries and the
jobs' — measured with a connection execute wrapper. Both sides run the same jobs on the same data.

Target: at least 20x fewer messages per minute after than before.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from throwaway import point_django_at, recreate_database

BENCH_DATABASE = "gorodok_bench_fanout"
TARGET = 20.0


class Clock:
    """Sums the time spent in SQL statements while it is installed."""

    def __init__(self):
        self.seconds = 0.0
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.statements += 1


@contextmanager
def recording(modules):
    """Replace ``send_in_tenant`` in the fan-out modules with a recorder: (actor, schema) per message."""
    sent: list[tuple] = []
    originals = {module: module.send_in_tenant for module in modules}

    def record(actor, schema_name, *args, **kwargs):
        sent.append((actor, schema_name, args))

    for module in modules:
        module.send_in_tenant = record
    try:
        yield sent
    finally:
        for module, original in originals.items():
            module.send_in_tenant = original


def _build(n: int, active: int) -> dict:
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from gorodok_platform.audit.models import AuditEntry
    from gorodok_platform.integrations.models import OutboxEvent
    from gorodok_tenants.models import Municipality, MunicipalityCounter
    from gorodok_tenants.modules.counters import municipality_counters_refresh
    from gorodok_tenants.provisioning import schemas as schema_provisioning

    schema_provisioning.blueprint()
    started = time.perf_counter()
    municipalities = []
    for index in range(n):
        schema = f"mo_{index:04d}"
        Municipality(schema_name=schema).create_schema(check_if_exists=True, verbosity=0)
        connection.set_schema_to_public()
        municipalities.append(Municipality(
            schema_name=schema, name=f"Поселение {index}", name_en=f"Settlement {index}", slug=f"mo-{index:04d}",
            oktmo=f"95{index:09d}", kind="rural_settlement"))
    Municipality.objects.bulk_create(municipalities)
    build_seconds = time.perf_counter() - started

    now = timezone.now()
    for index, municipality in enumerate(Municipality.objects.order_by("schema_name")):
        municipality_counters_refresh(municipality=municipality)
        # Computed once in the last hour, at moments spread over it.
        MunicipalityCounter.objects.filter(municipality=municipality).update(
            updated_at=now - timedelta(seconds=3600 * (index + 0.5) / n))
    Municipality.objects.update(last_activity_at=None)
    for index in range(active):
        with schema_context(f"mo_{index * (n // active):04d}"):
            OutboxEvent.objects.create(event_id=uuid.uuid4(), event_type="appeal.registered", payload={},
                                       dispatched_at=now)
            AuditEntry.objects.create(action="appeal.registered", actor_email="clerk@example.ru")
            if index == 0:  # one message lost: the catch-up must still find this event
                late = OutboxEvent.objects.create(event_id=uuid.uuid4(), event_type="appeal.answered", payload={})
                OutboxEvent.objects.filter(pk=late.pk).update(created_at=now - timedelta(minutes=2))
    return {"build_seconds": build_seconds}


def _before():
    """The fan-outs as they were: every schema, every time."""
    from gorodok_platform.integrations import actors as outbox_actors
    from gorodok_platform.integrations.outbox import outbox_dispatch_pending, outbox_prune, outbox_schemas
    from gorodok_tenants import actors as tenant_actors
    from gorodok_tenants.models import Municipality, MunicipalityStatus

    class CatchUpAndPrune:
        """The old per-schema message: catch up, then prune, every minute."""

        @staticmethod
        def fn():
            outbox_dispatch_pending()
            outbox_prune()

    def outbox_minute():
        for schema_name in outbox_schemas():
            outbox_actors.send_in_tenant(CatchUpAndPrune, schema_name)

    def counters_tick():
        schemas = Municipality.objects.exclude(status=MunicipalityStatus.ARCHIVED).values_list("schema_name",
                                                                                               flat=True)
        for schema_name in schemas:
            tenant_actors.send_in_tenant(tenant_actors.refresh_municipality_counters, schema_name)

    return outbox_minute, counters_tick


def _after():
    from django.utils import timezone

    from gorodok_platform.integrations import actors as outbox_actors
    from gorodok_tenants import actors as tenant_actors
    from gorodok_tenants.modules.counters import municipalities_due_for_counters

    def outbox_minute():
        outbox_actors.dispatch_pending_outbox_everywhere.fn()

    def prune_hour():
        outbox_actors.prune_outbox_everywhere.fn()

    def counters_tick():
        # The same selection refresh_all_counters makes, at the tick five minutes from now.
        later = timezone.now() + timedelta(seconds=tenant_actors.COUNTERS_INTERVAL_SECONDS)
        for schema_name in municipalities_due_for_counters(
                interval_seconds=tenant_actors.COUNTERS_INTERVAL_SECONDS, now=later):
            tenant_actors.send_in_tenant(tenant_actors.refresh_municipality_counters, schema_name)

    return outbox_minute, prune_hour, counters_tick


def _play(step, modules, clock) -> tuple[int, float]:
    """Run ``step`` (a fan-out), then every job it sent in its schema; (messages, database seconds)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    before = clock.seconds
    with recording(modules) as sent:
        step()
    for actor, schema_name, args in sent:
        with schema_context(schema_name):
            actor.fn(*args)
    connection.set_schema_to_public()
    return len(sent), clock.seconds - before


def run(n: int, active: int) -> dict:
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    from gorodok_platform.integrations import actors as outbox_actors
    from gorodok_tenants import actors as tenant_actors

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    facts = _build(n, active)
    modules = (outbox_actors, tenant_actors)
    clock = Clock()
    with connection.execute_wrapper(clock):
        old_outbox, old_counters = _before()
        new_outbox, new_prune, new_counters = _after()
        # "after" first: the "before" catch-up would dispatch the late event and leave nothing to find.
        after = {"outbox": _play(new_outbox, modules, clock), "prune": _play(new_prune, modules, clock),
                 "counters": _play(new_counters, modules, clock)}
        before = {"outbox": _play(old_outbox, modules, clock), "counters": _play(old_counters, modules, clock)}
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        facts["server_version"] = cursor.fetchone()[0]
    return {"before": before, "after": after, **facts}


def report(result: dict, *, n: int, active: int, quick: bool) -> dict:
    before, after = result["before"], result["after"]
    # Per minute: the catch-up runs every minute; counters every 5 minutes; pruning every hour (before:
    # pruning rode along with every catch-up message, so its messages are in "outbox").
    per_minute = {
        "before": {"outbox": before["outbox"], "counters": tuple(v / 5 for v in before["counters"])},
        "after": {"outbox": after["outbox"], "prune": tuple(v / 60 for v in after["prune"]),
                  "counters": tuple(v / 5 for v in after["counters"])},
    }
    messages = {side: sum(v[0] for v in parts.values()) for side, parts in per_minute.items()}
    db_ms = {side: sum(v[1] for v in parts.values()) * 1000 for side, parts in per_minute.items()}
    print(f"Periodic fan-out, {n} municipalities of which {active} active, PostgreSQL {result['server_version']} "
          f"(schemas built in {result['build_seconds']:.0f} s, not timed)")
    print()
    print(f"{'per minute':34s} {'messages':>10s} {'DB ms':>10s}")
    for side, parts in per_minute.items():
        for name, (count, seconds) in parts.items():
            print(f"  {side:7s} {name:24s} {count:10.1f} {seconds * 1000:10.1f}")
        print(f"  {side:7s} {'total':24s} {messages[side]:10.1f} {db_ms[side]:10.1f}")
    print()
    message_ratio = messages["before"] / max(messages["after"], 1e-9)
    db_ratio = db_ms["before"] / max(db_ms["after"], 1e-9)
    met = message_ratio >= TARGET
    caught = after["outbox"][0] >= 1
    print(f"messages before / after = {message_ratio:.1f}x (target >= {TARGET:.0f}x: {'met' if met else 'NOT met'}); "
          f"database time before / after = {db_ratio:.1f}x; the lost message's event "
          f"{'was' if caught else 'was NOT'} caught up.")
    summary = {
        "benchmark": "fanout",
        "params": {"municipalities": n, "active": active, "quick": quick, "postgres": result["server_version"],
                   "target_messages_ratio": TARGET, "target_met": met, "late_event_caught_up": caught},
        "figures": {
            "messages_per_minute_before": round(messages["before"], 1),
            "messages_per_minute_after": round(messages["after"], 1),
            "db_ms_per_minute_before": round(db_ms["before"], 1),
            "db_ms_per_minute_after": round(db_ms["after"], 1),
        },
        "ratios": {"messages": round(message_ratio, 1), "db_time": round(db_ratio, 1)},
    }
    print(json.dumps(summary, ensure_ascii=False))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 municipalities, 1 active (about a minute)")
    parser.add_argument("--municipalities", type=int, default=None)
    parser.add_argument("--active", type=int, default=None)
    options = parser.parse_args(argv)
    n = options.municipalities or (50 if options.quick else 1000)
    active = options.active or (1 if options.quick else 10)

    _, maintenance_url = point_django_at(BENCH_DATABASE)
    recreate_database(maintenance_url, BENCH_DATABASE)
    try:
        result = run(n, active)
    finally:
        from django.db import connections

        connections.close_all()
        recreate_database(maintenance_url, BENCH_DATABASE, drop_only=True)
    summary = report(result, n=n, active=active, quick=options.quick)
    return 0 if summary["params"]["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
