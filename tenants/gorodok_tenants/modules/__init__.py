"""The module registry as the tenants layer uses it: which municipalities have a module on, and
switching it. The contract's types and the registry itself are in ``gorodok_platform.modules``;
gorodok_tenants never imports a module by name.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gorodok_platform.modules import (  # noqa: F401  (the registry, as the tenants layer offers it)
    Counter,
    ModuleInfo,
    enabled_module_codes,
    module_enabled,
    register_module,
    registered_modules,
    unregister_module,
)


def municipalities_with_module(code: str):
    """Active municipalities that have module ``code`` switched on, in schema order."""
    from gorodok_tenants.models import Municipality, MunicipalityStatus

    return (Municipality.objects.filter(status=MunicipalityStatus.ACTIVE)
            .exclude(disabled_modules__contains=[code]).order_by("schema_name"))


@transaction.atomic
def municipality_set_module(*, municipality, code: str, enabled: bool, actor=None):
    """Switch a module on or off for a municipality. Switching off hides it; no data is removed."""
    from django_tenants.utils import get_public_schema_name, schema_context

    from gorodok_platform.audit.services import audit_record
    from gorodok_tenants.models import Municipality

    if code not in registered_modules():
        raise ValidationError({"module": ValidationError(_("Unknown module: %(code)s."), code="unknown_module",
                                                         params={"code": code})})
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    before = sorted(municipality.disabled_modules or [])
    disabled = set(before)
    if enabled:
        disabled.discard(code)
    else:
        disabled.add(code)
    municipality.disabled_modules = sorted(disabled)
    if municipality.disabled_modules != before:
        municipality.save(update_fields=["disabled_modules", "updated_at"])
        with schema_context(get_public_schema_name()):
            audit_record(action="municipality.module_enable" if enabled else "municipality.module_disable",
                         actor=actor, tenant_schema=municipality.schema_name, target=municipality,
                         before={"disabled_modules": before},
                         after={"disabled_modules": municipality.disabled_modules})
    return municipality
