"""The regional API, served at /graphql/ on the region host."""

import graphene

from gorodok_graphql.accounts.queries import ViewerQueries
from gorodok_graphql.core.ids import NodeField
from gorodok_graphql.integrations.mutations import RegionApiClientMutations
from gorodok_graphql.integrations.queries import ApiClientQueries
from gorodok_graphql.municipalities.mutations import RegionMunicipalityMutations
from gorodok_graphql.municipalities.queries import RegionMunicipalityQueries
from gorodok_graphql.webhooks.mutations import WebhookMutations
from gorodok_graphql.webhooks.queries import WebhookQueries


class Query(WebhookQueries, ApiClientQueries, RegionMunicipalityQueries, ViewerQueries, graphene.ObjectType):
    node = NodeField()


class Mutation(WebhookMutations, RegionApiClientMutations, RegionMunicipalityMutations, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
