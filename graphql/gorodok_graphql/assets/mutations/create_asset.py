import graphene

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.mutations.inputs import AssetInput, asset_values
from gorodok_graphql.assets.mutations.payload import reloaded
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import Asset, AssetError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.services import asset_create


class CreateAsset(BaseMutation):
    """Include an object in the register. It gets the next register number of its section unless one is
    given (a number from a register kept elsewhere; it must be free)."""

    asset = graphene.Field(Asset)

    class Arguments:
        input = AssetInput(required=True)
        register_number = graphene.String(description="Only to keep a number given before.")

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, input, register_number=None):
        asset = asset_create(values=asset_values(input), actor=info.context.user, register_number=register_number,
                             source="api")
        return cls(asset=reloaded(asset))
