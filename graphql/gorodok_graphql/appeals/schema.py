"""The appeals module's roots in the tenant API (named in its registry entry)."""

import graphene

from gorodok_graphql.appeals.asset_links import AssetAppealsQueries
from gorodok_graphql.appeals.queries import AppealQueries
from gorodok_graphql.appeals.statistics import AppealStatisticsQueries


class AppealsQuery(AppealQueries, AppealStatisticsQueries, AssetAppealsQueries, graphene.ObjectType):
    pass
