import graphene

from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.integrations.enums import ApiClientErrorCode
from gorodok_graphql.integrations.mutations.lookup import api_client_from_global_id
from gorodok_graphql.integrations.permissions import ADMIN_ROLES
from gorodok_graphql.integrations.types import ApiClient, ApiClientError
from gorodok_platform.integrations.services import api_client_revoke


class RevokeApiClient(BaseMutation):
    """Stop the client's token for good."""

    api_client = graphene.Field(ApiClient)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = ApiClientError
        code_enum = ApiClientErrorCode
        roles = ADMIN_ROLES

    @classmethod
    def perform_mutation(cls, root, info, id):
        client = api_client_revoke(client=api_client_from_global_id(id), actor=info.context.user)
        return cls(api_client=client)
