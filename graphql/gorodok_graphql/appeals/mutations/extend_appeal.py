import graphene

from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.appeals.lookup import appeal_from_global_id
from gorodok_graphql.appeals.mutations.payload import AppealPayload, reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import AppealError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.services import appeal_extend


class ExtendAppeal(AppealPayload, BaseMutation):
    """Extend the answer term, once, by at most the rule's maximum (30 days under 59-FZ); the author is
    told the new date and the reason."""


    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")
        days = graphene.Int(required=True, description="Days added to the current deadline.")
        reason = graphene.String(required=True, description="The reason the author is told.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, days, reason):
        appeal = appeal_from_global_id(id)
        appeal = appeal_extend(appeal=appeal, actor=info.context.user, days=days, reason=reason)
        return cls(appeal=reloaded(appeal, info))
