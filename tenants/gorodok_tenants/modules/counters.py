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


MONTHS_KEPT = 12


def month_starts(today, count: int = MONTHS_KEPT) -> list:
    """The first days of the last ``count`` months, oldest first, this month last."""
    from datetime import date

    months, year, month = [], today.year, today.month
    for _step in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _month_end(start):
    from datetime import timedelta

    following = (start.replace(year=start.year + 1, month=1) if start.month == 12
                 else start.replace(month=start.month + 1))
    return following - timedelta(days=1)


def municipality_monthly_refresh(*, municipality: Municipality, today=None) -> int:
    """Keep the monthly figures the modules declare (``ModuleInfo.monthly``) for the last twelve months:
    this month and the previous one are computed again every time (appeals of the previous month are
    still being answered), older months only when missing. Returns how many figures it computed."""
    from zoneinfo import ZoneInfo

    from gorodok_tenants.models import MunicipalityMonthlyFigure

    modules = registered_modules()
    today = today or timezone.now().astimezone(ZoneInfo(municipality.timezone)).date()
    months = month_starts(today)
    fresh = set(months[-2:])
    have = set(MunicipalityMonthlyFigure.objects.filter(municipality=municipality, month__in=months)
               .values_list("month", "key"))
    computed = 0
    with schema_context(municipality.schema_name):
        for code in enabled_module_codes(municipality):
            module = modules[code]
            sources = {source.key: source for source in module.report_sources}
            for key in module.monthly:
                source = sources.get(key)
                if source is None:
                    continue
                figure_key = module.report_source_key(source)
                for month in months:
                    if month not in fresh and (month, figure_key) in have:
                        continue
                    value = int(source.compute(month, _month_end(month)))
                    with schema_context("public"):
                        MunicipalityMonthlyFigure.objects.update_or_create(
                            municipality=municipality, month=month, key=figure_key, defaults={"value": value})
                    computed += 1
    return computed


def region_monthly_totals(today=None) -> tuple[list, dict[str, list[int]]]:
    """The region's sum of every monthly figure for the last twelve months: (months, {key: values})."""
    from django.db.models import Sum
    from django.utils import timezone as django_timezone

    from gorodok_tenants.models import MunicipalityMonthlyFigure, MunicipalityStatus

    months = month_starts(today or django_timezone.localdate())
    rows = (MunicipalityMonthlyFigure.objects.filter(month__in=months)
            .exclude(municipality__status=MunicipalityStatus.ARCHIVED)
            .values("month", "key").annotate(total=Sum("value")))
    totals: dict[str, dict] = {}
    for row in rows:
        totals.setdefault(row["key"], {})[row["month"]] = int(row["total"] or 0)
    return months, {key: [by_month.get(month, 0) for month in months] for key, by_month in sorted(totals.items())}
