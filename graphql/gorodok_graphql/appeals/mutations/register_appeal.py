import graphene

from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.appeals.lookup import appeal_from_global_id
from gorodok_graphql.appeals.mutations.payload import AppealPayload, reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import AppealError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.services import appeal_register


class RegisterAppeal(AppealPayload, BaseMutation):
    """Register a received appeal: it gets its number, its deadlines and an access code for its author."""

    access_code = graphene.String(
        description="The author's code for looking up the appeal's status. Shown once: only its hash is kept."
    )

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id):
        appeal = appeal_from_global_id(id)
        registration = appeal_register(appeal=appeal, actor=info.context.user)
        return cls(appeal=reloaded(registration.appeal, info), access_code=registration.access_code)
