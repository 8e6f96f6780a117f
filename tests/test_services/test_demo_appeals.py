"""Demo appeals: every state, some overdue, valid identifiers, idempotent, only in their schema."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_services.appeals.demo import DEPARTMENTS, KEY_PREFIX, seed_demo_appeals
from gorodok_services.appeals.models import (
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealStatus,
    ApplicantType,
    Department,
    Question,
)
from gorodok_services.appeals.selectors import appeal_overdue
from gorodok_services.classifier.services import BUNDLED, _rows
from gorodok_services.core.identifiers import valid_inn, valid_ogrn

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def demo_appeals():
    return Appeal.objects.filter(idempotency_key__startswith=KEY_PREFIX)


@pytest.fixture
def in_alpha(alpha):
    with schema_context(alpha.schema_name):
        yield alpha


def test_seeding_covers_every_state(in_alpha):
    assert seed_demo_appeals(seed=7, now=NOW) == 36
    appeals = demo_appeals()
    assert appeals.count() == 36
    assert set(appeals.values_list("status", flat=True)) == set(AppealStatus.values)
    assert appeals.filter(status=AppealStatus.RECEIVED, registered_at__isnull=True).exists()
    assert appeals.filter(status__in=OPEN_STATUSES, extended_at__isnull=False).exists()
    # Control and consideration on site are set by their actions: who, when and why are in the history.
    controlled = appeals.filter(under_control=True)
    assert controlled.exists() and all(a.events.filter(action="taken_under_control").exclude(note="").exists()
                                       and a.under_control_at for a in controlled)
    assert all(a.events.filter(action="considered_on_site").exists() for a in appeals.filter(considered_on_site=True))
    overdue = appeal_overdue(now=NOW).filter(idempotency_key__startswith=KEY_PREFIX)
    assert overdue.filter(registered_at__isnull=False).count() >= 2
    assert all(appeal.is_overdue for appeal in overdue)
    assert not appeals.exclude(pk__in=overdue.values("pk")).filter(is_overdue=True).exists()
    assert appeals.filter(is_collective=True, signatories__gt=1).exists()
    assert appeals.filter(repeats__isnull=False).exists()
    legal = appeals.filter(applicant_type=ApplicantType.LEGAL_ENTITY)
    assert legal.exists()
    assert all(valid_inn(a.applicant_inn) and valid_ogrn(a.applicant_ogrn) for a in legal)
    assert len(set(appeals.values_list("channel", flat=True))) >= 4
    assert all("г. Альфа" in a.problem_address for a in appeals)
    # Dates spread over the last two months, in order, none in the future.
    for appeal in appeals:
        assert NOW - timedelta(days=61) <= appeal.received_at <= NOW
        steps = [appeal.received_at, appeal.registered_at, appeal.answered_at, appeal.closed_at]
        present = [moment for moment in steps if moment is not None]
        assert present == sorted(present) and present[-1] <= NOW
        if appeal.answered_at:
            assert appeal.answered_late == (appeal.answered_at > appeal.due_at)
        events = list(AppealEvent.objects.filter(appeal=appeal).values_list("at", flat=True))
        assert events and max(events) <= NOW
    assert (max(appeals.values_list("received_at", flat=True))
            - min(appeals.values_list("received_at", flat=True))) > timedelta(days=40)
    bundled = {code for _n, code, _title in _rows(BUNDLED.read_text(encoding="utf-8"))}
    assert set(Question.objects.filter(appeal__in=appeals).values_list("classifier_code", flat=True)) <= bundled
    assert set(Department.objects.values_list("name", flat=True)) >= set(DEPARTMENTS)
    officer = User.objects.get(email="officer@alpha.gorodok.local")
    assert officer.is_staff and not officer.has_usable_password()
    assert officer.groups.filter(name="appeals_officer").exists()
    assert appeals.filter(status=AppealStatus.IN_PROGRESS, executor__isnull=False, department__isnull=False).exists()


def test_second_run_creates_nothing(in_alpha):
    assert seed_demo_appeals(count=20, seed=1, now=NOW) == 20
    counts = (Appeal.objects.count(), Department.objects.count(), User.objects.count(), AppealEvent.objects.count())
    assert seed_demo_appeals(count=20, seed=2) == 0
    assert (Appeal.objects.count(), Department.objects.count(), User.objects.count(),
            AppealEvent.objects.count()) == counts
    assert seed_demo_appeals(count=22, seed=1, now=NOW) == 2  # only the missing ones
    assert demo_appeals().count() == 22


def test_only_in_the_schema_it_runs_in(alpha, beta):
    with schema_context(alpha.schema_name):
        seed_demo_appeals(count=12, seed=3, now=NOW)
        assert demo_appeals().count() == 12
    with schema_context(beta.schema_name):
        assert not Appeal.objects.exists()
        assert not User.objects.filter(email__startswith="officer@").exists()


def test_the_same_seed_gives_the_same_appeals(in_alpha):
    def snapshot():
        return list(demo_appeals().order_by("idempotency_key").values_list(
            "idempotency_key", "subject", "text", "applicant_name", "channel", "kind", "status", "received_at",
            "registered_at", "due_at", "answered_at", "closed_at"))

    with transaction.atomic():
        seed_demo_appeals(count=15, seed=11, now=NOW)
        first = snapshot()
        transaction.set_rollback(True)
    assert not demo_appeals().exists()
    seed_demo_appeals(count=15, seed=11, now=NOW)
    assert snapshot() == first


def test_refuses_the_public_schema(db):
    with pytest.raises(RuntimeError):
        seed_demo_appeals(count=1)


def test_command_for_one_and_for_all(alpha, beta):
    out = io.StringIO()
    call_command("seed_demo_appeals", "--schema", alpha.schema_name, "--count", "9", "--seed", "5", stdout=out)
    assert "9" in out.getvalue()
    with schema_context(alpha.schema_name):
        assert demo_appeals().count() == 9
    call_command("seed_demo_appeals", "--all", "--count", "9", "--quiet", stdout=out)
    for municipality in (alpha, beta):
        with schema_context(municipality.schema_name):
            assert demo_appeals().count() == 9
            assert set(demo_appeals().values_list("status", flat=True)) == set(AppealStatus.values)


def test_the_generic_demo_command_runs_the_modules_seeders(alpha):
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("seed_demo", "--schema", alpha.schema_name, stdout=out)
    assert "appeals: 36 new" in out.getvalue()
    call_command("seed_demo", "--schema", alpha.schema_name, stdout=out)
    assert "appeals: 0 new" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("seed_demo", "--schema", alpha.schema_name, "--module", "nothing")
