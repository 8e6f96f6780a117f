import graphene

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.lookup import encumbrance_from_global_id
from gorodok_graphql.assets.mutations.payload import reloaded
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import Asset, AssetEncumbrance, AssetError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.services import asset_encumbrance_end


class EndAssetEncumbrance(BaseMutation):
    """End an encumbrance in force (a lease terminated, a pledge released) with its date and basis: not
    before it started (INVALID_DATES), not in the future (FUTURE_DATE), with a basis (BASIS_REQUIRED).
    Only an encumbrance in force can be ended (ENCUMBRANCE_ENDED); the row stays, with its history."""

    asset = graphene.Field(Asset)
    encumbrance = graphene.Field(AssetEncumbrance)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the encumbrance.")
        ended_on = graphene.Date(required=True)
        basis = graphene.String(required=True, description="The basis of ending it (document, number, date).")

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, ended_on, basis):
        encumbrance = encumbrance_from_global_id(id)
        row = asset_encumbrance_end(encumbrance=encumbrance, ended_on=ended_on, basis=basis,
                                    actor=info.context.user, source="api")
        return cls(asset=reloaded(row.asset), encumbrance=row)
