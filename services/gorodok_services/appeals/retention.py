"""Retention of personal data in appeals (152-FZ; the period is a per-municipality setting).

An appeal closed more than ``AppealsSettings.retention_years`` ago loses its personal data: the
applicant's name, INN, OGRN, e-mail, phone and address are erased; the subject, text and answer
are replaced by a placeholder; question texts, the address of the problem and the reason for an
extension are erased; attachments are deleted from storage; the history keeps who did what and
when but loses its notes and any detail that may name a person. What the monthly statistics need
stays: kind, channel, form, kind of applicant, collective or not, the dates, the questions with
their classifier codes, results and register objects (a building names no person), the department,
the flags.

Runs inside one municipality's schema. Idempotent (an anonymised appeal is never touched again)
and safe when two runs meet (rows are locked and skipped). A dry run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gorodok_platform.audit.services import audit_record
from gorodok_services.appeals.models import Appeal, AppealEvent, Attachment, Notification, NotificationKind, Question
from gorodok_services.appeals.sweep import RETENTION_LOCK, appeals_settings, schema_lock

PLACEHOLDER = _("[removed after the retention period]")

ERASED_FIELDS = ("applicant_name", "applicant_inn", "applicant_ogrn", "applicant_email", "applicant_phone",
                 "applicant_address", "problem_address", "extension_reason")
REPLACED_FIELDS = ("subject", "text", "answer_text")
# History details that never name a citizen; anything else in an entry's data is dropped.
KEPT_EVENT_DATA = frozenset({
    "channel", "kind", "registration_number", "due_at", "previous_due_at", "registered_late", "department",
    "executor", "days", "to", "forwarded_late", "answered_late", "results", "reason", "repeats", "missed", "due",
    "retention_years", "counted_from", "handling", "notice_due_at", "notice_late", "paused_due_at",
    "due_clarification_at", "paused_days", "position", "asset", "previous_asset",
})
# Notifications addressed to the author: their recipient is the author's e-mail.
AUTHOR_NOTIFICATIONS = (NotificationKind.REGISTERED_NOTICE, NotificationKind.EXTENSION_NOTICE,
                        NotificationKind.FORWARDED_NOTICE, NotificationKind.UNCLEAR_NOTICE)


@dataclass
class RetentionReport:
    schema: str
    now: datetime
    retention_years: int
    cutoff: datetime | None
    dry_run: bool
    skipped: bool = False
    appeals: int = 0
    attachments: int = 0
    events: int = 0
    questions: int = 0
    notifications: int = 0
    numbers: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"schema": self.schema, "dry_run": self.dry_run, "retention_years": self.retention_years,
                "cutoff": self.cutoff.isoformat() if self.cutoff else None, "appeals": self.appeals,
                "attachments": self.attachments, "events": self.events, "questions": self.questions,
                "notifications": self.notifications}


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def _placeholder() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(PLACEHOLDER)


def _scrubbed(event: AppealEvent) -> tuple[str, dict] | None:
    """The event's note and data without personal data, or None when nothing needs to change."""
    data = {key: value for key, value in (event.data or {}).items() if key in KEPT_EVENT_DATA}
    if not event.note and data == (event.data or {}):
        return None
    return "", data


def appeal_retention_candidates(now: datetime, years: int):
    cutoff = years_before(now, years)
    return Appeal.objects.filter(closed_at__isnull=False, closed_at__lt=cutoff, anonymised_at__isnull=True)


def appeals_retention(*, now: datetime | None = None, dry_run: bool = False, actor=None) -> RetentionReport:
    """Anonymise the appeals of the current schema whose retention period ended before ``now``.

    A retention period of 0 years means the municipality keeps its appeals: nothing is removed."""
    now = now or timezone.now()
    years = appeals_settings().retention_years
    report = RetentionReport(schema=connection.schema_name, now=now, retention_years=years,
                             cutoff=years_before(now, years) if years else None, dry_run=dry_run)
    if not years:
        return report
    candidates = appeal_retention_candidates(now, years).order_by("closed_at", "pk")
    if dry_run:
        ids = list(candidates.values_list("pk", flat=True))
        _count(report, ids)
        report.numbers = list(candidates.exclude(registration_number=None)
                              .values_list("registration_number", flat=True))
        return report
    with schema_lock(RETENTION_LOCK) as locked:
        if not locked:
            report.skipped = True
            return report
        appeals = list(candidates.select_for_update(skip_locked=True))
        if not appeals:
            return report
        ids = [appeal.pk for appeal in appeals]
        _count(report, ids)
        report.numbers = [appeal.registration_number for appeal in appeals if appeal.registration_number]
        _anonymise(appeals, ids, years)
        audit_record(action="appeals.retention", actor=actor, after=report.as_dict(),
                     reason=f"retention {years} years, closed before {report.cutoff.isoformat()}")
    return report


def _count(report: RetentionReport, ids: list[int]) -> None:
    report.appeals = len(ids)
    report.attachments = Attachment.objects.filter(appeal_id__in=ids).count()
    report.questions = Question.objects.filter(appeal_id__in=ids).exclude(text="").count()
    report.notifications = (Notification.objects.filter(appeal_id__in=ids, kind__in=AUTHOR_NOTIFICATIONS)
                            .exclude(recipient="").count())
    report.events = sum(1 for event in AppealEvent.objects.filter(appeal_id__in=ids) if _scrubbed(event))


def _anonymise(appeals: list[Appeal], ids: list[int], years: int) -> None:
    placeholder = _placeholder()
    moment = timezone.now()
    for appeal in appeals:
        for name in ERASED_FIELDS:
            setattr(appeal, name, "")
        for name in REPLACED_FIELDS:
            if getattr(appeal, name):
                setattr(appeal, name, placeholder)
        appeal.anonymised_at = appeal.updated_at = moment
    Appeal.objects.bulk_update(appeals, [*ERASED_FIELDS, *REPLACED_FIELDS, "anonymised_at", "updated_at"])
    Question.objects.filter(appeal_id__in=ids).exclude(text="").update(text="")
    Notification.objects.filter(appeal_id__in=ids, kind__in=AUTHOR_NOTIFICATIONS).update(recipient="")

    events = []
    for event in AppealEvent.objects.filter(appeal_id__in=ids):
        scrubbed = _scrubbed(event)
        if scrubbed:
            event.note, event.data = scrubbed
            events.append(event)
    AppealEvent.objects.bulk_update(events, ["note", "data"])

    attachments = list(Attachment.objects.filter(appeal_id__in=ids))
    files = [(attachment.file.storage, attachment.file.name) for attachment in attachments if attachment.file]
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    schema = connection.schema_name
    # Files go once the rows are gone for good: a rolled-back run leaves every file in place.
    transaction.on_commit(lambda: _delete_files(schema, files))

    AppealEvent.objects.bulk_create([
        AppealEvent(appeal=appeal, action="anonymised", from_status=appeal.status, to_status=appeal.status,
                    data={"retention_years": years})
        for appeal in appeals
    ])


def _delete_files(schema: str, files) -> None:
    from django_tenants.utils import schema_context

    with schema_context(schema):
        for storage, name in files:
            storage.delete(name)
