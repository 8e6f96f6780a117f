"""Creating municipalities: the record, its schema, its host and its first administrator."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create
from gorodok_platform.audit.services import audit_record, snapshot
from gorodok_tenants.models import Domain, Municipality, MunicipalityKind

logger = logging.getLogger("gorodok.tenants")


def schema_name_for(slug: str) -> str:
    return "m_" + slug.replace("-", "_")


def host_for(slug: str) -> str:
    return f"{slug}.{settings.REGION_DOMAIN}"


def public_url(host: str, path: str = "/") -> str:
    """An absolute URL on one of our hosts, as users reach it (scheme and port from settings)."""
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_URL_SCHEME}://{host}{port}{path}"


@dataclass(frozen=True)
class MunicipalitySpec:
    name: str
    name_en: str
    slug: str
    oktmo: str
    kind: str = MunicipalityKind.URBAN_OKRUG
    parent_oktmo: str | None = None
    timezone: str = "Asia/Krasnoyarsk"


def municipality_build(*, spec: MunicipalitySpec, planned_parents: dict[str, Municipality] | None = None
                       ) -> Municipality:
    """A validated, unsaved municipality. Raises ValidationError with field codes.

    ``planned_parents`` lets a dry run accept a parent that an earlier row of the same import would create.
    """
    parent = None
    if spec.parent_oktmo:
        parent = Municipality.objects.filter(oktmo=spec.parent_oktmo).first()
        if parent is None and planned_parents:
            parent = planned_parents.get(spec.parent_oktmo)
        if parent is None:
            raise ValidationError({"parent": ValidationError(
                _("No municipality has OKTMO %(oktmo)s."), code="unknown_parent", params={"oktmo": spec.parent_oktmo})})
    municipality = Municipality(
        schema_name=schema_name_for(spec.slug), name=spec.name, name_en=spec.name_en, slug=spec.slug,
        oktmo=spec.oktmo, kind=spec.kind, parent=parent, timezone=spec.timezone,
    )
    municipality.full_clean(exclude=["parent"] if parent is not None and parent.pk is None else None)
    if parent is not None and parent.pk is None:
        municipality.clean()
    host = host_for(spec.slug)
    if Domain.objects.filter(domain=host).exists():
        raise ValidationError({"slug": ValidationError(_("The host %(host)s is already in use."),
                                                       code="host_taken", params={"host": host})})
    return municipality


def municipality_create(*, spec: MunicipalitySpec, actor=None) -> Municipality:
    """Validate, create the schema and the primary host, and audit it. Raises ValidationError.

    The schema is created in ``save()``; if anything after it fails, the schema and the record are
    removed again, so a failed creation leaves nothing behind.
    """
    from gorodok_tenants.upgrades.schema_version import code_schema_version

    with schema_context(get_public_schema_name()):
        municipality = municipality_build(spec=spec)
        municipality.schema_version = code_schema_version()
        municipality.save()
        try:
            with transaction.atomic():
                Domain.objects.create(domain=host_for(spec.slug), tenant=municipality, is_primary=True)
                audit_record(action="municipality.create", actor=actor, tenant_schema=municipality.schema_name,
                             target=municipality, after=snapshot(municipality))
        except Exception:
            municipality.delete(force_drop=True)
            raise
    return municipality


def municipality_admin_create(*, municipality: Municipality, email: str, password: str | None):
    with schema_context(municipality.schema_name):
        return staff_user_create(email=email, password=password, roles=[Role.MUNICIPAL_ADMIN])


@dataclass(frozen=True)
class Invitation:
    email: str
    link: str


def first_sign_in_link(*, municipality: Municipality, user) -> str:
    """A one-time link: it stops working as soon as the password is set (Django's reset tokens)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return public_url(municipality.primary_domain or host_for(municipality.slug),
                      f"/admin/first-sign-in/{uid}/{token}/")


def municipality_admin_invite(*, municipality: Municipality, email: str, actor=None) -> Invitation:
    """Create the municipality's administrator without a password and hand out a one-time sign-in
    link: printed in development, e-mailed by a job otherwise."""
    from gorodok_platform.jobs.enqueue import enqueue_on_commit
    from gorodok_tenants.actors import send_admin_invitation

    with schema_context(municipality.schema_name), transaction.atomic():
        user = staff_user_create(email=email, password=None, roles=[Role.MUNICIPAL_ADMIN])
        audit_record(action="user.invite", actor=actor, target=user,
                     after={"email": email, "roles": [str(Role.MUNICIPAL_ADMIN)]})
        link = first_sign_in_link(municipality=municipality, user=user)
        if settings.GORODOK_ENV == "dev":
            logger.warning("first sign-in link for %s: %s", email, link)
        else:
            enqueue_on_commit(send_admin_invitation, user.pk, schema=municipality.schema_name)
    return Invitation(email=email, link=link)
