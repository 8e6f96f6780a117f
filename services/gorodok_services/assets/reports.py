"""Report sources of the property register: figures of a municipality at the end of a period or within
it (each runs inside the municipality's schema; dates are local to it, both inclusive)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from gorodok_services.assets.models import Asset, AssetsSettings, RightType, Section
from gorodok_tenants.modules.report_sources import report_source_shared


def _in_register_at(day: date) -> QuerySet[Asset]:
    """Objects listed on ``day``: included by then and not removed by then (movables by the threshold)."""
    threshold = AssetsSettings.current().movable_threshold
    return Asset.objects.filter(included_on__lte=day).filter(
        Q(removed_on__isnull=True) | Q(removed_on__gt=day)
    ).filter(Q(section=Section.REAL_ESTATE) | Q(especially_valuable=True) | Q(balance_value__gte=threshold))


def _figures_at(day: date) -> dict:
    """The register's figures at ``day`` (objects by section and by right, balance and residual value) in
    one aggregate query; within a batch of report sources computed once for all of them."""
    def compute() -> dict:
        return _in_register_at(day).aggregate(
            **{f"section_{section}": Count("pk", filter=Q(section=section)) for section in Section.values},
            **{f"right_{right}": Count("pk", filter=Q(right_type=right)) for right in RightType.values},
            balance=Sum("balance_value"), residual=Sum("residual_value"))

    return report_source_shared(("assets.register", connection.schema_name, day), compute)


def objects_at_end(date_from: date, date_to: date, section: str) -> int:
    return _figures_at(date_to)[f"section_{section}"]


def objects_by_right_at_end(date_from: date, date_to: date, right_type: str) -> int:
    return _figures_at(date_to)[f"right_{right_type}"]


def balance_value_at_end(date_from: date, date_to: date) -> Decimal:
    return _figures_at(date_to)["balance"] or Decimal("0")


def residual_value_at_end(date_from: date, date_to: date) -> Decimal:
    return _figures_at(date_to)["residual"] or Decimal("0")


def _movements(date_from: date, date_to: date) -> dict:
    def compute() -> dict:
        return Asset.objects.aggregate(
            included=Count("pk", filter=Q(included_on__gte=date_from, included_on__lte=date_to)),
            removed=Count("pk", filter=Q(removed_on__gte=date_from, removed_on__lte=date_to)))

    return report_source_shared(("assets.movements", connection.schema_name, date_from, date_to), compute)


def included_in_period(date_from: date, date_to: date) -> int:
    return _movements(date_from, date_to)["included"]


def removed_in_period(date_from: date, date_to: date) -> int:
    return _movements(date_from, date_to)["removed"]
