"""The property register's roots in the tenant API (named in its registry entry)."""

import graphene

from gorodok_graphql.assets.depreciation.queries import AssetDepreciationQueries
from gorodok_graphql.assets.queries import AssetQueries
from gorodok_graphql.assets.stocktaking.queries import StocktakingQueries


class AssetsQuery(AssetQueries, AssetDepreciationQueries, StocktakingQueries, graphene.ObjectType):
    pass
