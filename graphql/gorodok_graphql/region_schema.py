"""The regional API, served at /graphql/ on the region host."""

import graphene

from gorodok_graphql.accounts.queries import ViewerQueries
from gorodok_graphql.integrations.mutations import RegionApiClientMutations
from gorodok_graphql.integrations.queries import ApiClientQueries
from gorodok_graphql.municipalities.mutations import RegionMunicipalityMutations
from gorodok_graphql.municipalities.queries import RegionMunicipalityQueries


class Query(ApiClientQueries, RegionMunicipalityQueries, ViewerQueries, graphene.ObjectType):
    node = graphene.relay.Node.Field()


class Mutation(RegionApiClientMutations, RegionMunicipalityMutations, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
