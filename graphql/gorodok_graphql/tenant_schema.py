"""The tenant API, served at /graphql/ on a municipality's host."""

import graphene

from gorodok_graphql.accounts.queries import ViewerQueries
from gorodok_graphql.appeals.mutations import AppealMutations
from gorodok_graphql.appeals.queries import AppealQueries
from gorodok_graphql.appeals.statistics import AppealStatisticsQueries
from gorodok_graphql.core.ids import NodeField
from gorodok_graphql.integrations.mutations import TenantApiClientMutations
from gorodok_graphql.integrations.queries import ApiClientQueries
from gorodok_graphql.municipalities.queries import TenantMunicipalityQueries
from gorodok_graphql.webhooks.mutations import WebhookMutations
from gorodok_graphql.webhooks.queries import WebhookQueries


class Query(WebhookQueries, ApiClientQueries, TenantMunicipalityQueries, ViewerQueries, AppealQueries,
            AppealStatisticsQueries, graphene.ObjectType):
    node = NodeField(description="Any object of this API by its ID (Relay refetch), with the permissions of the "
                                 "object's own query: null when it is not here or not for you.")


class Mutation(WebhookMutations, TenantApiClientMutations, AppealMutations, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
