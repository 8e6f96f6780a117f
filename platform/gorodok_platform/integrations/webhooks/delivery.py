"""Delivering one event to one subscription, with retries, a log row per attempt and a pause after
repeated failure."""

from __future__ import annotations

import json
import logging
import time
import uuid

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from dramatiq.errors import Retry

from gorodok_platform.integrations.models import (
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from gorodok_platform.integrations.webhooks.config import setting
from gorodok_platform.integrations.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    SIGNATURE_VERSION,
    TIMESTAMP_HEADER,
    USER_AGENT,
    sign,
)
from gorodok_platform.integrations.webhooks.subscriptions import client_may_receive
from gorodok_platform.integrations.webhooks.transport import post

logger = logging.getLogger("gorodok.webhooks")

class WebhookDeliveryFailed(Retry):
    """The receiver did not accept the event; Dramatiq retries the delivery with backoff (a Retry is
    logged as a retry, not as a crash: the attempt itself is in the delivery log)."""


def encode_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _record_failure(subscription_id: int) -> tuple[int, bool]:
    """Count one more failure in a row; pause the subscription at the limit. (failures, paused now)."""
    limit = int(setting("WEBHOOK_PAUSE_AFTER_FAILURES", 10))
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
        locked.consecutive_failures += 1
        pause = locked.is_active and locked.consecutive_failures >= limit
        if pause:
            locked.is_active = False
            locked.paused_at = timezone.now()
        locked.save(update_fields=["consecutive_failures", "is_active", "paused_at"])
    return locked.consecutive_failures, pause


def webhook_deliver(*, subscription_id: int, event_id: str, subscription_schema: str) -> str:
    """Deliver one event of the current schema to one subscription (living in ``subscription_schema``),
    log the attempt there, and return the outcome. Raises WebhookDeliveryFailed for a retry."""
    event_schema = connection.schema_name
    event = OutboxEvent.objects.filter(event_id=event_id).first()
    if event is None:
        return "no such event"
    with schema_context(subscription_schema):
        subscription = WebhookSubscription.objects.select_related("client").filter(pk=subscription_id).first()
        if subscription is None or not subscription.is_active:
            return "inactive"
        if not subscription.wants(event.event_type) or not client_may_receive(subscription.client, event.event_type):
            return "not wanted"
        if subscription_schema != event_schema and event_schema not in (subscription.client.municipalities or []):
            return "not wanted"  # the regional client no longer reaches this municipality
        previous = WebhookDelivery.objects.filter(subscription=subscription, event_uuid=event.event_id)
        if previous.filter(delivered=True).exists():
            return "already delivered"
        attempt = previous.count() + 1
        body = encode_body(event.payload)
        timestamp = int(time.time())
        delivery_id = uuid.uuid4()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: event.event_type,
            DELIVERY_HEADER: str(delivery_id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: f"{SIGNATURE_VERSION}={sign(subscription.secret, timestamp, body)}",
        }
        started = time.monotonic()
        result = post(subscription.url, body, headers, float(setting("WEBHOOK_TIMEOUT_SECONDS", 10)))
        duration_ms = int((time.monotonic() - started) * 1000)
        WebhookDelivery.objects.create(
            subscription=subscription, delivery_id=delivery_id, event_uuid=event.event_id,
            event_type=event.event_type, event_schema=event_schema, attempt=attempt,
            status_code=result.status_code, error=result.error, response_excerpt=result.excerpt,
            duration_ms=duration_ms, delivered=result.ok,
        )
        if result.ok:
            if subscription.consecutive_failures:
                WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
            return "delivered"
        failures, paused = _record_failure(subscription.pk)
    reason = result.error or f"HTTP {result.status_code}"
    if paused:
        logger.warning("webhook subscription %s (%s) paused after %d failures in a row; last: %s",
                       subscription_id, subscription_schema, failures, reason)
        return "paused"
    if not result.retry:
        logger.warning("webhook %s to subscription %s not sent: %s", event.event_id, subscription_id, reason)
        return "refused"
    raise WebhookDeliveryFailed(f"event {event.event_id} to subscription {subscription_id} "
                                f"(attempt {attempt}): {reason}")
