import graphene

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.lookup import asset_from_global_id
from gorodok_graphql.assets.mutations.inputs import AssetInput, asset_values
from gorodok_graphql.assets.mutations.payload import reloaded
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import Asset, AssetError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.services import asset_update


class UpdateAsset(BaseMutation):
    """Change an object in the register: only the given fields; the history records each change."""

    asset = graphene.Field(Asset)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the object.")
        input = AssetInput(required=True)

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, input):
        asset = asset_from_global_id(id)
        asset = asset_update(asset=asset, values=asset_values(input), actor=info.context.user, source="api")
        return cls(asset=reloaded(asset))
