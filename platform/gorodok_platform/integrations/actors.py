"""Jobs of the outbox and the webhooks. Each takes ids and is idempotent."""

from __future__ import annotations

import dramatiq

from gorodok_platform.jobs.middleware import TENANT_OPTION, send_in_tenant
from gorodok_platform.jobs.queues import FANOUT_QUEUE
from gorodok_platform.jobs.scheduler import periodic


@dramatiq.actor(queue_name="default", max_retries=5)
def dispatch_outbox_event(event_id: str) -> None:
    """Queue the deliveries of one event (runs in the event's schema); once per event."""
    from gorodok_platform.integrations.outbox import outbox_dispatch

    outbox_dispatch(event_id)


@dramatiq.actor(queue_name="default", max_retries=8, min_backoff=10_000, max_backoff=1_500_000)
def deliver_webhook(subscription_id: int, event_id: str, subscription_schema: str) -> None:
    """POST one event (of the schema the message runs in) to one subscription (in
    ``subscription_schema``). A failure raises, and Dramatiq retries with exponential backoff."""
    from gorodok_platform.integrations.webhooks.delivery import webhook_deliver

    webhook_deliver(subscription_id=subscription_id, event_id=event_id, subscription_schema=subscription_schema)


def enqueue_delivery(event_schema: str, subscription_id: int, event_id: str, subscription_schema: str):
    """Queue ``deliver_webhook`` in the event's schema with the retry settings of the moment."""
    from gorodok_platform.integrations.webhooks.config import retry_options

    return deliver_webhook.send_with_options(args=(subscription_id, event_id, subscription_schema),
                                             **{TENANT_OPTION: event_schema, **retry_options()})


@dramatiq.actor(queue_name=FANOUT_QUEUE, max_retries=3)
def dispatch_pending_outbox() -> None:
    """Dispatch the late events of one schema (runs in that schema)."""
    from gorodok_platform.integrations.outbox import outbox_dispatch_pending

    outbox_dispatch_pending()


@periodic(seconds=60)
@dramatiq.actor(queue_name=FANOUT_QUEUE, max_retries=0)
def dispatch_pending_outbox_everywhere() -> None:
    """Every minute, a catch-up in each schema that has late events — what the broker could not take
    when it was written, or whose message was lost in a crash. One query finds those schemas; the
    others get no message."""
    from gorodok_platform.integrations.outbox import outbox_schemas_pending

    for schema_name in outbox_schemas_pending():
        send_in_tenant(dispatch_pending_outbox, schema_name)


@dramatiq.actor(queue_name=FANOUT_QUEUE, max_retries=3)
def prune_outbox() -> None:
    """Remove one schema's dispatched events and delivery logs past retention (runs in that schema)."""
    from gorodok_platform.integrations.outbox import outbox_prune

    outbox_prune()


@periodic(seconds=3600)
@dramatiq.actor(queue_name=FANOUT_QUEUE, max_retries=0)
def prune_outbox_everywhere() -> None:
    """Every hour, pruning in the schemas that hold something past retention (found in one query)."""
    from gorodok_platform.integrations.outbox import outbox_schemas_to_prune

    for schema_name in outbox_schemas_to_prune():
        send_in_tenant(prune_outbox, schema_name)
