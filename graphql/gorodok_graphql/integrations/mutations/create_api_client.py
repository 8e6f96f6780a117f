import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.integrations.enums import ApiClientErrorCode, ApiScopeEnum
from gorodok_graphql.integrations.types import ApiClient, ApiClientError
from gorodok_platform.accounts.roles import Role
from gorodok_platform.integrations.services import api_client_create
from gorodok_tenants.models import Municipality

TOKEN_DESCRIPTION = "The bearer token, shown this once: store it now. Only its hash is kept."


class _CreateArguments:
    name = graphene.String(required=True)
    scopes = graphene.List(graphene.NonNull(ApiScopeEnum), required=True)
    expires_at = graphene.DateTime(description="When the token stops working; never when omitted.")
    rate_limit_per_minute = graphene.Int(description="Requests per minute; 600 when omitted.")


class CreateApiClient(BaseMutation):
    """Create an API client of this municipality (municipal administrators)."""

    api_client = graphene.Field(ApiClient)
    token = graphene.String(description=TOKEN_DESCRIPTION)

    class Arguments(_CreateArguments):
        pass

    class Meta:
        error_type = ApiClientError
        code_enum = ApiClientErrorCode
        roles = (Role.MUNICIPAL_ADMIN,)

    @classmethod
    def perform_mutation(cls, root, info, name, scopes, expires_at=None, rate_limit_per_minute=None):
        client, token = api_client_create(name=name, scopes=scopes, expires_at=expires_at,
                                          rate_limit_per_minute=rate_limit_per_minute, actor=info.context.user)
        return cls(api_client=client, token=token)


def schemas_of(slugs) -> list[str]:
    """The schemas of the municipalities with these slugs; an unknown slug is an input error."""
    slugs = [slug.strip().lower() for slug in slugs or () if slug and slug.strip()]
    found = dict(Municipality.objects.filter(slug__in=slugs).values_list("slug", "schema_name"))
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise ValidationError({"municipalities": ValidationError(
            _("No such municipality: %(slugs)s.") % {"slugs": ", ".join(sorted(set(unknown)))[:200]},
            code="unknown_municipality")})
    return [found[slug] for slug in slugs]


class CreateRegionalApiClient(BaseMutation):
    """Create a regional API client (regional administrators): it reaches the regional API and the tenant
    APIs of the municipalities it names."""

    api_client = graphene.Field(ApiClient)
    token = graphene.String(description=TOKEN_DESCRIPTION)

    class Arguments(_CreateArguments):
        municipalities = graphene.List(
            graphene.NonNull(graphene.String), description="Slugs of the municipalities it may reach."
        )

    class Meta:
        name = "CreateApiClient"
        error_type = ApiClientError
        code_enum = ApiClientErrorCode
        roles = (Role.REGIONAL_ADMIN,)

    @classmethod
    def perform_mutation(cls, root, info, name, scopes, municipalities=None, expires_at=None,
                         rate_limit_per_minute=None):
        client, token = api_client_create(
            name=name, scopes=scopes, municipalities=schemas_of(municipalities), expires_at=expires_at,
            rate_limit_per_minute=rate_limit_per_minute, actor=info.context.user,
        )
        return cls(api_client=client, token=token)
