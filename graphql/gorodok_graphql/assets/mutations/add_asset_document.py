import graphene

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.lookup import asset_from_global_id
from gorodok_graphql.assets.mutations.inputs import AssetDocumentInput, document_input
from gorodok_graphql.assets.mutations.payload import reloaded
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import Asset, AssetError
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.models import DocumentRole
from gorodok_services.assets.services import asset_document_add


class AddAssetDocument(BaseMutation):
    """Record a basis of acquiring the right (a scan can be attached in the back office)."""

    asset = graphene.Field(Asset)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the object.")
        document = AssetDocumentInput(required=True)

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, document):
        asset = asset_from_global_id(id)
        asset_document_add(asset=asset, role=DocumentRole.ACQUISITION, document=document_input(document),
                           actor=info.context.user, source="api")
        return cls(asset=reloaded(asset))
