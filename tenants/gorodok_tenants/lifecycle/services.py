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


# --- details and hosts -------------------------------------------------------------------------------

UPDATABLE_FIELDS = ("name", "name_en", "timezone")


@transaction.atomic
def municipality_update(*, municipality: Municipality, actor=None, request=None, modules=None,
                        **changes) -> Municipality:
    """Change a municipality's names or time zone (validated like the model), and, when ``modules`` is
    given, switch its modules to exactly that set. Audited once, with the state before and after."""
    from gorodok_platform.audit.services import snapshot
    from gorodok_tenants.modules import municipality_set_module, registered_modules

    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These details cannot be changed here: %(names)s."), code="invalid",
                              params={"names": ", ".join(sorted(unknown))})
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    before = snapshot(municipality)
    for name, value in changes.items():
        setattr(municipality, name, value)
    municipality.full_clean(exclude=[f.name for f in Municipality._meta.fields if f.name not in changes])
    municipality.save(update_fields=[*changes, "updated_at"])
    if modules is not None:
        wanted = set(modules)
        for code in registered_modules():
            if (code in wanted) != (code not in (municipality.disabled_modules or [])):
                municipality = municipality_set_module(municipality=municipality, code=code,
                                                       enabled=code in wanted, actor=actor)
    after = snapshot(municipality)
    if before != after:
        with schema_context(get_public_schema_name()):
            audit_record(action="municipality.update", actor=actor, tenant_schema=municipality.schema_name,
                         target=municipality, before=before, after=after, request=request)
    return municipality


@transaction.atomic
def municipality_host_save(*, municipality: Municipality, host, actor=None, request=None):
    """Save a host (a Domain) of ``municipality``: validated, audited; routing forgets the old host at once
    (signals)."""
    host.tenant = municipality
    host.full_clean()
    host.save()
    with schema_context(get_public_schema_name()):
        audit_record(action="municipality.host_save", actor=actor, tenant_schema=municipality.schema_name,
                     target=host, after={"domain": host.domain, "is_primary": host.is_primary}, request=request)
    return host


@transaction.atomic
def municipality_host_delete(*, municipality: Municipality, host, actor=None, request=None) -> None:
    domain = host.domain
    host.delete()
    with schema_context(get_public_schema_name()):
        audit_record(action="municipality.host_delete", actor=actor, tenant_schema=municipality.schema_name,
                     before={"domain": domain}, request=request)
