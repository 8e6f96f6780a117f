"""Reads of the ICT fleet, shaped for the back office, the API, the console and the reminders."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet

from gorodok_services.assets.fleet.models import IctProfile, Licence
from gorodok_services.assets.models import Asset, AssetStatus


def fleet_today() -> date:
    from gorodok_services.assets.services import register_today

    return register_today()


def ict_profile_list() -> QuerySet[IctProfile]:
    """Profiles with their object and building joined, in register order."""
    return (IctProfile.objects.select_related("asset", "asset__holder", "building")
            .order_by("asset__register_number", "pk"))


def ict_profile_filter(queryset: QuerySet[IctProfile], *, category=None, building_id=None,
                       warranty_within_days: int | None = None, today: date | None = None) -> QuerySet[IctProfile]:
    if category:
        queryset = queryset.filter(category=category)
    if building_id:
        queryset = queryset.filter(building_id=building_id)
    if warranty_within_days is not None:
        today = today or fleet_today()
        queryset = queryset.filter(warranty_until__gte=today,
                                   warranty_until__lte=today + timedelta(days=warranty_within_days))
    return queryset


def warranty_ending(*, today: date, days: int) -> QuerySet[IctProfile]:
    """Equipment still in the register whose warranty ends within ``days`` of ``today`` (inclusive)."""
    return (ict_profile_list().filter(warranty_until__gte=today, warranty_until__lte=today + timedelta(days=days))
            .exclude(asset__status=AssetStatus.REMOVED))


def licence_list() -> QuerySet[Licence]:
    """Licences with the objects they are installed on (one more query for all of them)."""
    return (Licence.objects.prefetch_related(Prefetch("assets", queryset=Asset.objects.order_by("register_number")))
            .order_by("product", "pk"))


def licences_expiring(*, today: date, days: int) -> QuerySet[Licence]:
    """Licences that end within ``days`` of ``today`` (inclusive); perpetual ones never do."""
    return Licence.objects.filter(valid_until__gte=today, valid_until__lte=today + timedelta(days=days))


def licence_filter(queryset: QuerySet[Licence], *, expiring_within_days: int | None = None, expired=None,
                   search: str | None = None, today: date | None = None) -> QuerySet[Licence]:
    today = today or fleet_today()
    if expiring_within_days is not None:
        queryset = queryset.filter(valid_until__gte=today,
                                   valid_until__lte=today + timedelta(days=expiring_within_days))
    if expired is True:
        queryset = queryset.filter(valid_until__lt=today)
    elif expired is False:
        queryset = queryset.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    if search:
        queryset = queryset.filter(Q(product__icontains=search) | Q(vendor__icontains=search))
    return queryset


def licences_expiring_count(days: int = 30) -> int:
    """The console's figure: licences ending within 30 days."""
    return licences_expiring(today=fleet_today(), days=days).count()
