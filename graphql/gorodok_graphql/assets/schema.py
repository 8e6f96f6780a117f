"""The property register's roots in the tenant API (named in its registry entry)."""

import graphene

from gorodok_graphql.assets.housing_queries import HousingQueries
from gorodok_graphql.assets.queries import AssetQueries


class AssetsQuery(AssetQueries, HousingQueries, graphene.ObjectType):
    pass
