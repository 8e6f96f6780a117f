"""Standing region-wide indicators: every module's report sources for each municipality, kept in the
public schema so the committee reads the whole region with one query.

``indicators_refresh`` runs in one municipality's schema (the module's periodic task fans it out): it
computes each report source for the periods below and writes them in one upsert, so its cost is one
computation per source and period plus one write, whatever the municipality's size.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Sum
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_services.core.calendar import local_date
from gorodok_services.reporting.models import Indicator


def indicator_periods(today: date) -> list[tuple[date, date]]:
    """The current month to date, the previous month, and the year to date (in January the year to date
    is the month to date: listed once)."""
    month_start = today.replace(day=1)
    previous_end = month_start - timedelta(days=1)
    periods = [(month_start, today), (previous_end.replace(day=1), previous_end),
               (today.replace(month=1, day=1), today)]
    return list(dict.fromkeys(periods))


def indicators_refresh(today: date | None = None) -> int:
    """Recompute the current municipality's indicators; returns how many figures were written."""
    from gorodok_services.reporting.selectors import current_municipality
    from gorodok_tenants.modules.report_sources import report_source_batch, report_source_compute, report_sources

    tenant = current_municipality()
    if tenant is None:
        return 0
    today = today or local_date(timezone.now(), tenant.timezone)  # the municipality's day, not the server's
    now = timezone.now()
    rows = []
    with report_source_batch():  # a module's figures of one period computed together, once
        for key in sorted(report_sources()):
            for start, end in indicator_periods(today):
                value = report_source_compute(municipality=tenant, key=key, date_from=start, date_to=end)
                if value is not None:
                    rows.append(Indicator(municipality_id=tenant.pk, key=key, period_start=start, period_end=end,
                                          value=Decimal(value), refreshed_at=now))
    with schema_context(get_public_schema_name()):
        Indicator.objects.bulk_create(rows, update_conflicts=True,
                                      unique_fields=["municipality", "key", "period_start", "period_end"],
                                      update_fields=["value", "refreshed_at"])
    return len(rows)


def region_indicators(*, key: str, period_start: date, period_end: date) -> dict:
    """One indicator for the whole region and per municipality, with the time of the last refresh."""
    queryset = Indicator.objects.filter(key=key, period_start=period_start, period_end=period_end)
    totals = queryset.aggregate(total=Sum("value"), refreshed_at=Max("refreshed_at"))
    per_municipality = list(queryset.order_by("municipality__name")
                            .values_list("municipality__name", "value", "refreshed_at"))
    return {"total": totals["total"], "refreshed_at": totals["refreshed_at"], "municipalities": per_municipality}
