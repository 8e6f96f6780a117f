import graphene

from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.appeals.lookup import appeal_from_global_id
from gorodok_graphql.appeals.mutations.payload import reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import Appeal, AppealError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.services import appeal_receive_clarification


class ReceiveAppealClarification(BaseMutation):
    """The author's clarification arrived: the paused answer term resumes, its due date moved by the days of
    the pause."""

    appeal = graphene.Field(Appeal)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")
        note = graphene.String(description="Kept in the appeal's history.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, note=None):
        appeal = appeal_receive_clarification(appeal=appeal_from_global_id(id), actor=info.context.user,
                                              note=note or "")
        return cls(appeal=reloaded(appeal, info))
