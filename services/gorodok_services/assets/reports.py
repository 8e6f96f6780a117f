"""Report sources of the property register: figures of a municipality at the end of a period or within
it (each runs inside the municipality's schema; dates are local to it, both inclusive)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from gorodok_services.assets.models import Asset, AssetsSettings, Section


def _in_register_at(day: date) -> QuerySet[Asset]:
    """Objects listed on ``day``: included by then and not removed by then (movables by the threshold)."""
    threshold = AssetsSettings.current().movable_threshold
    return Asset.objects.filter(included_on__lte=day).filter(
        Q(removed_on__isnull=True) | Q(removed_on__gt=day)
    ).filter(Q(section=Section.REAL_ESTATE) | Q(especially_valuable=True) | Q(balance_value__gte=threshold))


def objects_at_end(date_from: date, date_to: date, section: str) -> int:
    return _in_register_at(date_to).filter(section=section).count()


def objects_by_right_at_end(date_from: date, date_to: date, right_type: str) -> int:
    return _in_register_at(date_to).filter(right_type=right_type).count()


def balance_value_at_end(date_from: date, date_to: date) -> Decimal:
    return _in_register_at(date_to).aggregate(total=Sum("balance_value"))["total"] or Decimal("0")


def residual_value_at_end(date_from: date, date_to: date) -> Decimal:
    return _in_register_at(date_to).aggregate(total=Sum("residual_value"))["total"] or Decimal("0")


def included_in_period(date_from: date, date_to: date) -> int:
    return Asset.objects.filter(included_on__gte=date_from, included_on__lte=date_to).count()


def removed_in_period(date_from: date, date_to: date) -> int:
    return Asset.objects.filter(removed_on__gte=date_from, removed_on__lte=date_to).count()
