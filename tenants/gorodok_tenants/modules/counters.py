"""Per-municipality figures for the console, computed inside each schema by jobs and stored in the
public schema, so drawing the console costs the same whatever the number of municipalities."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
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


def municipalities_due_for_counters(*, interval_seconds: int, now=None) -> list[str]:
    """The schemas whose counters a refresh tick should recompute: those with activity (staff signed in
    and working, an audit entry or an outbox event — every service write leaves one) since a little
    before the previous tick, and those whose counters are older than ``COUNTERS_MAX_AGE_SECONDS``
    (figures that change with time alone, like "overdue", are at most that old) or were never
    computed. A few queries, whatever the number of municipalities."""
    from django.conf import settings
    from django.db.models import Min

    from gorodok_platform.audit.models import AuditEntry
    from gorodok_platform.integrations.models import OutboxEvent
    from gorodok_platform.jobs.probes import schemas_matching
    from gorodok_tenants.models import MunicipalityStatus

    now = now or timezone.now()
    max_age = timedelta(seconds=int(getattr(settings, "COUNTERS_MAX_AGE_SECONDS", 3600)))
    served = dict(Municipality.objects.exclude(status=MunicipalityStatus.ARCHIVED)
                  .values_list("schema_name", "pk"))
    oldest = dict(MunicipalityCounter.objects.filter(municipality_id__in=served.values())
                  .values("municipality_id").annotate(oldest=Min("updated_at"))
                  .values_list("municipality_id", "oldest"))
    due = {schema for schema, pk in served.items() if oldest.get(pk) is None or oldest[pk] < now - max_age}
    since = now - timedelta(seconds=2 * interval_seconds)
    due.update(Municipality.objects.filter(schema_name__in=served, last_activity_at__gte=since)
               .values_list("schema_name", flat=True))
    quiet = [schema for schema in served if schema not in due]
    for table in (AuditEntry._meta.db_table, OutboxEvent._meta.db_table):
        busy = schemas_matching(quiet, table, "created_at >= %s", [since])
        due.update(busy)
        quiet = [schema for schema in quiet if schema not in due]
    return sorted(due)
