"""Creating municipalities: the record, its schema, its host and its first administrator."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create
from gorodok_tenants.models import Domain, Municipality, MunicipalityKind


def schema_name_for(slug: str) -> str:
    return "m_" + slug.replace("-", "_")


def host_for(slug: str) -> str:
    return f"{slug}.{settings.REGION_DOMAIN}"


@dataclass(frozen=True)
class MunicipalitySpec:
    name: str
    name_en: str
    slug: str
    oktmo: str
    kind: str = MunicipalityKind.URBAN_OKRUG
    parent_oktmo: str | None = None
    timezone: str = "Asia/Krasnoyarsk"


def municipality_create(*, spec: MunicipalitySpec) -> Municipality:
    """Validate, create the schema (migrated) and the primary host. Raises ValidationError."""
    parent = Municipality.objects.get(oktmo=spec.parent_oktmo) if spec.parent_oktmo else None
    municipality = Municipality(
        schema_name=schema_name_for(spec.slug), name=spec.name, name_en=spec.name_en, slug=spec.slug,
        oktmo=spec.oktmo, kind=spec.kind, parent=parent, timezone=spec.timezone,
    )
    municipality.full_clean()
    municipality.save()  # django-tenants creates and migrates the schema; it drops it again on failure
    with transaction.atomic():
        Domain.objects.create(domain=host_for(spec.slug), tenant=municipality, is_primary=True)
    return municipality


def municipality_admin_create(*, municipality: Municipality, email: str, password: str | None):
    with schema_context(municipality.schema_name):
        return staff_user_create(email=email, password=password, roles=[Role.MUNICIPAL_ADMIN])
