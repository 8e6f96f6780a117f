import graphene

from gorodok_graphql.appeals.enums import AppealErrorCode, AppealNoAnswerReasonEnum
from gorodok_graphql.appeals.lookup import appeal_from_global_id
from gorodok_graphql.appeals.mutations.payload import AppealPayload, reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import AppealError
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.services import appeal_leave_without_answer


class LeaveAppealWithoutAnswer(AppealPayload, BaseMutation):
    """Close a registered appeal without an answer on the merits, on a ground the law allows."""


    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")
        reason = AppealNoAnswerReasonEnum(required=True)
        note = graphene.String(description="Kept in the appeal's history.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, reason, note=None):
        appeal = appeal_from_global_id(id)
        appeal = appeal_leave_without_answer(appeal=appeal, actor=info.context.user, reason=enum_value(reason),
                                             note=note or "")
        return cls(appeal=reloaded(appeal, info))
