"""The life of an appeal through the services: intake, registration, routing, extension, answer."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_services.appeals import services
from gorodok_services.appeals.models import Appeal, AppealStatus, QuestionResult
from tests.support.appeals import dated_intake as intake


@pytest.fixture
def in_alpha(alpha):
    with schema_context(alpha.schema_name):
        yield alpha


def test_full_flow(in_alpha):
    appeal, created = services.appeal_receive(data=intake())
    assert created and appeal.status == AppealStatus.RECEIVED
    registration = services.appeal_register(appeal=appeal, registered_at=datetime(2026, 3, 3, 2, 0, tzinfo=UTC))
    appeal = registration.appeal
    assert appeal.registration_number == "ОГ-2026-00001"
    assert len(registration.access_code) == 8
    # Registered 3 March (Krasnoyarsk): 30 days later is 2 April 2026, a Thursday.
    assert appeal.due_at.astimezone(ZoneInfo("Asia/Krasnoyarsk")).date().isoformat() == "2026-04-02"
    executor = User.objects.get(email=in_alpha.admin_email)
    appeal = services.appeal_assign(appeal=appeal, executor=executor)
    appeal = services.appeal_extend(appeal=appeal, days=30, reason="Нужна выездная проверка")
    with pytest.raises(ValidationError) as again:
        services.appeal_extend(appeal=appeal, days=5, reason="Ещё раз")
    assert again.value.code == "already_extended"
    appeal = services.appeal_answer(appeal=appeal, answer_text="Яма заделана.", results={1: "measures_taken"})
    assert appeal.status == AppealStatus.ANSWERED
    assert appeal.questions.get().result == QuestionResult.MEASURES_TAKEN
    appeal = services.appeal_close(appeal=appeal)
    actions = list(appeal.events.values_list("action", flat=True))
    assert actions == ["received", "registered", "assigned", "extended", "answered", "closed"]
    status = services.appeal_public_status(registration_number=appeal.registration_number,
                                           access_code=registration.access_code)
    assert status.status == "closed" and status.extended
    assert services.appeal_public_status(registration_number=appeal.registration_number, access_code="WRONG") is None


def test_same_submission_twice_is_one_appeal(in_alpha):
    first, created = services.appeal_receive(data=intake())
    second, created_again = services.appeal_receive(data=intake())
    assert created and not created_again and first.pk == second.pk
    assert Appeal.objects.count() == 1
