import graphene

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.lookup import encumbrance_from_global_id
from gorodok_graphql.assets.mutations.inputs import AssetEncumbranceChangeInput, encumbrance_values
from gorodok_graphql.assets.mutations.payload import reloaded
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import Asset, AssetEncumbrance, AssetError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.services import asset_encumbrance_update


class UpdateAssetEncumbrance(BaseMutation):
    """Correct an encumbrance in force (kind, basis, beneficiary, term). An ended encumbrance
    (ENCUMBRANCE_ENDED) and one of an object removed from the register (ALREADY_REMOVED) cannot change."""

    asset = graphene.Field(Asset)
    encumbrance = graphene.Field(AssetEncumbrance)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the encumbrance.")
        input = AssetEncumbranceChangeInput(required=True)

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, input):
        encumbrance = encumbrance_from_global_id(id)
        row = asset_encumbrance_update(encumbrance=encumbrance, values=encumbrance_values(input),
                                       actor=info.context.user, source="api")
        return cls(asset=reloaded(row.asset), encumbrance=row)
