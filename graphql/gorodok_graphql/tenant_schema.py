"""The tenant API, served at /graphql/ on a municipality's host: the platform's roots and those of
every installed module (from the module registry)."""

import graphene

from gorodok_graphql.accounts.queries import ViewerQueries
from gorodok_graphql.core.ids import NodeField
from gorodok_graphql.core.roots import root_type
from gorodok_graphql.integrations.mutations import TenantApiClientMutations
from gorodok_graphql.integrations.queries import ApiClientQueries
from gorodok_graphql.municipalities.queries import TenantMunicipalityQueries
from gorodok_graphql.webhooks.mutations import WebhookMutations
from gorodok_graphql.webhooks.queries import WebhookQueries

Query = root_type(
    "Query", [WebhookQueries, ApiClientQueries, TenantMunicipalityQueries, ViewerQueries], "tenant_query",
    {"node": NodeField(description="Any object of this API by its ID (Relay refetch), with the permissions of the "
                                   "object's own query: null when it is not here or not for you.")},
)
Mutation = root_type("Mutation", [WebhookMutations, TenantApiClientMutations], "tenant_mutation")

schema = graphene.Schema(query=Query, mutation=Mutation)
