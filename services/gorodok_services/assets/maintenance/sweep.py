"""The daily maintenance run of one municipality (the assets module's periodic task ``maintenance``):
each occurrence of scheduled work (schedule, object, due date) is announced once by the webhook
``maintenance.due`` when it comes within the due window and once by ``maintenance.overdue`` when its
date has passed. The unique notice row is written in the same transaction as the event (the outbox), so
a second run emits nothing again; two runs in one schema never overlap (a transaction advisory lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from gorodok_platform.integrations.outbox import outbox_emit
from gorodok_platform.jobs.locks import PER_ITEM, advisory_lock, register_lock
from gorodok_services.assets.maintenance.models import MaintenanceNotice, NoticeKind
from gorodok_services.assets.maintenance.selectors import DueWork, maintenance_due
from gorodok_services.assets.module import MAINTENANCE_DUE, MAINTENANCE_OVERDUE

SWEEP_LOCK = register_lock("assets.maintenance_sweep", 0x60D0_0B23, kind=PER_ITEM,
                           purpose="one maintenance run per schema")


@dataclass
class MaintenanceSweepReport:
    schema: str
    skipped: bool = False
    due: int = 0
    overdue: int = 0


def due_event_data(item: DueWork) -> dict:
    from gorodok_services.assets.services import asset_global_id

    schedule, asset = item.schedule, item.asset
    return {
        "schedule": {"id": maintenance_schedule_global_id(schedule), "title": schedule.title,
                     "work_type": schedule.work_type, "every_months": schedule.every_months},
        "asset": {"id": asset_global_id(asset), "register_number": asset.register_number, "name": asset.name,
                  "kind": asset.kind, "address": asset.address},
        "due_on": item.due_on,
        "last_done_on": item.last_done_on,
        "overdue": item.overdue,
    }


def maintenance_schedule_global_id(schedule) -> str:
    import base64

    return base64.b64encode(f"MaintenanceSchedule:{schedule.pk}".encode()).decode("ascii")


def maintenance_sweep(*, now: datetime | None = None) -> MaintenanceSweepReport:
    from gorodok_services.assets.services import municipality_timezone
    from gorodok_services.core.calendar import local_date

    now = now or timezone.now()
    report = MaintenanceSweepReport(schema=connection.schema_name)
    with advisory_lock(SWEEP_LOCK.name, item=connection.schema_name, transaction=True) as locked:
        if not locked:
            report.skipped = True
            return report
        today = local_date(now, municipality_timezone())
        for item in maintenance_due(today=today):
            kind = NoticeKind.OVERDUE if item.overdue else NoticeKind.DUE
            _notice, created = MaintenanceNotice.objects.get_or_create(
                schedule=item.schedule, asset=item.asset, kind=kind, due_on=item.due_on)
            if not created:
                continue
            outbox_emit(MAINTENANCE_OVERDUE if item.overdue else MAINTENANCE_DUE, due_event_data(item))
            if item.overdue:
                report.overdue += 1
            else:
                report.due += 1
    return report


def run_maintenance_sweep() -> None:
    """The periodic task's entry (no arguments: it runs in the schema the job names)."""
    maintenance_sweep()
