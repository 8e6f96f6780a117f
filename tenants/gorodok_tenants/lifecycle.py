"""Changes of a municipality's status. Each is atomic, audited in the public schema, and refreshes
the routing cache (signals)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.audit.services import audit_record
from gorodok_tenants.models import Municipality, MunicipalityStatus


def _set_status(municipality: Municipality, status: str, *, action: str, actor, reason: str) -> Municipality:
    before = municipality.status
    municipality.status = status
    municipality.save(update_fields=["status", "updated_at"])
    with schema_context(get_public_schema_name()):
        audit_record(action=action, actor=actor, tenant_schema=municipality.schema_name, target=municipality,
                     before={"status": before}, after={"status": status}, reason=reason)
    return municipality


@transaction.atomic
def municipality_suspend(*, municipality: Municipality, actor=None, reason: str = "") -> Municipality:
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    if municipality.status == MunicipalityStatus.SUSPENDED:
        raise ValidationError(_("The municipality is already suspended."), code="already_suspended")
    if municipality.status == MunicipalityStatus.ARCHIVED:
        raise ValidationError(_("An archived municipality cannot be suspended."), code="archived")
    return _set_status(municipality, MunicipalityStatus.SUSPENDED, action="municipality.suspend",
                       actor=actor, reason=reason)


@transaction.atomic
def municipality_resume(*, municipality: Municipality, actor=None, reason: str = "") -> Municipality:
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    if municipality.status != MunicipalityStatus.SUSPENDED:
        raise ValidationError(_("Only a suspended municipality can be resumed."), code="not_suspended")
    return _set_status(municipality, MunicipalityStatus.ACTIVE, action="municipality.resume",
                       actor=actor, reason=reason)
