from datetime import timedelta

import graphene
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gorodok_graphql.appeals.enums import (
    AppealApplicantTypeEnum,
    AppealChannelEnum,
    AppealErrorCode,
    AppealFormEnum,
    AppealKindEnum,
)
from gorodok_graphql.appeals.mutations.payload import AppealPayload, caller_source, reloaded, scoped_idempotency_key
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import AppealError
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.ids import pk_from_global_id
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.models import Appeal as AppealModel
from gorodok_services.appeals.services import AppealIntake, QuestionInput, appeal_receive

# Inputs stored in columns of limited length: checked here so that a long value is an error, not a crash.
LIMITED_FIELDS = ("applicant_name", "applicant_inn", "applicant_ogrn", "applicant_email", "applicant_phone",
                  "applicant_address", "problem_address")
IDEMPOTENCY_KEY_MAX_LENGTH = AppealModel._meta.get_field("idempotency_key").max_length
CLOCK_SKEW = timedelta(minutes=5)


class AppealQuestionInput(graphene.InputObjectType):
    classifier_code = graphene.String(required=True, description="A code of the thematic classifier.")
    text = graphene.String(description="The question in the author's words, or a summary.")
    asset_id = graphene.ID(description="Global ID of the register object the question concerns (a building, a "
                                       "network section); it must be in this municipality's register.")


class ReceiveAppealInput(graphene.InputObjectType):
    channel = AppealChannelEnum(required=True)
    kind = AppealKindEnum(description="STATEMENT when omitted.")
    form = AppealFormEnum(description="Follows from the channel when omitted.")
    subject = graphene.String(required=True)
    text = graphene.String(required=True)
    questions = graphene.List(graphene.NonNull(AppealQuestionInput), required=True)
    applicant_type = AppealApplicantTypeEnum(description="PERSON when omitted.")
    applicant_name = graphene.String()
    applicant_inn = graphene.String(description="Required for a legal entity.")
    applicant_ogrn = graphene.String()
    applicant_email = graphene.String()
    applicant_phone = graphene.String()
    applicant_address = graphene.String()
    is_collective = graphene.Boolean()
    signatories = graphene.Int(description="1 when omitted; a collective appeal may have more.")
    problem_address = graphene.String()
    external_number = graphene.String(
        description="The sender's own number, e.g. the feedback platform's: the same one twice is one appeal."
    )
    received_at = graphene.DateTime(description="When it arrived; now when omitted. Not in the future.")


class ReceiveAppeal(AppealPayload, BaseMutation):
    """Record an arriving appeal. The same appeal sent again (the same channel and external number, or the
    same idempotency key) by the same sender is not recorded twice: the first one comes back with created:
    false. Idempotency keys are the sending API client's own; the same channel and external number from
    another sender is refused with DUPLICATE, without that appeal."""

    created = graphene.Boolean(description="False when the appeal had already been received.")

    class Arguments:
        input = ReceiveAppealInput(required=True)
        idempotency_key = graphene.String(description="Any string unique to this submission, at most 128 characters.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, input, idempotency_key=None):
        _check_shape(input, idempotency_key)
        data = AppealIntake(
            channel=enum_value(input["channel"]),
            kind=enum_value(input.get("kind")) or AppealIntake.kind,
            form=enum_value(input.get("form")) or None,
            subject=input["subject"],
            text=input["text"],
            questions=[QuestionInput(classifier_code=q["classifier_code"].strip(), text=q.get("text") or "",
                                     asset_id=_asset_pk(q.get("asset_id")))
                       for q in input["questions"]],
            applicant_type=enum_value(input.get("applicant_type")) or AppealIntake.applicant_type,
            is_collective=bool(input.get("is_collective")),
            signatories=input.get("signatories") or 1,
            external_number=(input.get("external_number") or "").strip() or None,
            received_at=input.get("received_at"),
            **{name: (input.get(name) or "").strip() for name in LIMITED_FIELDS},
        )
        appeal, created = appeal_receive(
            data=data, actor=info.context.user, source=caller_source(info),
            idempotency_key=scoped_idempotency_key(info, (idempotency_key or "").strip() or None))
        return cls(appeal=reloaded(appeal, info), created=created)


def _asset_pk(global_id) -> int | None:
    """The register object an ID names: an ID that cannot name one is simply not found (questions)."""
    if not global_id:
        return None
    pk = pk_from_global_id(global_id, "Asset")
    if pk is None:
        raise ValidationError({"questions": ValidationError(_("No such register object."), code="not_found")})
    return pk


def _check_shape(input, idempotency_key) -> None:
    errors: dict[str, list[ValidationError]] = {}
    for name in LIMITED_FIELDS:
        limit = AppealModel._meta.get_field(name).max_length
        if len((input.get(name) or "").strip()) > limit:
            errors.setdefault(name, []).append(ValidationError(
                _("At most %(limit)d characters.") % {"limit": limit}, code="max_length"))
    if idempotency_key and len(idempotency_key.strip()) > IDEMPOTENCY_KEY_MAX_LENGTH:
        errors["idempotency_key"] = [ValidationError(
            _("At most %(limit)d characters.") % {"limit": IDEMPOTENCY_KEY_MAX_LENGTH}, code="max_length")]
    received_at = input.get("received_at")
    if received_at is not None:
        if timezone.is_naive(received_at):
            errors["received_at"] = [ValidationError(_("Give the time with its UTC offset."), code="invalid")]
        elif received_at > timezone.now() + CLOCK_SKEW:
            errors["received_at"] = [ValidationError(_("An appeal cannot be received in the future."),
                                                     code="invalid")]
    if errors:
        raise ValidationError(errors)
