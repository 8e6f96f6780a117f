"""The hourly sweep of one municipality's appeals: overdue flags, reminders, overdue notices and
escalations to the head, for the answer term and for the term an unclear appeal waits for the
author's clarification (keys ``answer:<day>``, ``register:<day>``, ``clarification:<day>``).

Runs inside the municipality's schema (a job, or the ``appeals_sweep`` command). It is idempotent:
every notification is recorded once under a unique (appeal, kind, key) and sent after commit, so a
second run sends nothing again. Two sweeps of the same schema never run at once: a transaction-scoped
advisory lock lets the first one work and the other return at once (``skipped``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from gorodok_platform.integrations.outbox import outbox_emit
from gorodok_platform.jobs.locks import PER_ITEM, LockKey, advisory_lock, register_lock
from gorodok_services.appeals import events
from gorodok_services.appeals.deadlines import tenant_timezone
from gorodok_services.appeals.models import (
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealsSettings,
    AppealStatus,
    NotificationKind,
)
from gorodok_services.appeals.notifications import notification_record, notifications_resend_pending
from gorodok_services.appeals.selectors import appeal_overdue
from gorodok_services.core.calendar import end_of_local_day, local_date

MODULE_CODE = "appeals"
# One sweep and one retention run per schema at a time (transaction locks, per schema).
SWEEP_LOCK = register_lock("appeals.sweep", 0x60D0_0A01, kind=PER_ITEM, purpose="one appeals sweep per schema")
RETENTION_LOCK = register_lock("appeals.retention", 0x60D0_0A02, kind=PER_ITEM,
                               purpose="one appeals retention run per schema")


@dataclass
class SweepReport:
    schema: str
    now: datetime
    skipped: bool = False
    flagged: int = 0
    unflagged: int = 0
    reminders: int = 0
    overdue_notices: int = 0
    escalations: int = 0
    notification_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"schema": self.schema, "skipped": self.skipped, "flagged": self.flagged,
                "unflagged": self.unflagged, "reminders": self.reminders,
                "overdue_notices": self.overdue_notices, "escalations": self.escalations}


# --- shared helpers (the retention job uses them too) ----------------------------------------------

def appeals_settings() -> AppealsSettings:
    """The municipality's settings, or the defaults when it never saved any (nothing is written)."""
    return AppealsSettings.objects.order_by("pk").first() or AppealsSettings()


def schema_lock(lock: LockKey):
    """A transaction (opened here) holding ``lock`` for the current schema if it was free; the context
    manager yields whether it was."""
    return advisory_lock(lock.name, item=connection.schema_name, transaction=True)


def appeals_municipalities():
    """Active municipalities that have the appeals module switched on (read in the public schema)."""
    from gorodok_tenants.modules import municipalities_with_module

    return list(municipalities_with_module(MODULE_CODE))


# --- the sweep -------------------------------------------------------------------------------------

def _staff_recipient(appeal: Appeal) -> str:
    """Who works on the appeal: its executor, else its department's head."""
    executor_email = getattr(appeal.executor, "email", "") if appeal.executor_id else ""
    if executor_email:
        return executor_email
    return appeal.department.head_email if appeal.department_id else ""


def _missed_deadline(appeal: Appeal, now: datetime) -> tuple[str, datetime]:
    """Which deadline an overdue appeal missed: registration or answer."""
    if appeal.registered_at is None and appeal.due_register_at < now:
        return "register", appeal.due_register_at
    return "answer", appeal.due_at


def _notify_once(appeal: Appeal, kind: str, key: str, recipient: str, report: SweepReport) -> bool:
    """Record the notification unless it exists already; send it after commit. True if new."""
    notification, created = notification_record(appeal=appeal, kind=kind, key=key, recipient=recipient)
    if created:
        report.notification_ids.append(notification.pk)
    return created


def appeals_sweep(*, now: datetime | None = None) -> SweepReport:
    """Sweep the appeals of the current schema at ``now`` (default: the present moment)."""
    now = now or timezone.now()
    report = SweepReport(schema=connection.schema_name, now=now)
    with schema_lock(SWEEP_LOCK) as locked:
        if not locked:
            report.skipped = True
            return report
        settings_row = appeals_settings()
        zone = tenant_timezone()
        today = local_date(now, zone)
        changed_at = timezone.now()

        overdue = appeal_overdue(now)
        newly_overdue = list(overdue.filter(is_overdue=False).select_for_update().order_by("pk"))
        report.flagged = Appeal.objects.filter(pk__in=[a.pk for a in newly_overdue]).update(
            is_overdue=True, updated_at=changed_at)
        for appeal in newly_overdue:
            appeal.is_overdue = True
            outbox_emit(events.OVERDUE, events.appeal_event_data(appeal, missed=_missed_deadline(appeal, now)[0]))
        report.unflagged = (Appeal.objects.filter(is_overdue=True).exclude(pk__in=overdue.values("pk"))
                            .update(is_overdue=False, updated_at=changed_at))

        horizon = end_of_local_day(today + timedelta(days=settings_row.reminder_days), zone)
        coming = (Appeal.objects.filter(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lte=horizon)
                  .select_related("executor", "department").order_by("due_at", "pk"))
        for appeal in coming:
            key = f"answer:{local_date(appeal.due_at, zone).isoformat()}"
            if _notify_once(appeal, NotificationKind.REMINDER, key, _staff_recipient(appeal), report):
                report.reminders += 1

        for appeal in overdue.select_related("executor", "department").order_by("pk"):
            which, missed = _missed_deadline(appeal, now)
            missed_day = local_date(missed, zone)
            key = f"{which}:{missed_day.isoformat()}"
            if _notify_once(appeal, NotificationKind.OVERDUE, key, _staff_recipient(appeal), report):
                report.overdue_notices += 1
            if (today - missed_day).days < settings_row.escalate_after_days:
                continue
            if _notify_once(appeal, NotificationKind.ESCALATION, key, settings_row.head_email, report):
                Appeal.objects.filter(pk=appeal.pk).update(escalated_at=now, updated_at=changed_at)
                AppealEvent.objects.create(appeal=appeal, action="escalated", from_status=appeal.status,
                                           to_status=appeal.status,
                                           data={"missed": which, "due": missed.isoformat()})
                report.escalations += 1

        waiting = (Appeal.objects.filter(status=AppealStatus.AWAITING_CLARIFICATION, due_clarification_at__isnull=False)
                   .select_related("executor", "department").order_by("due_clarification_at", "pk"))
        for appeal in waiting:
            missed_day = local_date(appeal.due_clarification_at, zone)
            key = f"clarification:{missed_day.isoformat()}"
            if appeal.due_clarification_at >= now:
                if appeal.due_clarification_at <= horizon and _notify_once(
                        appeal, NotificationKind.REMINDER, key, _staff_recipient(appeal), report):
                    report.reminders += 1
                continue
            if _notify_once(appeal, NotificationKind.OVERDUE, key, _staff_recipient(appeal), report):
                report.overdue_notices += 1
            if (today - missed_day).days < settings_row.escalate_after_days:
                continue
            if _notify_once(appeal, NotificationKind.ESCALATION, key, settings_row.head_email, report):
                Appeal.objects.filter(pk=appeal.pk).update(escalated_at=now, updated_at=changed_at)
                AppealEvent.objects.create(appeal=appeal, action="escalated", from_status=appeal.status,
                                           to_status=appeal.status,
                                           data={"missed": "clarification",
                                                 "due": appeal.due_clarification_at.isoformat()})
                report.escalations += 1
        notifications_resend_pending(now=now)
    return report
