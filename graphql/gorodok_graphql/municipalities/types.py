from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from gorodok_graphql.core.connection import CountableConnection
from gorodok_graphql.core.dataloaders import then
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.errors import error_type
from gorodok_graphql.core.permissions import roles_required
from gorodok_graphql.municipalities.dataloaders import counters_loader
from gorodok_graphql.municipalities.enums import (
    MunicipalityErrorCode,
    MunicipalityKindEnum,
    MunicipalityStatusEnum,
)
from gorodok_platform.accounts.roles import REGIONAL_ROLES
from gorodok_platform.integrations.models import Scope
from gorodok_tenants.models import Municipality
from gorodok_tenants.modules import registered_modules
from gorodok_tenants.modules.counters import counter_labels

MunicipalityError = error_type(
    "MunicipalityError", MunicipalityErrorCode, "Why a change to a municipality was refused."
)

_PUBLIC_FIELDS = ("name", "name_en", "slug", "oktmo", "timezone")
# API clients see the staff-only fields with this scope.
_REGION_READ = (Scope.REGION_READ.value,)


class CurrentMunicipality(DjangoObjectType):
    """The municipality whose host serves the request: public facts only."""

    kind = graphene.Field(MunicipalityKindEnum, required=True)

    class Meta:
        model = Municipality
        name = "Municipality"
        fields = _PUBLIC_FIELDS
        convert_choices_to_enum = False

    def resolve_kind(root: Municipality, info):
        return enum_value(root.kind)


class MunicipalityModuleState(graphene.ObjectType):
    code = graphene.String(required=True)
    name = graphene.String(required=True)
    enabled = graphene.Boolean(required=True)


class MunicipalityFigure(graphene.ObjectType):
    """A figure a module reports, refreshed by a job every few minutes."""

    key = graphene.String(required=True, description="module.counter, e.g. core.users")
    label = graphene.String(required=True)
    value = graphene.Int(required=True)
    updated_at = graphene.DateTime(required=True)


class RegionMunicipality(DjangoObjectType):
    """A municipality as the region sees it. Names, OKTMO, kind, status and host are public."""

    kind = graphene.Field(MunicipalityKindEnum, required=True)
    status = graphene.Field(MunicipalityStatusEnum, required=True)
    domain = graphene.String(description="The primary host serving this municipality.")
    domains = graphene.List(graphene.NonNull(graphene.String), required=True, description="Every host.")
    parent = graphene.Field(lambda: RegionMunicipality, description="The district a settlement belongs to.")
    schema_name = graphene.String(required=True, description="Database schema (regional staff only).")
    schema_version = graphene.String(description="Applied migration state (regional staff only).")
    modules = graphene.List(graphene.NonNull(MunicipalityModuleState), required=True)
    figures = graphene.List(graphene.NonNull(MunicipalityFigure), required=True,
                            description="Counters of the core and the enabled modules (regional staff only).")

    class Meta:
        model = Municipality
        name = "RegionMunicipality"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        fields = (*_PUBLIC_FIELDS, "created_at", "updated_at")
        convert_choices_to_enum = False

    def resolve_kind(root: Municipality, info):
        return enum_value(root.kind)

    def resolve_status(root: Municipality, info):
        return enum_value(root.status)

    def resolve_domain(root: Municipality, info):
        return root.primary_domain

    def resolve_domains(root: Municipality, info):
        return [domain.domain for domain in root.domains.all()]

    def resolve_modules(root: Municipality, info):
        disabled = set(root.disabled_modules or [])
        return [MunicipalityModuleState(code=code, name=str(module.name), enabled=code not in disabled)
                for code, module in registered_modules().items()]

    @roles_required(*REGIONAL_ROLES, scopes=_REGION_READ)
    def resolve_figures(root: Municipality, info):
        labels = counter_labels()
        disabled = set(root.disabled_modules or [])

        def figures(counters):
            return [MunicipalityFigure(key=c.key, label=str(labels.get(c.key, c.key)), value=c.value,
                                       updated_at=c.updated_at)
                    for c in counters if c.key.split(".", 1)[0] not in disabled]

        return then(counters_loader(info.context).load(root.pk), figures)

    @roles_required(*REGIONAL_ROLES, scopes=_REGION_READ)
    def resolve_schema_version(root: Municipality, info):
        return root.schema_version

    @roles_required(*REGIONAL_ROLES, scopes=_REGION_READ)
    def resolve_schema_name(root: Municipality, info):
        return root.schema_name

    @roles_required(*REGIONAL_ROLES, scopes=_REGION_READ)
    def resolve_created_at(root: Municipality, info):
        return root.created_at

    @roles_required(*REGIONAL_ROLES, scopes=_REGION_READ)
    def resolve_updated_at(root: Municipality, info):
        return root.updated_at
