"""Reads of the property register, shaped for their callers (the back office, the API, the extract)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from gorodok_services.assets.models import (
    Asset,
    AssetChange,
    AssetDocument,
    AssetsSettings,
    AssetStatus,
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


def asset_history(asset: Asset) -> QuerySet[AssetChange]:
    return AssetChange.objects.filter(asset=asset).order_by("at", "pk")


def asset_filter(queryset: QuerySet[Asset], *, section=None, kind=None, right_type=None, holder_id=None,
                 status=None, search=None, in_register=None) -> QuerySet[Asset]:
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
    if in_register is not None:
        condition = in_register_condition()
        queryset = queryset.filter(condition) if in_register else queryset.exclude(condition)
    if search and search.strip():
        queryset = asset_search(queryset, search.strip())
    return queryset


def asset_search(queryset: QuerySet[Asset], term: str) -> QuerySet[Asset]:
    return queryset.filter(Q(name__icontains=term) | Q(address__icontains=term)
                           | Q(register_number__icontains=term) | Q(cadastral_number__icontains=term))
