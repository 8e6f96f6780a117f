import graphene

from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.integrations.enums import ApiClientErrorCode
from gorodok_graphql.integrations.mutations.create_api_client import TOKEN_DESCRIPTION
from gorodok_graphql.integrations.mutations.lookup import api_client_from_global_id
from gorodok_graphql.integrations.permissions import ADMIN_ROLES
from gorodok_graphql.integrations.types import ApiClient, ApiClientError
from gorodok_platform.integrations.services import api_client_rotate


class RotateApiClient(BaseMutation):
    """Give the client a new token; the old one stops working at once."""

    api_client = graphene.Field(ApiClient)
    token = graphene.String(description=TOKEN_DESCRIPTION)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = ApiClientError
        code_enum = ApiClientErrorCode
        roles = ADMIN_ROLES

    @classmethod
    def perform_mutation(cls, root, info, id):
        client = api_client_from_global_id(id)
        token = api_client_rotate(client=client, actor=info.context.user)
        client.refresh_from_db()
        return cls(api_client=client, token=token)
