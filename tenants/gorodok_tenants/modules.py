"""The module registry: which shared modules exist, what counters they report, and whether a
municipality has them switched on.

A module announces itself with an attribute on its AppConfig::

    class AppealsConfig(AppConfig):
        gorodok_module = ModuleInfo(code="appeals", name=_("Citizens' appeals"),
                                    counters=(Counter("open", _("open"), count_open_appeals),))

gorodok_tenants never imports a module by name: the console and the API read this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Counter:
    key: str
    label: str
    compute: Callable[[], int]  # runs inside the municipality's schema


@dataclass(frozen=True)
class ModuleInfo:
    code: str
    name: str
    counters: tuple[Counter, ...] = field(default_factory=tuple)

    def counter_key(self, counter: Counter) -> str:
        return f"{self.code}.{counter.key}"


_extra_modules: dict[str, ModuleInfo] = {}


def register_module(module: ModuleInfo) -> None:
    """Register a module that has no AppConfig of its own (the AppConfig attribute is preferred)."""
    _extra_modules[module.code] = module


def unregister_module(code: str) -> None:
    _extra_modules.pop(code, None)


def registered_modules() -> dict[str, ModuleInfo]:
    modules = {
        config.gorodok_module.code: config.gorodok_module
        for config in apps.get_app_configs()
        if isinstance(getattr(config, "gorodok_module", None), ModuleInfo)
    }
    modules.update(_extra_modules)
    return dict(sorted(modules.items()))


def module_enabled(municipality, code: str) -> bool:
    """Whether ``code`` is on for ``municipality``; the region (public schema) has every module."""
    if municipality is None:
        return False
    disabled = getattr(municipality, "disabled_modules", None) or []
    return code in registered_modules() and code not in disabled


def enabled_module_codes(municipality) -> list[str]:
    return [code for code in registered_modules() if module_enabled(municipality, code)]


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
