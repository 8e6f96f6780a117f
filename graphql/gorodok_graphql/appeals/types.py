from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from gorodok_graphql.appeals.dataloaders import attachments_loader, history_loader
from gorodok_graphql.appeals.enums import (
    AppealApplicantTypeEnum,
    AppealChannelEnum,
    AppealErrorCode,
    AppealFormEnum,
    AppealKindEnum,
    AppealNoAnswerReasonEnum,
    AppealQuestionResultEnum,
    AppealStatusEnum,
)
from gorodok_graphql.appeals.permissions import MODULE, can_see_personal_data, check_can_read_appeals
from gorodok_graphql.core.connection import CountableConnection
from gorodok_graphql.core.errors import error_type
from gorodok_graphql.core.permissions import check_module
from gorodok_services.appeals import models
from gorodok_services.appeals.selectors import appeal_is_overdue, appeal_list
from gorodok_services.classifier.models import ClassifierEntry as ClassifierEntryModel

AppealError = error_type("AppealError", AppealErrorCode, "Why a change to an appeal was refused.")


def _prefetched(root, name: str):
    """A relation the queryset already prefetched, or None."""
    return getattr(root, "_prefetched_objects_cache", {}).get(name)


def _or_none(value):
    return value or None


class Department(DjangoObjectType):
    """A department of the administration that appeals are routed to."""

    class Meta:
        model = models.Department
        name = "Department"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        fields = ("name", "is_active")

    @classmethod
    def get_node(cls, info, id):
        # ``node(id:)``: the same rules as ``appealDepartments``.
        check_module(info.context, MODULE)
        check_can_read_appeals(info)
        return models.Department.objects.filter(pk=id, is_active=True).first()


class AppealExecutor(graphene.ObjectType):
    """The member of staff who prepares the answer."""

    email = graphene.String(required=True)
    full_name = graphene.String(required=True)


class AppealApplicant(graphene.ObjectType):
    """Who wrote the appeal: personal data (59-FZ art. 6)."""

    type = graphene.Field(AppealApplicantTypeEnum, required=True)
    name = graphene.String(description="Name of the person or the organisation.")
    inn = graphene.String()
    ogrn = graphene.String()
    email = graphene.String()
    phone = graphene.String()
    address = graphene.String(description="Postal address for the answer.")


class AppealQuestion(graphene.ObjectType):
    """One question of an appeal, with its classifier code and result."""

    position = graphene.Int(required=True)
    classifier_code = graphene.String(required=True)
    section = graphene.String(required=True, description="The classifier section: the code's first block.")
    text = graphene.String(required=True)
    result = graphene.Field(AppealQuestionResultEnum, required=True)
    asset = graphene.Field(
        "gorodok_graphql.assets.types.Asset",
        description="The register object the question concerns (a building, a network section...); null when "
                    "none is named or you may not read the property register.")

    def resolve_section(root: models.Question, info):
        return root.section_code

    def resolve_asset(root: models.Question, info):
        from gorodok_graphql.appeals.asset_links import may_read_assets

        if root.asset_id is None or not may_read_assets(info):
            return None
        return root.asset  # the list's selector joins it


class AppealHistoryEntry(graphene.ObjectType):
    """One step in an appeal's history."""

    at = graphene.DateTime(required=True)
    actor_email = graphene.String(description="Who did it; null for the system or an anonymous intake.")
    action = graphene.String(required=True, description="received, registered, assigned, extended, answered…")
    from_status = graphene.Field(AppealStatusEnum)
    to_status = graphene.Field(AppealStatusEnum)
    note = graphene.String()

    def resolve_actor_email(root: models.AppealEvent, info):
        return _or_none(root.actor_email)

    def resolve_from_status(root: models.AppealEvent, info):
        return _or_none(root.from_status)

    def resolve_to_status(root: models.AppealEvent, info):
        return _or_none(root.to_status)

    def resolve_note(root: models.AppealEvent, info):
        return _or_none(root.note)


class AppealAttachment(graphene.ObjectType):
    name = graphene.String(required=True)
    size = graphene.Int(required=True, description="Bytes.")
    content_type = graphene.String(required=True)

    def resolve_name(root: models.Attachment, info):
        return root.original_name


