import graphene

from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.appeals.lookup import appeal_from_global_id
from gorodok_graphql.appeals.mutations.payload import AppealPayload, reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import AppealError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.services import appeal_question, question_link_asset


class UnlinkAppealAsset(AppealPayload, BaseMutation):
    """Clear the register object of a question of the appeal (recorded in the appeal's history)."""

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")
        position = graphene.Int(description="Which question (1, 2, ...); 1 when omitted.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, position=None):
        appeal = appeal_from_global_id(id)
        question = appeal_question(appeal, 1 if position is None else position)
        question_link_asset(question=question, asset=None, actor=info.context.user)
        return cls(appeal=reloaded(appeal, info))
