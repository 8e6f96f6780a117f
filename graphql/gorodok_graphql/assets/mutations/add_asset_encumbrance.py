import graphene

from gorodok_graphql.assets.enums import (
    AssetErrorCode,
)
from gorodok_graphql.assets.lookup import asset_from_global_id
from gorodok_graphql.assets.mutations.inputs import AssetEncumbranceInput
from gorodok_graphql.assets.mutations.payload import reloaded
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import Asset, AssetError
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.services import asset_encumbrance_add


class AddAssetEncumbrance(BaseMutation):
    """Record an encumbrance of an object: a lease, a pledge, an easement…"""

    asset = graphene.Field(Asset)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the object.")
        input = AssetEncumbranceInput(required=True)

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, input):
        asset = asset_from_global_id(id)
        asset_encumbrance_add(asset=asset, kind=enum_value(input["kind"]), basis=input["basis"],
                              beneficiary=input["beneficiary"], starts_on=input["starts_on"],
                              ends_on=input.get("ends_on"), actor=info.context.user, source="api")
        return cls(asset=reloaded(asset))
