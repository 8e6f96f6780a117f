import graphene

from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.appeals.lookup import appeal_from_global_id
from gorodok_graphql.appeals.mutations.payload import reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import Appeal, AppealError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.services import appeal_take_under_control


class TakeAppealUnderControl(BaseMutation):
    """Take the appeal under control: who, when and why go into its history and the audit log; the monthly
    statistics count it."""

    appeal = graphene.Field(Appeal)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")
        reason = graphene.String(required=True, description="Why (at least 5 characters); kept in the history.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, reason):
        appeal = appeal_take_under_control(appeal=appeal_from_global_id(id), actor=info.context.user, reason=reason)
        return cls(appeal=reloaded(appeal, info))
