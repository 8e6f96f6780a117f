import graphene

from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.fields import CappedConnectionField
from gorodok_graphql.core.ids import NodeField
from gorodok_graphql.municipalities.enums import MunicipalityKindEnum, MunicipalityStatusEnum
from gorodok_graphql.municipalities.types import CurrentMunicipality, RegionMunicipality
from gorodok_tenants.selectors import municipality_list


class TenantMunicipalityQueries(graphene.ObjectType):
    municipality = graphene.Field(
        CurrentMunicipality, required=True, description="The municipality this host serves."
    )

    def resolve_municipality(root, info):
        # The routing middleware has already loaded it (from its cache): no query needed.
        return info.context.tenant


class RegionMunicipalityQueries(graphene.ObjectType):
    municipalities = CappedConnectionField(
        RegionMunicipality,
        status=MunicipalityStatusEnum(),
        kind=MunicipalityKindEnum(),
        search=graphene.String(description="Part of the name or English name, or an OKTMO prefix."),
        updated_since=graphene.DateTime(description="Only municipalities changed at or after this moment."),
        description="The region's municipalities, by name.",
    )
    municipality = NodeField(RegionMunicipality)

    def resolve_municipalities(root, info, status=None, kind=None, search=None, updated_since=None, **kwargs):
        queryset = municipality_list(search=search)
        if updated_since is not None:
            queryset = queryset.filter(updated_at__gte=updated_since)
        if status is not None:
            queryset = queryset.filter(status=enum_value(status))
        if kind is not None:
            queryset = queryset.filter(kind=enum_value(kind))
        return queryset
