import graphene

from gorodok_graphql.assets.mutations.add_asset_document import AddAssetDocument
from gorodok_graphql.assets.mutations.add_asset_encumbrance import AddAssetEncumbrance
from gorodok_graphql.assets.mutations.create_asset import CreateAsset
from gorodok_graphql.assets.mutations.create_asset_holder import CreateAssetHolder
from gorodok_graphql.assets.mutations.end_asset_encumbrance import EndAssetEncumbrance
from gorodok_graphql.assets.mutations.remove_asset import RemoveAsset
from gorodok_graphql.assets.mutations.start_asset_import import StartAssetImport
from gorodok_graphql.assets.mutations.update_asset import UpdateAsset
from gorodok_graphql.assets.mutations.update_asset_encumbrance import UpdateAssetEncumbrance
from gorodok_graphql.assets.mutations.update_asset_holder import UpdateAssetHolder


class AssetMutations(graphene.ObjectType):
    create_asset = CreateAsset.Field()
    update_asset = UpdateAsset.Field()
    remove_asset = RemoveAsset.Field()
    add_asset_document = AddAssetDocument.Field()
    add_asset_encumbrance = AddAssetEncumbrance.Field()
    update_asset_encumbrance = UpdateAssetEncumbrance.Field()
    end_asset_encumbrance = EndAssetEncumbrance.Field()
    create_asset_holder = CreateAssetHolder.Field()
    start_asset_import = StartAssetImport.Field()
    update_asset_holder = UpdateAssetHolder.Field()
