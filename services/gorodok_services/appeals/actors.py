"""Jobs of the appeals module. Each takes ids, runs in the municipality's schema, and is idempotent.
The periodic sweep and retention are declared in the module's registry entry (``module.py``)."""

from __future__ import annotations

import dramatiq
from django.db import transaction
from django.utils import timezone


@dramatiq.actor(queue_name="default", max_retries=5)
def send_appeal_notification(notification_id: int) -> None:
    """Send one recorded notification; a notification already sent is never sent again."""
    from gorodok_services.appeals.notifications import deliver

    with transaction.atomic():
        from gorodok_services.appeals.models import Notification

        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.sent_at is not None:
            return
        deliver(notification)
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
