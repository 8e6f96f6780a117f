"""Building appeals and staff for tests: an applicant, classifier codes, intakes, registration."""

from __future__ import annotations

from datetime import UTC, datetime

from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.accounts.services import staff_user_create
from gorodok_services.appeals import services as appeal_services
from gorodok_services.appeals.models import Appeal
from gorodok_services.appeals.services import AppealIntake, QuestionInput
from tests.conftest import ADMIN_PASSWORD

ROAD = "0003.0009.0097.0684"  # section 0003: housing and utilities, roads
SNOW = "0003.0009.0097.0685"
LARGE_FAMILIES = "0002.0004.0041.0242"  # section 0002: social sphere

APPLICANT = {"applicant_name": "Иванов Иван Иванович", "applicant_email": "ivanov@example.ru",
             "applicant_phone": "+7 900 000-00-00", "applicant_address": "г. Альфа, ул. Ленина, 1"}

APPEAL_FIELDS = """id registrationNumber kind channel form status subject text problemAddress externalNumber
  applicant { type name inn ogrn email phone address } isCollective signatories receivedAt registeredAt
  dueRegisterAt dueForwardAt dueAt originalDueAt extendedAt extensionReason answeredAt answeredLate closedAt
  forwardedTo answerText noAnswerReason isOverdue underControl department { id name }
  executor { email fullName } questions { position classifierCode section text result }
  history { at actorEmail action fromStatus toStatus note } attachments { name size contentType }"""

APPEAL = "query ($id: ID!) { appeal(id: $id) { " + APPEAL_FIELDS + " } }"


def gid(appeal) -> str:
    return to_global_id("Appeal", appeal.pk)


def staff(tenant, email: str, *roles) -> str:
    """A member of staff of ``tenant`` with ``roles``; returns the e-mail to sign in with."""
    with schema_context(tenant.schema_name):
        staff_user_create(email=email, password=ADMIN_PASSWORD, roles=list(roles), full_name=email.split("@")[0])
    return email


def intake(**overrides) -> AppealIntake:
    values = {"channel": "feedback_platform", "subject": "Яма на дороге", "text": "На улице Ленина яма.",
              "questions": [QuestionInput(ROAD, "ремонт дороги")], **APPLICANT}
    values.update(overrides)
    return AppealIntake(**values)


def receive(tenant, **overrides) -> Appeal:
    with schema_context(tenant.schema_name):
        appeal, _ = appeal_services.appeal_receive(data=intake(**overrides))
        return appeal


def register(tenant, appeal: Appeal, registered_at: datetime | None = None):
    with schema_context(tenant.schema_name):
        return appeal_services.appeal_register(appeal=appeal, registered_at=registered_at)


def dated_intake(**overrides) -> AppealIntake:
    """An intake received at a fixed moment (2 March 2026, 03:00 UTC), for deadline arithmetic."""
    values = {
        "channel": "feedback_platform", "subject": "Яма на дороге", "text": "На улице Ленина яма.",
        "questions": [QuestionInput("0003.0009.0097.0684", "ремонт дороги")],
        "applicant_name": "Иванов Иван Иванович", "applicant_email": "ivanov@example.ru",
        "applicant_address": "г. Альфа, ул. Ленина, 1", "external_number": "POS-1",
        "received_at": datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return AppealIntake(**values)
