import graphene

from gorodok_graphql.integrations.mutations.create_api_client import CreateApiClient, CreateRegionalApiClient
from gorodok_graphql.integrations.mutations.revoke_api_client import RevokeApiClient
from gorodok_graphql.integrations.mutations.rotate_api_client import RotateApiClient


class TenantApiClientMutations(graphene.ObjectType):
    create_api_client = CreateApiClient.Field()
    rotate_api_client = RotateApiClient.Field()
    revoke_api_client = RevokeApiClient.Field()


class RegionApiClientMutations(graphene.ObjectType):
    create_api_client = CreateRegionalApiClient.Field()
    rotate_api_client = RotateApiClient.Field()
    revoke_api_client = RevokeApiClient.Field()
