"""Retention: personal data leave appeals closed longer ago than the municipality's period;
the figures the statistics need stay; the run is audited, idempotent, and a dry run changes nothing."""

from __future__ import annotations

import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.audit.models import AuditEntry
from gorodok_services.appeals import services
from gorodok_services.appeals.models import (
    Appeal,
    AppealEvent,
    AppealsSettings,
    AppealStatus,
    Attachment,
    Notification,
    NotificationKind,
    QuestionResult,
)
from gorodok_services.appeals.retention import appeals_retention
from gorodok_services.appeals.services import QuestionInput
from tests.support.appeals import dated_intake as intake

YEAR = timedelta(days=366)


@pytest.fixture
def in_alpha(alpha, media_root):
    with schema_context(alpha.schema_name):
        yield alpha


def closed_appeal(number: int, **overrides) -> Appeal:
    """An appeal with everything personal data can hide in: applicant, texts, a file, notes."""
    values = {
        "external_number": f"RET-{number}", "applicant_type": "legal_entity", "applicant_name": "ООО «Ромашка»",
        "applicant_inn": "7707083893", "applicant_ogrn": "1027700132195", "applicant_phone": "+7 913 000-00-00",
        "text": "Прошу отремонтировать крышу дома Петрова.", "problem_address": "ул. Ленина, 1",
        "questions": [QuestionInput("0003.0009.0097.0684", "крыша дома Петрова"),
                      QuestionInput("0003.0009.0097.0684", "подъезд")],
        "received_at": timezone.now() - timedelta(days=40),
    }
    values.update(overrides)
    appeal, _ = services.appeal_receive(data=intake(**values))
    appeal = services.appeal_register(appeal=appeal, registered_at=appeal.received_at + timedelta(hours=2)).appeal
    services.appeal_attach(appeal=appeal, uploaded=SimpleUploadedFile("petrov.txt", b"secret", "text/plain"))
    appeal = services.appeal_assign(appeal=appeal, executor=User.objects.get(email="admin@alpha.example.ru"))
    appeal = services.appeal_extend(appeal=appeal, days=10, reason="Нужен ответ Петрова П. П.")
    appeal = services.appeal_answer(appeal=appeal, answer_text="Уважаемый Иван Иванович, крыша отремонтирована.",
                                    results={1: QuestionResult.MEASURES_TAKEN, 2: QuestionResult.EXPLAINED})
    return services.appeal_close(appeal=appeal)


def fields(appeal: Appeal, *names: str) -> dict:
    appeal.refresh_from_db()
    return {name: getattr(appeal, name) for name in names}


STATISTICS = ("registration_number", "kind", "channel", "form", "applicant_type", "is_collective", "signatories",
              "status", "received_at", "registered_at", "due_at", "original_due_at", "extended_at", "answered_at",
              "closed_at", "answered_late", "executor_id", "external_number")


def test_dry_run_reports_and_changes_nothing(in_alpha, django_capture_on_commit_callbacks):
    appeal = closed_appeal(1)
    path = appeal.attachments.get().file.path
    before = fields(appeal, "applicant_name", "text", "answer_text", "anonymised_at")
    audits = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = appeals_retention(now=timezone.now() + 6 * YEAR, dry_run=True)
    assert report.dry_run and report.appeals == 1 and report.attachments == 1
    assert report.numbers == [appeal.registration_number]
    assert report.events >= 1 and report.questions == 2
    assert report.notifications == 2  # the registration and extension notices went to the author
    assert fields(appeal, *before) == before and before["anonymised_at"] is None
    assert os.path.exists(path) and Attachment.objects.filter(appeal=appeal).exists()
    assert AuditEntry.objects.count() == audits and not callbacks


def test_run_removes_personal_data_and_keeps_the_figures(in_alpha, django_capture_on_commit_callbacks):
    appeal = closed_appeal(1)
    kept = fields(appeal, *STATISTICS)
    questions = list(appeal.questions.values_list("position", "classifier_code", "result"))
    path = appeal.attachments.get().file.path
    events_before = appeal.events.count()

    with django_capture_on_commit_callbacks(execute=True):
        report = appeals_retention(now=timezone.now() + 6 * YEAR)
    assert (report.appeals, report.attachments, report.questions) == (1, 1, 2)

    appeal.refresh_from_db()
    assert appeal.anonymised_at is not None
    for name in ("applicant_name", "applicant_inn", "applicant_ogrn", "applicant_email", "applicant_phone",
                 "applicant_address", "problem_address", "extension_reason"):
        assert getattr(appeal, name) == "", name
    assert appeal.text == appeal.answer_text == appeal.subject
    assert "Петров" not in appeal.subject and "Иван" not in appeal.answer_text
    assert fields(appeal, *STATISTICS) == kept
    assert list(appeal.questions.values_list("position", "classifier_code", "result")) == questions
    assert set(appeal.questions.values_list("text", flat=True)) == {""}

    assert not Attachment.objects.filter(appeal=appeal).exists() and not os.path.exists(path)
    history = list(appeal.events.order_by("at", "id"))
    assert len(history) == events_before + 1 and history[-1].action == "anonymised"
    assert all(event.note == "" for event in history)
    assert not [event for event in history if "file" in event.data]
    assert [e.action for e in history][:6] == ["received", "registered", "attached", "assigned", "extended",
                                               "answered"]
    notice = Notification.objects.get(appeal=appeal, kind=NotificationKind.REGISTERED_NOTICE)
    assert notice.recipient == ""

    entry = AuditEntry.objects.get(action="appeals.retention")
    assert entry.after["appeals"] == 1 and entry.after["attachments"] == 1 and entry.after["retention_years"] == 5
    assert entry.tenant_schema == in_alpha.schema_name and entry.actor_kind == "system"
    assert "Петров" not in str(entry.after) + entry.reason


