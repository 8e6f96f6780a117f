import graphene

from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.appeals.lookup import appeal_from_global_id
from gorodok_graphql.appeals.mutations.payload import AppealPayload, reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import AppealError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.services import appeal_forward


class ForwardAppeal(AppealPayload, BaseMutation):
    """Forward the appeal to the body competent to answer it; this closes it here."""


    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")
        to = graphene.String(required=True, description="The competent body.")
        note = graphene.String(description="Kept in the appeal's history.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, to, note=None):
        appeal = appeal_forward(appeal=appeal_from_global_id(id), actor=info.context.user, to=to, note=note or "")
        return cls(appeal=reloaded(appeal, info))
