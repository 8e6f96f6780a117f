import graphene

from gorodok_graphql.appeals.enums import AppealChannelEnum, AppealKindEnum, AppealQueue, AppealStatusEnum
from gorodok_graphql.appeals.errors import contains_nul
from gorodok_graphql.appeals.filters import filter_appeals, reject_nul_in_filters
from gorodok_graphql.appeals.permissions import MODULE, check_can_read_appeals
from gorodok_graphql.appeals.throttling import client_address, release_lookup, reserve_lookup
from gorodok_graphql.appeals.types import Appeal, AppealPublicStatus, ClassifierEntry, Department
from gorodok_graphql.core.fields import CappedConnectionField
from gorodok_graphql.core.ids import pk_from_global_id
from gorodok_graphql.core.permissions import module_required
from gorodok_services.appeals.models import Department as DepartmentModel
from gorodok_services.appeals.selectors import appeal_list
from gorodok_services.appeals.services import appeal_public_status
from gorodok_services.classifier.models import ClassifierEntry as ClassifierEntryModel

# Longer inputs cannot match a stored number or code; they are refused before any hashing.
MAX_REGISTRATION_NUMBER_LENGTH = 40
MAX_ACCESS_CODE_LENGTH = 32


class AppealQueries(graphene.ObjectType):
    appeals = CappedConnectionField(
        Appeal,
        status=AppealStatusEnum(),
        kind=AppealKindEnum(),
        channel=AppealChannelEnum(),
        section=graphene.String(description="A classifier code or its beginning: appeals with such a question."),
        assignee=graphene.String(description='The executor\'s e-mail, or "me".'),
        due_before=graphene.DateTime(description="Answer deadline before this moment."),
        overdue=graphene.Boolean(description="Only overdue appeals (true) or only the others (false)."),
        search=graphene.String(description="Part of the registration or external number or of the subject."),
        queue=AppealQueue(description="A work queue, as in the back office."),
        updated_since=graphene.DateTime(
            description="Only appeals changed at or after this moment: for incremental sync, ask again with the "
                        "moment your previous sync started."),
        description="This municipality's appeals, newest received first (staff only). Cursors are stable: an "
                    "appeal received or changed while you page never repeats or hides another.",
    )
    appeal = graphene.Field(
        Appeal, id=graphene.ID(required=True), description="One appeal of this municipality (staff only)."
    )
    appeal_status = graphene.Field(
        AppealPublicStatus,
        registration_number=graphene.String(required=True),
        access_code=graphene.String(required=True, description="The code the author was given at registration."),
        description="An appeal's progress for its author, without signing in; null when the number and code "
                    "do not match. Failed lookups are limited per address (RATE_LIMITED).",
    )
    appeal_departments = CappedConnectionField(
        Department, description="The active departments appeals can be assigned to (staff only)."
    )
    classifier_entries = CappedConnectionField(
        ClassifierEntry,
        prefix=graphene.String(description="A code's beginning, e.g. 0003 for a section's entries."),
        level=graphene.Int(description="1 section, 2 theme, 3 topic, 4 question."),
        search=graphene.String(description="Part of the title."),
        description="The thematic classifier of appeals, by code: for building forms.",
    )

    @module_required(MODULE)
    def resolve_appeals(root, info, **filters):
        check_can_read_appeals(info)
        filters = {name: filters.get(name) for name in (
            "status", "kind", "channel", "section", "assignee", "due_before", "overdue", "search", "queue",
            "updated_since")}
        return filter_appeals(appeal_list(), info, **filters)

    @module_required(MODULE)
    def resolve_appeal(root, info, id):
        check_can_read_appeals(info)
        pk = pk_from_global_id(id, "Appeal")
        if pk is None:
            return None
        return appeal_list().filter(pk=pk).first()

    @module_required(MODULE)
    def resolve_appeal_status(root, info, registration_number, access_code):
        address = client_address(info.context)
        reserve_lookup(address)
        status = None
        if (len(registration_number) <= MAX_REGISTRATION_NUMBER_LENGTH
                and len(access_code) <= MAX_ACCESS_CODE_LENGTH
                and not contains_nul(registration_number, access_code)):
            status = appeal_public_status(registration_number=registration_number, access_code=access_code)
        if status is not None:
            release_lookup(address)
        return status

    @module_required(MODULE)
    def resolve_appeal_departments(root, info, **kwargs):
        check_can_read_appeals(info)
        return DepartmentModel.objects.filter(is_active=True).order_by("name", "pk")

    @module_required(MODULE)
    def resolve_classifier_entries(root, info, prefix=None, level=None, search=None, **kwargs):
        reject_nul_in_filters(prefix=prefix, search=search)
        queryset = ClassifierEntryModel.objects.filter(is_active=True).order_by("code")
        if prefix and prefix.strip():
            queryset = queryset.filter(code__startswith=prefix.strip())
        if level is not None:
            queryset = queryset.filter(level=level)
        if search and search.strip():
            queryset = queryset.filter(title__icontains=search.strip())
        return queryset
