"""Jobs of the appeals module. Each takes ids, runs in the municipality's schema, and is idempotent.
The periodic sweep and retention are declared in the module's registry entry (``module.py``)."""

from __future__ import annotations

import dramatiq


@dramatiq.actor(queue_name="default", max_retries=5)
def send_appeal_notification(notification_id: int) -> None:
    """Send one recorded notification; a notification already sent is never sent again."""
    from gorodok_services.appeals.notifications import notification_send

    notification_send(notification_id)
