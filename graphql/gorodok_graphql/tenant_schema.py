"""The tenant API, served at /graphql/ on a municipality's host."""

import graphene

from gorodok_graphql.accounts.queries import ViewerQueries
from gorodok_graphql.municipalities.queries import TenantMunicipalityQueries


class Query(TenantMunicipalityQueries, ViewerQueries, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query)
