"""Jobs of the ICT fleet. Each takes ids, runs in the municipality's schema, and is idempotent. The
periodic reminder run is declared in the assets module's registry entry."""

from __future__ import annotations

import dramatiq


@dramatiq.actor(queue_name="default", max_retries=5)
def send_fleet_reminder(reminder_id: int) -> None:
    """Send one recorded reminder; a reminder already sent is never sent again."""
    from gorodok_services.assets.fleet.reminders import reminder_send

    reminder_send(reminder_id)
