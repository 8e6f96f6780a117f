import graphene

from gorodok_graphql.assets.depreciation.mutations.refresh_asset_residual_values import RefreshAssetResidualValues
from gorodok_graphql.assets.mutations.add_asset_document import AddAssetDocument
from gorodok_graphql.assets.mutations.add_asset_encumbrance import AddAssetEncumbrance
from gorodok_graphql.assets.mutations.change_asset_status import ChangeAssetStatus
from gorodok_graphql.assets.mutations.create_asset import CreateAsset
from gorodok_graphql.assets.mutations.create_asset_holder import CreateAssetHolder
from gorodok_graphql.assets.mutations.create_licence import CreateLicence
from gorodok_graphql.assets.mutations.create_maintenance_schedule import CreateMaintenanceSchedule
from gorodok_graphql.assets.mutations.end_asset_encumbrance import EndAssetEncumbrance
from gorodok_graphql.assets.mutations.record_maintenance import RecordMaintenance
from gorodok_graphql.assets.mutations.remove_asset import RemoveAsset
from gorodok_graphql.assets.mutations.set_housing_profile import SetHousingProfile
from gorodok_graphql.assets.mutations.set_ict_profile import SetIctProfile
from gorodok_graphql.assets.mutations.set_utility_profile import SetUtilityProfile
from gorodok_graphql.assets.mutations.start_asset_import import StartAssetImport
from gorodok_graphql.assets.mutations.update_asset import UpdateAsset
from gorodok_graphql.assets.mutations.update_asset_encumbrance import UpdateAssetEncumbrance
from gorodok_graphql.assets.mutations.update_asset_holder import UpdateAssetHolder
from gorodok_graphql.assets.mutations.update_licence import UpdateLicence
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
    update_asset_encumbrance = UpdateAssetEncumbrance.Field()
    end_asset_encumbrance = EndAssetEncumbrance.Field()
    create_asset_holder = CreateAssetHolder.Field()
    start_asset_import = StartAssetImport.Field()
    update_asset_holder = UpdateAssetHolder.Field()
    set_housing_profile = SetHousingProfile.Field()
    set_utility_profile = SetUtilityProfile.Field()
    set_ict_profile = SetIctProfile.Field()
    create_licence = CreateLicence.Field()
    update_licence = UpdateLicence.Field()
    record_maintenance = RecordMaintenance.Field()
    create_maintenance_schedule = CreateMaintenanceSchedule.Field()
    refresh_asset_residual_values = RefreshAssetResidualValues.Field()
    mark_stocktaking_item = MarkStocktakingItem.Field()
    change_stocktaking_item_mark = ChangeStocktakingItemMark.Field()
    close_stocktaking_campaign = CloseStocktakingCampaign.Field()
