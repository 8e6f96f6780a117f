import graphene

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.lookup import asset_from_global_id
from gorodok_graphql.assets.mutations.inputs import AssetDocumentInput, document_input
from gorodok_graphql.assets.mutations.payload import reloaded
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import Asset, AssetError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.services import asset_remove


class RemoveAsset(BaseMutation):
    """Remove an object from the register with the document that ends the right. The object and its
    history stay (status REMOVED); nothing is deleted."""

    asset = graphene.Field(Asset)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the object.")
        removed_on = graphene.Date(required=True)
        reason = graphene.String(required=True)
        document = AssetDocumentInput(required=True, description="The basis of ending the right.")

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, removed_on, reason, document):
        asset = asset_from_global_id(id)
        asset = asset_remove(asset=asset, removed_on=removed_on, reason=reason, document=document_input(document),
                             actor=info.context.user, source="api")
        return cls(asset=reloaded(asset))
