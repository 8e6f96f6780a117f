"""Reads of the property register, shaped for their callers (the back office, the API, the extract)."""

from __future__ import annotations

import math
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from gorodok_services.assets.models import (
    Asset,
    AssetChange,
    AssetDocument,
    AssetsSettings,
    AssetStatus,
    AssetTransition,
    Encumbrance,
    Section,
)


def in_register_condition(threshold: Decimal | None = None) -> Q:
    """Objects the register lists: all real estate, and movable property at or above the
    municipality's threshold or especially valuable; removed objects are out."""
    if threshold is None:
        threshold = AssetsSettings.current().movable_threshold
    return Q(status=AssetStatus.IN_REGISTER) & (
        Q(section=Section.REAL_ESTATE) | Q(especially_valuable=True) | Q(balance_value__gte=threshold)
    )


def threshold_expression():
    """The municipality's threshold inside the query that needs it (no query of its own); the model's
    default while the settings row does not exist yet."""
    default = AssetsSettings._meta.get_field("movable_threshold").default
    return Coalesce(Subquery(AssetsSettings.objects.order_by("pk").values("movable_threshold")[:1]),
                    Value(default), output_field=AssetsSettings._meta.get_field("movable_threshold"))


def with_listed_in_extract(queryset: QuerySet[Asset]) -> QuerySet[Asset]:
    """Objects annotated ``listed_in_extract``: whether the register extract lists them (the same
    condition as the extract, computed in the list's own query)."""
    return queryset.annotate(listed_in_extract=ExpressionWrapper(in_register_condition(threshold_expression()),
                                                                 output_field=BooleanField()))


def asset_register(threshold: Decimal | None = None) -> QuerySet[Asset]:
    return Asset.objects.filter(in_register_condition(threshold))


def asset_register_count() -> int:
    return asset_register().count()


def asset_register_balance_total() -> Decimal:
    return asset_register().aggregate(total=Sum("balance_value"))["total"] or Decimal("0")


def asset_list() -> QuerySet[Asset]:
    """Objects with what a list shows: the holder joined, documents and encumbrances in two queries."""
    return (
        with_listed_in_extract(Asset.objects.select_related("holder"))
        .prefetch_related(Prefetch("documents", queryset=AssetDocument.objects.order_by("date", "pk")),
                          Prefetch("encumbrances", queryset=Encumbrance.objects.order_by("starts_on", "pk")))
        .order_by("register_number", "pk")
    )


def asset_transitions(asset: Asset) -> QuerySet[AssetTransition]:
    return AssetTransition.objects.filter(asset=asset).order_by("on", "pk")


def asset_history(asset: Asset) -> QuerySet[AssetChange]:
    return AssetChange.objects.filter(asset=asset).order_by("at", "pk")


def asset_filter(queryset: QuerySet[Asset], *, section=None, kind=None, right_type=None, holder_id=None,
                 status=None, search=None, in_register=None, lifecycle_status=None) -> QuerySet[Asset]:
    """The filters every list offers (the back office's and the API's)."""
    if section:
        queryset = queryset.filter(section=section)
    if kind:
        queryset = queryset.filter(kind=kind)
    if right_type:
        queryset = queryset.filter(right_type=right_type)
    if holder_id:
        queryset = queryset.filter(holder_id=holder_id)
    if status:
        queryset = queryset.filter(status=status)
    if lifecycle_status:
        queryset = queryset.filter(lifecycle_status=lifecycle_status)
    if in_register is not None:
        condition = in_register_condition()
        queryset = queryset.filter(condition) if in_register else queryset.exclude(condition)
    if search and search.strip():
        queryset = asset_search(queryset, search.strip())
    return queryset


def asset_search(queryset: QuerySet[Asset], term: str) -> QuerySet[Asset]:
    return queryset.filter(Q(name__icontains=term) | Q(address__icontains=term)
                           | Q(register_number__icontains=term) | Q(cadastral_number__icontains=term))


EARTH_RADIUS_M = 6_371_000.0
METRES_PER_DEGREE = 111_320.0  # of latitude, and of longitude at the equator


def asset_nearest(latitude: float, longitude: float, radius_m: float) -> Asset | None:
    """The object in the register nearest to a point (WGS84) among those with coordinates within
    ``radius_m`` metres of it, or None. One SQL query: a bounding box on the coordinates narrows the
    rows, the haversine distance orders them (no PostGIS needed); ties go to the lower register number."""
    from django.db.models import F, FloatField, Value
    from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt

    if radius_m <= 0:
        return None
    lat_span = radius_m / METRES_PER_DEGREE
    cos_lat = max(math.cos(math.radians(latitude)), 1e-6)
    lon_span = min(radius_m / (METRES_PER_DEGREE * cos_lat), 180.0)
    def degrees(value: float) -> Decimal:  # the column's precision, the box widened by its last digit
        return Decimal(f"{value:.6f}")

    box = Asset.objects.filter(
        status=AssetStatus.IN_REGISTER, latitude__isnull=False, longitude__isnull=False,
        latitude__gte=degrees(latitude - lat_span - 1e-6), latitude__lte=degrees(latitude + lat_span + 1e-6),
        longitude__gte=degrees(longitude - lon_span - 1e-6), longitude__lte=degrees(longitude + lon_span + 1e-6),
    )
    phi = Radians(Cast(F("latitude"), FloatField()))
    lam = Radians(Cast(F("longitude"), FloatField()))
    phi0, lam0 = Value(math.radians(latitude)), Value(math.radians(longitude))
    haversine = Power(Sin((phi - phi0) / 2), 2) + Cos(phi) * Value(math.cos(math.radians(latitude))) * Power(
        Sin((lam - lam0) / 2), 2)
    distance = Value(2 * EARTH_RADIUS_M) * ASin(Sqrt(haversine))
    return (box.annotate(distance_m=distance).filter(distance_m__lte=radius_m)
            .order_by("distance_m", "register_number").first())
