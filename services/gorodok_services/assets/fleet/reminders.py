"""Reminders before a warranty ends and before a software licence expires: the ICT fleet's periodic
job of the assets module (``fleet_reminders``, daily in every municipality with the module on).

The same pattern as the appeals sweep: each reminder is recorded once under a unique (kind, object,
end date) and e-mailed to staff after commit by a job (``send_fleet_reminder``), so a second run sends
nothing again and a job delivered twice sends one e-mail. Two runs in one schema never overlap (a
transaction-scoped advisory lock). The recipients are the address in the fleet settings, else the
municipality's administrators and asset managers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.mail import send_mail
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gorodok_platform.jobs.locks import PER_ITEM, advisory_lock, register_lock
from gorodok_services.assets.fleet.models import FleetReminder, FleetSettings, ReminderKind
from gorodok_services.assets.fleet.selectors import licences_expiring, warranty_ending

logger = logging.getLogger("gorodok.assets")

REMINDERS_LOCK = register_lock("assets.fleet_reminders", 0x60D0_0B21, kind=PER_ITEM,
                               purpose="one ICT fleet reminder run per schema")
REMINDER_SEND_LOCK = register_lock("assets.fleet_reminder_send", 0x60D0_0B22, kind=PER_ITEM,
                                   purpose="one sender of an ICT fleet reminder at a time")


@dataclass
class RemindersReport:
    schema: str
    skipped: bool = False
    warranty: int = 0
    licences: int = 0
    reminder_ids: list[int] = field(default_factory=list)


def reminder_recipients() -> list[str]:
    row = FleetSettings.current()
    if row.reminder_email:
        return [row.reminder_email]
    from gorodok_platform.accounts.models import User
    from gorodok_platform.accounts.roles import Role
    from gorodok_services.assets.module import ASSET_MANAGER

    emails = (User.objects.filter(is_active=True, groups__name__in=[Role.MUNICIPAL_ADMIN.value, ASSET_MANAGER])
              .exclude(email="").values_list("email", flat=True).distinct().order_by("email"))
    return list(emails)


def _record(report: RemindersReport, recipients: list[str], **key) -> bool:
    from gorodok_platform.jobs.enqueue import enqueue_on_commit
    from gorodok_services.assets.fleet.actors import send_fleet_reminder

    reminder, created = FleetReminder.objects.get_or_create(**key, defaults={"recipient": ", ".join(recipients)})
    if created:
        report.reminder_ids.append(reminder.pk)
        enqueue_on_commit(send_fleet_reminder, reminder.pk)
    return created


def fleet_reminders(*, now: datetime | None = None) -> RemindersReport:
    """Record and send the reminders due at ``now`` in the current schema (default: the present)."""
    from gorodok_services.assets.services import municipality_timezone
    from gorodok_services.core.calendar import local_date

    now = now or timezone.now()
    report = RemindersReport(schema=connection.schema_name)
    with advisory_lock(REMINDERS_LOCK.name, item=connection.schema_name, transaction=True) as locked:
        if not locked:
            report.skipped = True
            return report
        today = local_date(now, municipality_timezone())
        days = FleetSettings.current().reminder_days
        recipients = reminder_recipients()
        if not recipients:
            logger.warning("ICT fleet reminders in %s: nobody to send them to", report.schema)
            return report
        for profile in warranty_ending(today=today, days=days):
            if _record(report, recipients, kind=ReminderKind.WARRANTY, profile=profile,
                       ends_on=profile.warranty_until):
                report.warranty += 1
        for licence in licences_expiring(today=today, days=days).order_by("valid_until", "pk"):
            if _record(report, recipients, kind=ReminderKind.LICENCE, licence=licence, ends_on=licence.valid_until):
                report.licences += 1
        _resend_pending(now)
    return report


def run_fleet_reminders() -> None:
    """The periodic task's entry (no arguments: it runs in the schema the job names)."""
    fleet_reminders()


def _resend_pending(now: datetime, older_than: timedelta = timedelta(minutes=5)) -> int:
    from gorodok_platform.jobs.enqueue import enqueue_on_commit
    from gorodok_services.assets.fleet.actors import send_fleet_reminder

    pending = list(FleetReminder.objects.filter(sent_at__isnull=True, created_at__lt=now - older_than)
                   .values_list("pk", flat=True)[:500])
    for pk in pending:
        enqueue_on_commit(send_fleet_reminder, pk)
    return len(pending)


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def compose(reminder: FleetReminder) -> tuple[str, str]:
    if reminder.kind == ReminderKind.WARRANTY:
        profile = reminder.profile
        asset = profile.asset
        place = ", ".join(part for part in (str(profile.building.name) if profile.building_id else "",
                                            profile.room) if part) or "—"
        values = {"name": asset.name, "number": asset.register_number, "inventory": asset.inventory_number or "—",
                  "until": _day(reminder.ends_on), "place": place,
                  "who": profile.responsible_name or "—"}
        return (_("Warranty of %(name)s ends on %(until)s") % values,
                _("The warranty of %(name)s (register number %(number)s, inventory number %(inventory)s) ends on "
                  "%(until)s. Location: %(place)s. Responsible: %(who)s.") % values)
    licence = reminder.licence
    values = {"product": licence.product, "vendor": licence.vendor or "—", "seats": licence.seats,
              "until": _day(reminder.ends_on), "cost": licence.yearly_cost}
    return (_("Licence %(product)s expires on %(until)s") % values,
            _("The licence %(product)s (%(vendor)s, %(seats)s seats, %(cost)s roubles a year) expires on "
              "%(until)s: renew it or plan the replacement.") % values)


def reminder_send(reminder_id: int) -> bool:
    """Send one recorded reminder unless it was sent already; True if this call sent it. No
    transaction is open while the mail server is talked to (a session lock keeps two senders apart)."""
    schema = connection.schema_name
    with advisory_lock(REMINDER_SEND_LOCK.name, item=f"{schema}:{reminder_id}", private=False) as lock:
        if not lock:
            return False
        reminder = (FleetReminder.objects.select_related("profile__asset", "profile__building", "licence")
                    .filter(pk=reminder_id, sent_at__isnull=True).first())
        if reminder is None:
            return False
        with translation.override("ru"):
            subject, body = compose(reminder)
        send_mail(subject=subject, message=body, from_email=None,
                  recipient_list=[r.strip() for r in reminder.recipient.split(",") if r.strip()])
        FleetReminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=timezone.now())
        return True
