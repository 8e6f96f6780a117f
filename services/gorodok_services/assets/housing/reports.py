"""Report sources of the housing stock and the utility networks: figures at the end of a period, each one
aggregate query in the municipality's schema (dates are local to it). An object counts when it is in the
register on the period's end; its profile is read as it is now (wear is re-assessed every few years, and
the profile keeps the date of the assessment); a building counts as in disrepair from its decision's date.
Municipal premises count towards the housing area only when their building has no housing profile of its
own, so no square metre is counted twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from gorodok_services.assets.housing.models import (
    NETWORK_KINDS,
    ConditionBand,
    HousingKind,
    HousingProfile,
    HousingSettings,
    UtilityProfile,
)
from gorodok_services.assets.housing.selectors import band_condition
from gorodok_tenants.modules.report_sources import report_source_shared


def _in_register_at(day: date, prefix: str = "asset__") -> Q:
    return Q(**{f"{prefix}included_on__lte": day}) & (
        Q(**{f"{prefix}removed_on__isnull": True}) | Q(**{f"{prefix}removed_on__gt": day}))


def _housing_at(day: date) -> QuerySet[HousingProfile]:
    building_has_profile = HousingProfile.objects.filter(asset_id=OuterRef("building_id"))
    return HousingProfile.objects.filter(_in_register_at(day)).exclude(
        Q(housing_kind=HousingKind.MUNICIPAL_PREMISES) & Exists(building_has_profile))


def _figures_at(day: date) -> dict:
    """Every housing and network figure at ``day``, in three aggregate queries and one read of the scale;
    within a batch of report sources (the indicators' refresh, a report's pre-fill) computed once."""
    def compute() -> dict:
        scale = HousingSettings.current()
        bands = [str(band) for band in ConditionBand]
        housing = _housing_at(day).aggregate(**{
            f"area_{band}": Sum("total_area", filter=band_condition(band, scale)) for band in bands})
        emergency = _emergency_buildings_at(day).aggregate(count=Count("pk"), area=Sum("total_area"))
        networks = _networks_at(day).aggregate(
            **{f"length_{band}": Sum("length_m", filter=band_condition(band, scale)) for band in bands},
            **{f"kind_{kind}": Sum("length_m", filter=Q(kind=kind)) for kind in NETWORK_KINDS})
        return {**housing, **networks, "emergency_count": emergency["count"], "emergency_area": emergency["area"]}

    return report_source_shared(("assets.housing", connection.schema_name, day), compute)


def housing_area_by_band_at_end(date_from: date, date_to: date, band: str) -> Decimal:
    return _figures_at(date_to)[f"area_{band}"] or Decimal("0")


def _emergency_buildings_at(day: date) -> QuerySet[HousingProfile]:
    return HousingProfile.objects.filter(_in_register_at(day), housing_kind=HousingKind.APARTMENT_BUILDING,
                                         emergency=True, emergency_decision_date__lte=day)


def emergency_buildings_at_end(date_from: date, date_to: date) -> int:
    return _figures_at(date_to)["emergency_count"]


def emergency_buildings_area_at_end(date_from: date, date_to: date) -> Decimal:
    return _figures_at(date_to)["emergency_area"] or Decimal("0")


def _networks_at(day: date) -> QuerySet[UtilityProfile]:
    return UtilityProfile.objects.filter(_in_register_at(day), kind__in=NETWORK_KINDS)


def network_length_by_band_at_end(date_from: date, date_to: date, band: str) -> Decimal:
    return _figures_at(date_to)[f"length_{band}"] or Decimal("0")


def network_length_by_kind_at_end(date_from: date, date_to: date, kind: str) -> Decimal:
    return _figures_at(date_to)[f"kind_{kind}"] or Decimal("0")
