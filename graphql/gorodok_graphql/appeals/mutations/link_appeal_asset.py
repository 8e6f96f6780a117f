import graphene

from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.appeals.lookup import appeal_from_global_id
from gorodok_graphql.appeals.mutations.payload import AppealPayload, reloaded
from gorodok_graphql.appeals.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.appeals.types import AppealError
from gorodok_graphql.assets.lookup import asset_from_global_id
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.appeals.services import appeal_question, question_link_asset


class LinkAppealAsset(AppealPayload, BaseMutation):
    """Name the register object (a building, a network section...) a question of the appeal concerns,
    replacing any earlier one; recorded in the appeal's history. Refused with ASSET_REMOVED for an object
    removed from the register and NOT_FOUND for an ID that names no object of this municipality."""

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the appeal.")
        asset_id = graphene.ID(required=True, description="Global ID of the register object.")
        position = graphene.Int(description="Which question (1, 2, ...); 1 when omitted.")

    class Meta:
        error_type = AppealError
        code_enum = AppealErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, asset_id, position=None):
        appeal = appeal_from_global_id(id)
        question = appeal_question(appeal, 1 if position is None else position)
        asset = asset_from_global_id(asset_id, field="asset_id")
        question_link_asset(question=question, asset=asset, actor=info.context.user, field="asset_id")
        return cls(appeal=reloaded(appeal, info))
