"""The property register's roots in the tenant API (named in its registry entry)."""

import graphene

from gorodok_graphql.assets.housing_queries import HousingQueries
from gorodok_graphql.assets.operations_queries import AssetOperationsQueries
from gorodok_graphql.assets.queries import AssetQueries


class AssetsQuery(AssetQueries, HousingQueries, AssetOperationsQueries, graphene.ObjectType):
    pass
