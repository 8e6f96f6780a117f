import graphene

from gorodok_graphql.assets.enums import AssetErrorCode, AssetLifecycleStatusEnum
from gorodok_graphql.assets.lookup import asset_from_global_id
from gorodok_graphql.assets.mutations.payload import reloaded
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import Asset, AssetError
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.lifecycle import asset_transition


class ChangeAssetStatus(BaseMutation):
    """Move an object to another working status (in use, in reserve, under repair, ...) on a date, with
    its basis. Only the moves of the lifecycle table are allowed (`Asset.allowedStatuses`); any other is
    refused with TRANSITION_NOT_ALLOWED."""

    asset = graphene.Field(Asset)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the object.")
        to_status = AssetLifecycleStatusEnum(required=True, description="The new status.")
        on = graphene.Date(required=True, description="The date of the change.")
        basis = graphene.String(required=True, description="The order, act or note that justifies it.")

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, to_status, on, basis):
        asset = asset_from_global_id(id)
        asset_transition(asset=asset, to_status=enum_value(to_status), on=on, basis=basis,
                         actor=info.context.user, source="api")
        return cls(asset=reloaded(asset))
