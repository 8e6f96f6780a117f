"""The property register's roots in the tenant API (named in its registry entry)."""

import graphene

from gorodok_graphql.assets.depreciation.queries import AssetDepreciationQueries
from gorodok_graphql.assets.housing_queries import HousingQueries
from gorodok_graphql.assets.operations_queries import AssetOperationsQueries
from gorodok_graphql.assets.queries import AssetQueries
from gorodok_graphql.assets.stocktaking.queries import StocktakingQueries


class AssetsQuery(AssetQueries, HousingQueries, AssetOperationsQueries, AssetDepreciationQueries,
                  StocktakingQueries, graphene.ObjectType):
    pass