class Appeal(DjangoObjectType):
    """A citizen's appeal in this municipality. Dates are in UTC; the services compute deadlines in the
    municipality's time zone (a term ends at the end of a local day)."""

    kind = graphene.Field(AppealKindEnum, required=True)
    channel = graphene.Field(AppealChannelEnum, required=True)
    form = graphene.Field(AppealFormEnum, required=True)
    status = graphene.Field(AppealStatusEnum, required=True)
    applicant = graphene.Field(
        AppealApplicant, description="Personal data: null unless you may see it (the roles that handle appeals)."
    )
    no_answer_reason = graphene.Field(AppealNoAnswerReasonEnum)
    # Declared here, not taken from the model's translatable help text: the SDL must not depend on the
    # language active when the schema happened to be imported.
    external_number = graphene.String(description="E.g. the feedback platform's registration number.")
    is_overdue = graphene.Boolean(
        required=True, description="Open and past its answer deadline, or unregistered past the registration one."
    )
    department = graphene.Field(Department)
    executor = graphene.Field(AppealExecutor)
    questions = graphene.List(graphene.NonNull(AppealQuestion), required=True)
    history = graphene.List(graphene.NonNull(AppealHistoryEntry), required=True, description="Oldest first.")
    attachments = graphene.List(graphene.NonNull(AppealAttachment), required=True)

    class Meta:
        model = models.Appeal
        name = "Appeal"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "registration_number", "subject", "text", "problem_address", "external_number", "is_collective",
            "signatories", "received_at", "registered_at", "due_register_at", "due_forward_at", "due_at",
            "original_due_at", "extended_at", "extension_reason", "answered_at", "answered_late", "closed_at",
            "forwarded_at", "forwarded_to", "answer_text", "under_control", "under_control_at",
            "considered_on_site", "considered_on_site_at", "clarification_requested_at", "unclear_notice_late",
            "due_clarification_at", "clarification_received_at", "paused_days",
        )

    @classmethod
    def get_node(cls, info, id):
        # ``node(id:)``: the same rules as ``appeal(id:)``, through the same selector.
        check_module(info.context, MODULE)
        check_can_read_appeals(info)
        return appeal_list().filter(pk=id).first()

    def resolve_applicant(root: models.Appeal, info):
        if not can_see_personal_data(info):
            return None
        return AppealApplicant(
            type=root.applicant_type, name=_or_none(root.applicant_name), inn=_or_none(root.applicant_inn),
            ogrn=_or_none(root.applicant_ogrn), email=_or_none(root.applicant_email),
            phone=_or_none(root.applicant_phone), address=_or_none(root.applicant_address),
        )

    def resolve_no_answer_reason(root: models.Appeal, info):
        return _or_none(root.no_answer_reason)

    def resolve_is_overdue(root: models.Appeal, info):
        return appeal_is_overdue(root)

    def resolve_executor(root: models.Appeal, info):
        executor = root.executor
        if executor is None:
            return None
        return AppealExecutor(email=executor.email, full_name=executor.full_name)

    def resolve_questions(root: models.Appeal, info):
        questions = _prefetched(root, "questions")
        if questions is None:
            questions = root.questions.order_by("position")
        return questions

    def resolve_history(root: models.Appeal, info):
        events = _prefetched(root, "events")
        return events if events is not None else history_loader(info.context).load(root.pk)

    def resolve_attachments(root: models.Appeal, info):
        attachments = _prefetched(root, "attachments")
        return attachments if attachments is not None else attachments_loader(info.context).load(root.pk)


class AppealPublicStatus(graphene.ObjectType):
    """An appeal's progress as its author may look it up: no personal data, no content."""

    registration_number = graphene.String(required=True)
    status = graphene.Field(AppealStatusEnum, required=True)
    registered_at = graphene.DateTime()
    due_at = graphene.DateTime(description="The answer deadline, after any extension.")
    answered_at = graphene.DateTime()
    extended = graphene.Boolean(required=True, description="Whether the answer term was extended.")


class ClassifierEntry(DjangoObjectType):
    """An entry of the region's thematic classifier of appeals (section, theme, topic, question)."""

    level = graphene.Int(required=True, description="1 section, 2 theme, 3 topic, 4 question.")
    parent_code = graphene.String()

    class Meta:
        model = ClassifierEntryModel
        name = "ClassifierEntry"
        fields = ("code", "title", "level", "is_active")
        use_connection = True
        connection_class = CountableConnection

    def resolve_parent_code(root: ClassifierEntryModel, info):
        return ClassifierEntryModel.parent_code(root.code)


# The connection type of appeals, for fields declared elsewhere by name (``Asset.appeals``).
AppealConnection = Appeal._meta.connection
