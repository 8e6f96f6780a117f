"""The transactional outbox: events are written in the same transaction as the change they report,
and dispatched to the webhook subscribers after it commits.

``outbox_emit`` stores the event in the current schema and, on commit, queues its dispatch. If the
broker cannot take the message at that moment, nothing is lost: the event stays undispatched and the
periodic dispatcher (every minute, for events older than ``WEBHOOK_DISPATCH_GRACE_SECONDS``) sends
it. Dispatching is idempotent: an event is dispatched once, whoever gets to it first.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, get_tenant_model

from gorodok_platform.integrations.models import OutboxEvent, WebhookDelivery
from gorodok_platform.jobs.enqueue import enqueue_on_commit
from gorodok_platform.jobs.locks import OUTBOX_EVENT, advisory_lock

logger = logging.getLogger("gorodok.webhooks")

DISPATCH_BATCH = 500


def municipality_reference() -> dict:
    """The schema and slug of the municipality whose schema is active (slug None for the region)."""
    schema = connection.schema_name
    if schema == get_public_schema_name():
        return {"schema": schema, "slug": None}
    slug = getattr(getattr(connection, "tenant", None), "slug", None) or None
    if slug is None:
        model = get_tenant_model()
        if any(f.name == "slug" for f in model._meta.fields):
            slug = model.objects.filter(schema_name=schema).values_list("slug", flat=True).first()
    return {"schema": schema, "slug": slug}


def outbox_emit(event_type: str, payload: dict) -> OutboxEvent:
    """Record ``event_type`` with ``payload`` (the object's data, no personal data) in the current schema.

    Call it inside the transaction that makes the change: the event exists exactly when the change
    does. The body subscribers receive is ``{"id", "type", "occurred_at", "municipality", "data"}``."""
    return outbox_emit_many([(event_type, payload)])[0]


def outbox_emit_many(events: list[tuple[str, dict]]) -> list[OutboxEvent]:
    """``outbox_emit`` for several events of one change, in order, written in one statement."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("outbox_emit() must run inside the transaction of the change it reports.")
    occurred_at = timezone.now().isoformat()
    municipality = municipality_reference()
    rows = []
    for event_type, payload in events:
        event_id = uuid.uuid4()
        body = {
            "id": str(event_id),
            "type": event_type,
            "occurred_at": occurred_at,
            "municipality": municipality,
            "data": json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
        }
        rows.append(OutboxEvent(event_id=event_id, event_type=event_type, payload=body))
    created = OutboxEvent.objects.bulk_create(rows)
    from gorodok_platform.integrations.actors import dispatch_outbox_event

    # A broker outage keeps the message for the scheduler's catch-up; the periodic dispatcher is the
    # backstop for an event whose message never left (a crash right after the commit).
    for event in created:
        enqueue_on_commit(dispatch_outbox_event, str(event.event_id))
    return created


def outbox_dispatch(event_id: str) -> int | None:
    """Queue one delivery per subscriber of an event of the current schema and mark it dispatched.
    None when it is dispatched already (or being dispatched by someone else right now).

    The deliveries are queued before the mark is written: if the broker fails half way, the event stays
    undispatched and is dispatched again later (a subscriber that got it already is skipped). No
    transaction is open while the broker is called: a session advisory lock per event keeps two
    dispatchers apart."""
    from gorodok_platform.integrations.actors import enqueue_delivery
    from gorodok_platform.integrations.webhooks.subscriptions import subscriptions_for

    schema = connection.schema_name
    with advisory_lock(OUTBOX_EVENT.name, item=f"{schema}:{event_id}", private=False) as lock:
        if not lock:
            return None
        event = OutboxEvent.objects.filter(event_id=event_id, dispatched_at__isnull=True).first()
        if event is None:
            return None
        targets = subscriptions_for(event.event_type, schema)
        for subscription_id, subscription_schema in targets:
            enqueue_delivery(schema, subscription_id, str(event.event_id), subscription_schema)
        OutboxEvent.objects.filter(pk=event.pk, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return len(targets)


def outbox_dispatch_pending(*, older_than: timedelta | None = None, limit: int = DISPATCH_BATCH) -> int:
    """Dispatch the current schema's events still undispatched after ``older_than`` (the grace period
    in which their own on-commit message normally does it); returns how many were dispatched."""
    if older_than is None:
        older_than = timedelta(seconds=int(getattr(settings, "WEBHOOK_DISPATCH_GRACE_SECONDS", 30)))
    cutoff = timezone.now() - older_than
    pending = (OutboxEvent.objects.filter(dispatched_at__isnull=True, created_at__lte=cutoff)
               .order_by("created_at", "id").values_list("event_id", flat=True)[:limit])
    dispatched = 0
    for event_id in list(pending):
        if outbox_dispatch(str(event_id)) is not None:
            dispatched += 1
    if dispatched:
        logger.info("dispatched %d late events in %s", dispatched, connection.schema_name)
    return dispatched


def outbox_prune(*, days: int | None = None) -> tuple[int, int]:
    """Remove dispatched events and delivery logs older than ``WEBHOOK_RETENTION_DAYS`` (30)."""
    days = days if days is not None else int(getattr(settings, "WEBHOOK_RETENTION_DAYS", 30))
    cutoff = timezone.now() - timedelta(days=days)
    events, _ = OutboxEvent.objects.filter(dispatched_at__isnull=False, created_at__lt=cutoff).delete()
    deliveries, _ = WebhookDelivery.objects.filter(created_at__lt=cutoff).delete()
    return events, deliveries


def outbox_schemas() -> list[str]:
    """Every schema with an outbox: the region's and each municipality's that is not archived."""
    model = get_tenant_model()
    public = get_public_schema_name()
    tenants = model.objects.exclude(schema_name=public)
    if any(f.name == "status" for f in model._meta.fields):
        tenants = tenants.exclude(status="archived")
    return [public, *tenants.order_by("schema_name").values_list("schema_name", flat=True)]


def outbox_schemas_pending(*, older_than: timedelta | None = None) -> list[str]:
    """The schemas with an event still undispatched after the grace period: the only ones the
    periodic catch-up has anything to do in (one query for all schemas)."""
    from gorodok_platform.jobs.probes import schemas_matching

    if older_than is None:
        older_than = timedelta(seconds=int(getattr(settings, "WEBHOOK_DISPATCH_GRACE_SECONDS", 30)))
    cutoff = timezone.now() - older_than
    return schemas_matching(outbox_schemas(), OutboxEvent._meta.db_table,
                            "dispatched_at IS NULL AND created_at <= %s", [cutoff])


def outbox_schemas_to_prune(*, days: int | None = None) -> list[str]:
    """The schemas holding dispatched events or delivery logs older than the retention period."""
    from gorodok_platform.jobs.probes import schemas_matching

    days = days if days is not None else int(getattr(settings, "WEBHOOK_RETENTION_DAYS", 30))
    cutoff = timezone.now() - timedelta(days=days)
    schemas = outbox_schemas()
    events = schemas_matching(schemas, OutboxEvent._meta.db_table,
                              "created_at < %s AND dispatched_at IS NOT NULL", [cutoff])
    deliveries = schemas_matching(schemas, WebhookDelivery._meta.db_table, "created_at < %s", [cutoff])
    found = set(events) | set(deliveries)
    return [name for name in schemas if name in found]
