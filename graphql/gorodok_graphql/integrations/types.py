from __future__ import annotations

import graphene
from django.utils import timezone
from graphene_django import DjangoObjectType

from gorodok_graphql.core.connection import CountableConnection
from gorodok_graphql.core.errors import error_type
from gorodok_graphql.core.permissions import user_has_any_role
from gorodok_graphql.integrations.enums import ApiClientErrorCode, ApiScopeEnum
from gorodok_graphql.integrations.permissions import ADMIN_ROLES
from gorodok_platform.integrations.models import ApiClient as ApiClientModel
from gorodok_tenants.models import Municipality

ApiClientError = error_type("ApiClientError", ApiClientErrorCode, "Why a change to an API client was refused.")


def _slugs_by_schema(info) -> dict[str, str]:
    """Every municipality's slug by schema, read once per request."""
    request = info.context
    cached = getattr(request, "_gorodok_slugs_by_schema", None)
    if cached is None:
        cached = dict(Municipality.objects.values_list("schema_name", "slug"))
        request._gorodok_slugs_by_schema = cached
    return cached


class ApiClient(DjangoObjectType):
    """A program that uses the API with a bearer token ``gk_<keyId>_<secret>``. The token is shown once,
    when the client is created or its token rotated; only a hash of the secret is kept."""

    scopes = graphene.List(graphene.NonNull(ApiScopeEnum), required=True)
    municipalities = graphene.List(
        graphene.NonNull(graphene.String), required=True,
        description="A regional client: the slugs of the municipalities it reaches. Empty for a municipality's own.",
    )
    is_active = graphene.Boolean(required=True, description="Neither revoked nor expired.")

    class Meta:
        model = ApiClientModel
        name = "ApiClient"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        fields = ("name", "key_id", "rate_limit_per_minute", "expires_at", "revoked_at", "last_used_at",
                  "created_by", "created_at")

    @classmethod
    def get_node(cls, info, id):
        # Reachable through ``node(id:)`` in the regional API: administrators only, and no API client.
        if getattr(info.context, "api_client", None) is not None:
            return None
        if not user_has_any_role(getattr(info.context, "user", None), ADMIN_ROLES):
            return None
        return super().get_node(info, id)

    def resolve_scopes(root: ApiClientModel, info):
        return list(root.scopes or [])

    def resolve_municipalities(root: ApiClientModel, info):
        schemas = root.municipalities or []
        if not schemas:
            return []
        slugs = _slugs_by_schema(info)
        return sorted(slugs[schema] for schema in schemas if schema in slugs)

    def resolve_is_active(root: ApiClientModel, info):
        return root.is_usable(timezone.now())
