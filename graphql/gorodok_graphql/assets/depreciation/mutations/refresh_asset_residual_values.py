import graphene

from gorodok_graphql.assets.depreciation.types import AssetDepreciationError, AssetDepreciationErrorCode
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.depreciation.services import residual_values_refresh


class RefreshAssetResidualValues(BaseMutation):
    """Write the net book value at the end of a month as the residual value of every object in the
    register with depreciation terms (only when the municipality chose "refreshed from depreciation").
    Each changed object gets a history entry and an asset.changed event; repeating it changes nothing."""

    month = graphene.Date(description="The first day of the month refreshed.")
    values_date = graphene.Date(description="The date the residual values are now taken on.")
    considered = graphene.Int(description="Objects in the register with depreciation terms.")
    changed = graphene.Int(description="Of them, those whose residual value changed.")

    class Arguments:
        month = graphene.Date(required=True, description="Any day of the month (not after the current one).")

    class Meta:
        error_type = AssetDepreciationError
        code_enum = AssetDepreciationErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, month):
        result = residual_values_refresh(month=month, actor=info.context.user, source="api")
        return cls(month=result.month, values_date=result.values_date, considered=result.considered,
                   changed=result.changed)
