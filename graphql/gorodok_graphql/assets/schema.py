"""The property register's roots in the tenant API (named in its registry entry)."""

import graphene

from gorodok_graphql.assets.depreciation.queries import AssetDepreciationQueries
from gorodok_graphql.assets.queries import AssetQueries


class AssetsQuery(AssetQueries, AssetDepreciationQueries, graphene.ObjectType):
    pass
