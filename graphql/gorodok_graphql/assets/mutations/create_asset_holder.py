import graphene

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.mutations.inputs import AssetHolderInput, holder_values
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import AssetError, AssetHolder
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.services import holder_create


class CreateAssetHolder(BaseMutation):
    """Add a right holder to section 3 (INN and OGRN are checked)."""

    holder = graphene.Field(AssetHolder)

    class Arguments:
        input = AssetHolderInput(required=True)

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, input):
        return cls(holder=holder_create(values=holder_values(input), actor=info.context.user))
