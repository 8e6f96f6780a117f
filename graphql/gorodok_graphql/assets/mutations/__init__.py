import graphene

from gorodok_graphql.assets.depreciation.mutations.refresh_asset_residual_values import RefreshAssetResidualValues
from gorodok_graphql.assets.mutations.add_asset_document import AddAssetDocument
from gorodok_graphql.assets.mutations.add_asset_encumbrance import AddAssetEncumbrance
from gorodok_graphql.assets.mutations.change_asset_status import ChangeAssetStatus
from gorodok_graphql.assets.mutations.create_asset import CreateAsset
from gorodok_graphql.assets.mutations.create_asset_holder import CreateAssetHolder
from gorodok_graphql.assets.mutations.remove_asset import RemoveAsset
from gorodok_graphql.assets.mutations.update_asset import UpdateAsset
from gorodok_graphql.assets.mutations.update_asset_holder import UpdateAssetHolder
from gorodok_graphql.assets.stocktaking.mutations.change_stocktaking_item_mark import ChangeStocktakingItemMark
from gorodok_graphql.assets.stocktaking.mutations.close_stocktaking_campaign import CloseStocktakingCampaign
from gorodok_graphql.assets.stocktaking.mutations.mark_stocktaking_item import MarkStocktakingItem


class AssetMutations(graphene.ObjectType):
    create_asset = CreateAsset.Field()
    update_asset = UpdateAsset.Field()
    remove_asset = RemoveAsset.Field()
    change_asset_status = ChangeAssetStatus.Field()
    add_asset_document = AddAssetDocument.Field()
    add_asset_encumbrance = AddAssetEncumbrance.Field()
    create_asset_holder = CreateAssetHolder.Field()
    update_asset_holder = UpdateAssetHolder.Field()
    refresh_asset_residual_values = RefreshAssetResidualValues.Field()
    mark_stocktaking_item = MarkStocktakingItem.Field()
    change_stocktaking_item_mark = ChangeStocktakingItemMark.Field()
    close_stocktaking_campaign = CloseStocktakingCampaign.Field()
