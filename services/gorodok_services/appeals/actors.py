"""Jobs of the appeals module. Each takes ids, runs in the municipality's schema, and is idempotent."""

from __future__ import annotations

import dramatiq

from gorodok_platform.jobs.middleware import send_in_tenant
from gorodok_platform.jobs.scheduler import periodic


@dramatiq.actor(queue_name="default", max_retries=5)
def send_appeal_notification(notification_id: int) -> None:
    """Send one recorded notification; a notification already sent is never sent again."""
    from gorodok_services.appeals.notifications import notification_send

    notification_send(notification_id)


@dramatiq.actor(queue_name="default", max_retries=3)
def sweep_municipality_appeals() -> None:
    """Sweep one municipality's appeals (runs in the schema named by the message); idempotent."""
    from gorodok_services.appeals.sweep import appeals_enabled_here, appeals_sweep

    if appeals_enabled_here():
        appeals_sweep()


@periodic(seconds=3600)
@dramatiq.actor(queue_name="default", max_retries=0)
def sweep_all_appeals() -> None:
    """Fan out one sweep per active municipality with the appeals module on (sent in public).
    Hourly, so a reminder or an escalation is never more than an hour late; each runs once."""
    from gorodok_services.appeals.sweep import appeals_municipalities

    for municipality in appeals_municipalities():
        send_in_tenant(sweep_municipality_appeals, municipality.schema_name)


@dramatiq.actor(queue_name="default", max_retries=3)
def apply_municipality_retention() -> None:
    """Remove expired personal data from one municipality's appeals (runs in its schema); idempotent."""
    from gorodok_services.appeals.retention import appeals_retention
    from gorodok_services.appeals.sweep import appeals_enabled_here

    if appeals_enabled_here():
        appeals_retention()


@periodic(seconds=24 * 3600)
@dramatiq.actor(queue_name="default", max_retries=0)
def apply_all_retention() -> None:
    """Fan out the retention job daily, one message per municipality with the appeals module on."""
    from gorodok_services.appeals.sweep import appeals_municipalities

    for municipality in appeals_municipalities():
        send_in_tenant(apply_municipality_retention, municipality.schema_name)
