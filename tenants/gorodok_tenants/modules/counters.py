"""Per-municipality figures for the console, computed inside each schema by jobs and stored in the
public schema, so drawing the console costs the same whatever the number of municipalities."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from gorodok_tenants.models import Municipality, MunicipalityCounter
from gorodok_tenants.modules import Counter, enabled_module_codes, registered_modules


def _count_active_staff() -> int:
    from gorodok_platform.accounts.models import User

    return User.objects.filter(is_active=True, is_staff=True).count()


CORE_COUNTERS = (Counter("users", _("users"), _count_active_staff),)


def counter_labels() -> dict[str, str]:
    labels = {f"core.{c.key}": c.label for c in CORE_COUNTERS}
    for module in registered_modules().values():
        labels.update({module.counter_key(c): f"{module.name}: {c.label}" for c in module.counters})
    return labels


def short_counter_labels() -> dict[str, str]:
    """The counters' own labels without the module's name (for a compact column)."""
    labels = {f"core.{c.key}": c.label for c in CORE_COUNTERS}
    for module in registered_modules().values():
        labels.update({module.counter_key(c): c.label for c in module.counters})
    return labels


def compute_counters(municipality: Municipality) -> dict[str, int]:
    """Compute every counter of the core and of the enabled modules inside the municipality's schema."""
    values: dict[str, int] = {}
    modules = registered_modules()
    with schema_context(municipality.schema_name):
        for counter in CORE_COUNTERS:
            values[f"core.{counter.key}"] = int(counter.compute())
        for code in enabled_module_codes(municipality):
            module = modules[code]
            for counter in module.counters:
                values[module.counter_key(counter)] = int(counter.compute())
    return values


@transaction.atomic
def municipality_counters_refresh(*, municipality: Municipality) -> dict[str, int]:
    values = compute_counters(municipality)
    for key, value in values.items():
        MunicipalityCounter.objects.update_or_create(municipality=municipality, key=key,
                                                     defaults={"value": value})
    return values