def test_run_is_idempotent(in_alpha, django_capture_on_commit_callbacks):
    appeal = closed_appeal(1)
    later = timezone.now() + 6 * YEAR
    with django_capture_on_commit_callbacks(execute=True):
        appeals_retention(now=later)
    stamp = fields(appeal, "anonymised_at", "updated_at")
    with django_capture_on_commit_callbacks(execute=True):
        again = appeals_retention(now=later + YEAR)
    assert again.appeals == 0 and fields(appeal, "anonymised_at", "updated_at") == stamp
    assert AuditEntry.objects.filter(action="appeals.retention").count() == 1
    assert appeal.events.filter(action="anonymised").count() == 1


def test_only_appeals_closed_before_the_period_and_the_period_is_per_municipality(in_alpha):
    old = closed_appeal(1)
    recent = closed_appeal(2)
    Appeal.objects.filter(pk=old.pk).update(closed_at=timezone.now() - 3 * YEAR)
    still_open, _ = services.appeal_receive(data=intake(external_number="RET-OPEN",
                                                        received_at=timezone.now() - 10 * YEAR))
    assert appeals_retention(dry_run=True).appeals == 0  # five years by default
    row = AppealsSettings.current()
    row.retention_years = 2
    row.save()
    report = appeals_retention()
    assert report.appeals == 1 and report.retention_years == 2
    assert Appeal.objects.get(pk=old.pk).anonymised_at is not None
    assert Appeal.objects.get(pk=recent.pk).anonymised_at is None
    assert Appeal.objects.get(pk=still_open.pk).applicant_name == "Иванов Иван Иванович"


def test_zero_years_keeps_everything(in_alpha):
    appeal = closed_appeal(1)
    AppealsSettings.current()
    AppealsSettings.objects.update(retention_years=0)
    report = appeals_retention(now=timezone.now() + 50 * YEAR)
    assert report.appeals == 0 and Appeal.objects.get(pk=appeal.pk).anonymised_at is None


def test_other_municipalities_are_untouched(in_alpha, beta):
    appeal = closed_appeal(1)
    with schema_context(beta.schema_name):
        assert appeals_retention(now=timezone.now() + 6 * YEAR).appeals == 0
    assert Appeal.objects.get(pk=appeal.pk).anonymised_at is None


def test_appeals_left_without_answer_and_forwarded_count_from_their_closing(in_alpha):
    forwarded, _ = services.appeal_receive(data=intake(external_number="RET-F"))
    forwarded = services.appeal_register(appeal=forwarded).appeal
    services.appeal_forward(appeal=forwarded, to="Прокуратура", note="Иванов сообщает о преступлении")
    report = appeals_retention(now=timezone.now() + 6 * YEAR)
    assert report.appeals == 1
    forwarded.refresh_from_db()
    assert forwarded.status == AppealStatus.FORWARDED and forwarded.forwarded_to == "Прокуратура"
    assert not AppealEvent.objects.filter(appeal=forwarded).exclude(note="").exists()
    # The notice that told the author where the appeal went was addressed to the author's e-mail.
    notices = Notification.objects.filter(appeal=forwarded, kind=NotificationKind.FORWARDED_NOTICE)
    assert notices.exists() and not notices.exclude(recipient="").exists()


def test_command_dry_run_and_run(in_alpha):
    appeal = closed_appeal(1)
    Appeal.objects.filter(pk=appeal.pk).update(closed_at=timezone.now() - 6 * YEAR)
    out = StringIO()
    call_command("appeals_retention", "--schema", in_alpha.schema_name, "--dry-run", stdout=out)
    assert "would anonymise 1 appeals" in out.getvalue() and appeal.registration_number in out.getvalue()
    assert Appeal.objects.get(pk=appeal.pk).anonymised_at is None
    out = StringIO()
    call_command("appeals_retention", "--schema", in_alpha.schema_name, stdout=out)
    assert "anonymised 1 appeals" in out.getvalue()
    assert Appeal.objects.get(pk=appeal.pk).anonymised_at is not None


def test_municipality_job_applies_retention_in_its_schema(in_alpha):
    from gorodok_tenants.modules.jobs import run_module_task

    appeal = closed_appeal(1)
    Appeal.objects.filter(pk=appeal.pk).update(closed_at=timezone.now() - 6 * YEAR)
    run_module_task.fn("appeals", "retention")
    assert Appeal.objects.get(pk=appeal.pk).anonymised_at is not None
