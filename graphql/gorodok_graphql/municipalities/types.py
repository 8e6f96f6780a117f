from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from gorodok_graphql.core.connection import CountableConnection
from gorodok_graphql.core.errors import error_type
from gorodok_graphql.core.permissions import roles_required
from gorodok_graphql.municipalities.enums import (
    MunicipalityErrorCode,
    MunicipalityKindEnum,
    MunicipalityStatusEnum,
)
from gorodok_platform.accounts.roles import REGIONAL_ROLES
from gorodok_tenants.models import Municipality

MunicipalityError = error_type(
    "MunicipalityError", MunicipalityErrorCode, "Why a change to a municipality was refused."
)

_PUBLIC_FIELDS = ("name", "name_en", "slug", "oktmo", "timezone")


def _enum_value(value):
    return getattr(value, "value", value)


class CurrentMunicipality(DjangoObjectType):
    """The municipality whose host serves the request: public facts only."""

    kind = graphene.Field(MunicipalityKindEnum, required=True)

    class Meta:
        model = Municipality
        name = "Municipality"
        fields = _PUBLIC_FIELDS
        convert_choices_to_enum = False

    def resolve_kind(root: Municipality, info):
        return _enum_value(root.kind)


class RegionMunicipality(DjangoObjectType):
    """A municipality as the region sees it. Names, OKTMO, kind, status and host are public."""

    kind = graphene.Field(MunicipalityKindEnum, required=True)
    status = graphene.Field(MunicipalityStatusEnum, required=True)
    domain = graphene.String(description="The primary host serving this municipality.")
    domains = graphene.List(graphene.NonNull(graphene.String), required=True, description="Every host.")
    parent = graphene.Field(lambda: RegionMunicipality, description="The district a settlement belongs to.")
    schema_name = graphene.String(required=True, description="Database schema (regional staff only).")

    class Meta:
        model = Municipality
        name = "RegionMunicipality"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        fields = (*_PUBLIC_FIELDS, "created_at", "updated_at")
        convert_choices_to_enum = False

    def resolve_kind(root: Municipality, info):
        return _enum_value(root.kind)

    def resolve_status(root: Municipality, info):
        return _enum_value(root.status)

    def resolve_domain(root: Municipality, info):
        return root.primary_domain

    def resolve_domains(root: Municipality, info):
        return [domain.domain for domain in root.domains.all()]

    @roles_required(*REGIONAL_ROLES)
    def resolve_schema_name(root: Municipality, info):
        return root.schema_name

    @roles_required(*REGIONAL_ROLES)
    def resolve_created_at(root: Municipality, info):
        return root.created_at

    @roles_required(*REGIONAL_ROLES)
    def resolve_updated_at(root: Municipality, info):
        return root.updated_at
