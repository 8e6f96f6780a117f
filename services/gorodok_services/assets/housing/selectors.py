"""Reads of the housing stock and the utility networks, shaped for their callers (the back office, the
API, the report sources). The condition band is computed by the database from the municipality's scale,
so lists and filters never load the scale per row."""

from __future__ import annotations

from django.db.models import Case, CharField, Q, QuerySet, Value, When

from gorodok_services.assets.housing.models import (
    ConditionBand,
    HousingKind,
    HousingProfile,
    HousingSettings,
    UtilityProfile,
)
from gorodok_services.assets.models import Asset, AssetStatus


def band_condition(band: str, scale: HousingSettings | None = None, prefix: str = "") -> Q:
    """Rows whose wear falls in ``band`` of the scale (``prefix`` reaches the profile from another model)."""
    low, high = (scale or HousingSettings.current()).bounds()[ConditionBand(band)]
    return Q(**{f"{prefix}wear_percent__gte": low, f"{prefix}wear_percent__lte": high})


def band_expression(scale: HousingSettings | None = None, prefix: str = "") -> Case:
    scale = scale or HousingSettings.current()
    return Case(*(When(band_condition(band, scale, prefix), then=Value(str(band))) for band in ConditionBand),
                default=Value(""), output_field=CharField())


def housing_stock(scale: HousingSettings | None = None, *, include_removed: bool = False) -> QuerySet[HousingProfile]:
    """Housing profiles of objects in the register (or of all objects), with their object (and the building
    premises are in) and the band annotated."""
    queryset = HousingProfile.objects.all() if include_removed else HousingProfile.objects.exclude(
        asset__status=AssetStatus.REMOVED)
    return (queryset.select_related("asset", "building").annotate(condition_band=band_expression(scale))
            .order_by("asset__register_number", "pk"))


def utility_networks(scale: HousingSettings | None = None, *, include_removed: bool = False
                     ) -> QuerySet[UtilityProfile]:
    queryset = UtilityProfile.objects.all() if include_removed else UtilityProfile.objects.exclude(
        asset__status=AssetStatus.REMOVED)
    return (queryset.select_related("asset").annotate(condition_band=band_expression(scale))
            .order_by("asset__register_number", "pk"))


def housing_profiles_of(asset_ids) -> dict[int, HousingProfile]:
    """The profiles of these objects by object id (one query), each with its band."""
    return {p.asset_id: p for p in HousingProfile.objects.filter(asset_id__in=asset_ids)
            .annotate(condition_band=band_expression())}


def utility_profiles_of(asset_ids) -> dict[int, UtilityProfile]:
    return {p.asset_id: p for p in UtilityProfile.objects.filter(asset_id__in=asset_ids)
            .annotate(condition_band=band_expression())}


def housing_filter(queryset: QuerySet[Asset], *, band=None, emergency=None, housing_kind=None) -> QuerySet[Asset]:
    """Objects in the register that have a housing profile, filtered by band, emergency status and kind."""
    queryset = queryset.filter(housing_profile__isnull=False).exclude(status=AssetStatus.REMOVED)
    if band:
        queryset = queryset.filter(band_condition(band, prefix="housing_profile__"))
    if emergency is not None:
        queryset = queryset.filter(housing_profile__emergency=emergency)
    if housing_kind:
        queryset = queryset.filter(housing_profile__housing_kind=housing_kind)
    return queryset


def utility_filter(queryset: QuerySet[Asset], *, kind=None, band=None) -> QuerySet[Asset]:
    """Objects in the register that have a utility profile, filtered by kind and band."""
    queryset = queryset.filter(utility_profile__isnull=False).exclude(status=AssetStatus.REMOVED)
    if kind:
        queryset = queryset.filter(utility_profile__kind=kind)
    if band:
        queryset = queryset.filter(band_condition(band, prefix="utility_profile__"))
    return queryset


def emergency_buildings_count() -> int:
    """Buildings still in the register recognised in disrepair (the console's counter; premises are not
    buildings)."""
    return (HousingProfile.objects.filter(emergency=True).exclude(asset__status=AssetStatus.REMOVED)
            .exclude(housing_kind=HousingKind.MUNICIPAL_PREMISES).count())
