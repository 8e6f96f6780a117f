"""The regional API, served at /graphql/ on the region host: the platform's roots and those the
modules declare for the region (from the module registry)."""

import graphene

from gorodok_graphql.accounts.queries import ViewerQueries
from gorodok_graphql.core.ids import NodeField
from gorodok_graphql.core.roots import root_type
from gorodok_graphql.integrations.mutations import RegionApiClientMutations
from gorodok_graphql.integrations.queries import ApiClientQueries
from gorodok_graphql.municipalities.mutations import RegionMunicipalityMutations
from gorodok_graphql.municipalities.queries import RegionMunicipalityQueries
from gorodok_graphql.webhooks.mutations import WebhookMutations
from gorodok_graphql.webhooks.queries import WebhookQueries

Query = root_type("Query", [WebhookQueries, ApiClientQueries, RegionMunicipalityQueries, ViewerQueries],
                  "region_query", {"node": NodeField()})
Mutation = root_type("Mutation", [WebhookMutations, RegionApiClientMutations, RegionMunicipalityMutations],
                     "region_mutation")

schema = graphene.Schema(query=Query, mutation=Mutation)
