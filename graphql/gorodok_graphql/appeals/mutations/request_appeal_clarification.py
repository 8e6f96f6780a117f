import graphene

from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.appeals.lookup import appeal_from_global_id
from gorodok_graphql.appeals.mutations.payload import reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import Appeal, AppealError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.services import appeal_request_clarification


class RequestAppealClarification(BaseMutation):
    """The substance of the appeal cannot be understood (59-FZ art. 11): the author is told (due within the rule's
    term of registration; a later notice is recorded as late). As the deadline rule says, consideration ends
    (left without an answer: UNCLEAR) or pauses (status AWAITING_CLARIFICATION, no answer deadline) until
    receiveAppealClarification."""

    appeal = graphene.Field(Appeal)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")
        note = graphene.String(description="What cannot be understood: told to the author and kept in the history.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, note=None):
        appeal = appeal_request_clarification(appeal=appeal_from_global_id(id), actor=info.context.user,
                                              note=note or "")
        return cls(appeal=reloaded(appeal, info))
