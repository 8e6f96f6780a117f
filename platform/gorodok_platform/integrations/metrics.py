"""The outbox and the webhooks in /metrics: events waiting to be dispatched and failed deliveries in the
last hour, per schema (a municipality's, or ``public`` for the region), read at each scrape with one
probe over all schemas each (``jobs.probes``); schemas with nothing to report are left out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

FAILURE_WINDOW = timedelta(hours=1)


def integration_metrics() -> Iterable[Metric]:
    from gorodok_platform.integrations.models import OutboxEvent, WebhookDelivery
    from gorodok_platform.integrations.outbox import outbox_schemas
    from gorodok_platform.jobs.probes import schemas_counting

    schemas = outbox_schemas()
    backlog = GaugeMetricFamily("gorodok_outbox_backlog", "Events of a schema not yet dispatched to webhooks.",
                                labels=["municipality"])
    for schema, count in sorted(schemas_counting(schemas, OutboxEvent._meta.db_table,
                                                 "dispatched_at IS NULL").items()):
        backlog.add_metric([schema], count)
    yield backlog
    failures = GaugeMetricFamily("gorodok_webhook_failures_last_hour",
                                 "Webhook deliveries that failed in the last hour, by the subscription's schema.",
                                 labels=["municipality"])
    since = timezone.now() - FAILURE_WINDOW
    for schema, count in sorted(schemas_counting(schemas, WebhookDelivery._meta.db_table,
                                                 "delivered = false AND created_at >= %s", [since]).items()):
        failures.add_metric([schema], count)
    yield failures
