import graphene

from gorodok_graphql.assets.depreciation.types import AssetDepreciationSummary
from gorodok_graphql.assets.permissions import MODULE, check_can_read_assets
from gorodok_graphql.core.permissions import module_required
from gorodok_services.assets.depreciation.selectors import depreciation_summary


class AssetDepreciationQueries(graphene.ObjectType):
    asset_depreciation = graphene.Field(
        graphene.NonNull(AssetDepreciationSummary), month=graphene.Date(required=True, description="Any day of it."),
        description="The municipality's depreciation for a month (totals; each object's figures are "
                    "Asset.netBookValue).")

    @module_required(MODULE)
    def resolve_asset_depreciation(root, info, month):
        check_can_read_assets(info)
        summary = depreciation_summary(month)
        return AssetDepreciationSummary(month=summary.month, objects=summary.objects,
                                        balance_value=summary.balance_value, depreciation=summary.depreciation,
                                        net_book_value=summary.net_book_value)
