import graphene

from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.appeals.lookup import appeal_from_global_id
from gorodok_graphql.appeals.mutations.payload import AppealPayload, reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import AppealError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.services import appeal_close


class CloseAppeal(AppealPayload, BaseMutation):
    """Close an answered appeal."""


    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id):
        appeal = appeal_close(appeal=appeal_from_global_id(id), actor=info.context.user)
        return cls(appeal=reloaded(appeal, info))
