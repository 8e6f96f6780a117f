"""Report sources of the housing stock and the utility networks: figures at the end of a period, each one
aggregate query in the municipality's schema (dates are local to it). An object counts when it is in the
register on the period's end; its profile is read as it is now (wear is re-assessed every few years, and
the profile keeps the date of the assessment); a building counts as in disrepair from its decision's date.
Municipal premises count towards the housing area only when their building has no housing profile of its
own, so no square metre is counted twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from gorodok_services.assets.housing.models import NETWORK_KINDS, HousingKind, HousingProfile, UtilityProfile
from gorodok_services.assets.housing.selectors import band_condition


def _in_register_at(day: date, prefix: str = "asset__") -> Q:
    return Q(**{f"{prefix}included_on__lte": day}) & (
        Q(**{f"{prefix}removed_on__isnull": True}) | Q(**{f"{prefix}removed_on__gt": day}))


def _housing_at(day: date) -> QuerySet[HousingProfile]:
    building_has_profile = HousingProfile.objects.filter(asset_id=OuterRef("building_id"))
    return HousingProfile.objects.filter(_in_register_at(day)).exclude(
        Q(housing_kind=HousingKind.MUNICIPAL_PREMISES) & Exists(building_has_profile))


def _total(queryset: QuerySet, field: str) -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or Decimal("0")


def housing_area_by_band_at_end(date_from: date, date_to: date, band: str) -> Decimal:
    return _total(_housing_at(date_to).filter(band_condition(band)), "total_area")


def _emergency_buildings_at(day: date) -> QuerySet[HousingProfile]:
    return HousingProfile.objects.filter(_in_register_at(day), housing_kind=HousingKind.APARTMENT_BUILDING,
                                         emergency=True, emergency_decision_date__lte=day)


def emergency_buildings_at_end(date_from: date, date_to: date) -> int:
    return _emergency_buildings_at(date_to).count()


def emergency_buildings_area_at_end(date_from: date, date_to: date) -> Decimal:
    return _total(_emergency_buildings_at(date_to), "total_area")


def _networks_at(day: date) -> QuerySet[UtilityProfile]:
    return UtilityProfile.objects.filter(_in_register_at(day), kind__in=NETWORK_KINDS)


def network_length_by_band_at_end(date_from: date, date_to: date, band: str) -> Decimal:
    return _total(_networks_at(date_to).filter(band_condition(band)), "length_m")


def network_length_by_kind_at_end(date_from: date, date_to: date, kind: str) -> Decimal:
    return _total(_networks_at(date_to).filter(kind=kind), "length_m")
