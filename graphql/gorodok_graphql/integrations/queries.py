import graphene

from gorodok_graphql.core.fields import CappedConnectionField
from gorodok_graphql.integrations.permissions import check_can_manage_clients
from gorodok_graphql.integrations.types import ApiClient
from gorodok_platform.integrations.models import ApiClient as ApiClientModel


class ApiClientQueries(graphene.ObjectType):
    api_clients = CappedConnectionField(
        ApiClient,
        include_revoked=graphene.Boolean(description="Also the revoked ones (default: false)."),
        description="The API clients of this municipality (tenant API) or the region's (regional API); "
                    "administrators only.",
    )

    def resolve_api_clients(root, info, include_revoked=False, **kwargs):
        check_can_manage_clients(info)
        queryset = ApiClientModel.objects.order_by("name", "pk")
        if not include_revoked:
            queryset = queryset.filter(revoked_at__isnull=True)
        return queryset
