import graphene

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.lookup import holder_from_global_id
from gorodok_graphql.assets.mutations.inputs import AssetHolderInput, holder_values
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import AssetError, AssetHolder
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.services import holder_update


class UpdateAssetHolder(BaseMutation):
    """Change a right holder: only the given fields."""

    holder = graphene.Field(AssetHolder)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the right holder.")
        input = AssetHolderInput(required=True)

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, input):
        holder = holder_from_global_id(id, field="id")
        return cls(holder=holder_update(holder=holder, values=holder_values(input), actor=info.context.user))
