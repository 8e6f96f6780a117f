"""Reads of maintenance: the log, the schedules, the work due and overdue, and the operating cost of
ICT and of buildings (the figures the committee's yearly survey asks for).

**When a cost counts.** A maintenance record counts on the day the work finished, or on the day it
started while it is still in progress. A licence's yearly cost is spread over the days it is valid,
calendar year by calendar year: a licence valid the whole year costs its yearly cost in that year, one
valid from 1 July costs half of it, a perpetual one costs its yearly cost (support) every year. The
licence records no payment dates, and spreading the cost makes a year's figure independent of when an
invoice happened to be paid.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from gorodok_services.assets.fleet.models import IctProfile, Licence
from gorodok_services.assets.maintenance.models import (
    MaintenanceRecord,
    MaintenanceSchedule,
    MaintenanceSettings,
)
from gorodok_services.assets.models import Asset, AssetKind, AssetStatus, LifecycleStatus, Section

ZERO = Decimal("0.00")
KOPECK = Decimal("0.01")
# Real estate that is "a building" for the operating-cost list (land plots have no upkeep of their own here).
BUILDING_KINDS = (AssetKind.BUILDING, AssetKind.STRUCTURE, AssetKind.PREMISES, AssetKind.COMPLEX)


def maintenance_today() -> date:
    from gorodok_services.assets.services import register_today

    return register_today()


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def record_list() -> QuerySet[MaintenanceRecord]:
    return MaintenanceRecord.objects.select_related("asset").prefetch_related("documents").order_by("-started_on",
                                                                                                    "-pk")


def record_filter(queryset: QuerySet[MaintenanceRecord], *, asset_id=None, work_type=None,
                  year: int | None = None) -> QuerySet[MaintenanceRecord]:
    if asset_id:
        queryset = queryset.filter(asset_id=asset_id)
    if work_type:
        queryset = queryset.filter(work_type=work_type)
    if year:
        queryset = queryset.annotate(counted_on=Coalesce("finished_on", "started_on")).filter(counted_on__year=year)
    return queryset


def schedule_list() -> QuerySet[MaintenanceSchedule]:
    return MaintenanceSchedule.objects.select_related("asset").order_by("title", "pk")


# --- due and overdue work -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DueWork:
    """One occurrence of scheduled work: this object needs this work by ``due_on``."""

    schedule: MaintenanceSchedule
    asset: Asset
    last_done_on: date | None
    due_on: date
    overdue: bool

    @property
    def key(self) -> tuple[int, int, date]:
        return self.schedule.pk, self.asset.pk, self.due_on


def schedule_objects(schedule: MaintenanceSchedule) -> QuerySet[Asset]:
    """The objects a schedule covers: those still in the register and not written off or disposed of."""
    queryset = Asset.objects.exclude(status=AssetStatus.REMOVED).exclude(
        lifecycle_status__in=(LifecycleStatus.WRITTEN_OFF, LifecycleStatus.DISPOSED))
    if schedule.asset_id:
        return queryset.filter(pk=schedule.asset_id)
    if schedule.asset_kind:
        return queryset.filter(kind=schedule.asset_kind)
    return queryset.filter(ict_profile__category=schedule.ict_category)


def schedule_occurrences(schedule: MaintenanceSchedule) -> list[DueWork]:
    """The next occurrence of the schedule's work for each object it covers (one query): the last matching
    record plus the interval, never before the schedule's first date; ``overdue`` is not set here."""
    last = (MaintenanceRecord.objects.filter(asset=OuterRef("pk"), work_type=schedule.work_type).order_by()
            .values("asset").annotate(last=Max(Coalesce("finished_on", "started_on"))).values("last"))
    items = []
    for asset in schedule_objects(schedule).select_related("holder").annotate(last_done=Subquery(last)).order_by(
            "register_number", "pk"):
        due = schedule.starts_on
        if asset.last_done is not None:
            due = max(due, add_months(asset.last_done, schedule.every_months))
        items.append(DueWork(schedule, asset, asset.last_done, due, False))
    return items


def maintenance_due(*, today: date | None = None, window_days: int | None = None,
                    overdue_only: bool = False) -> list[DueWork]:
    """Scheduled work due within the window (settings: 30 days by default) or overdue, soonest first.
    One query for the schedules and one per active schedule, whatever the number of objects."""
    today = today or maintenance_today()
    if window_days is None:
        window_days = MaintenanceSettings.current().due_window_days
    horizon = today + timedelta(days=window_days)
    items = []
    for schedule in MaintenanceSchedule.objects.filter(is_active=True).select_related("asset").order_by("pk"):
        for item in schedule_occurrences(schedule):
            overdue = item.due_on < today
            if overdue or (not overdue_only and item.due_on <= horizon):
                items.append(DueWork(schedule, item.asset, item.last_done_on, item.due_on, overdue))
    return sorted(items, key=lambda item: (item.due_on, item.schedule.pk, item.asset.register_number))


def maintenance_overdue_count() -> int:
    """The console's figure: occurrences of scheduled work past their date."""
    return len(maintenance_due(overdue_only=True))


# --- operating cost -------------------------------------------------------------------------------------------

def _records_in(date_from: date, date_to: date) -> QuerySet[MaintenanceRecord]:
    return (MaintenanceRecord.objects.annotate(counted_on=Coalesce("finished_on", "started_on"))
            .filter(counted_on__gte=date_from, counted_on__lte=date_to))


def _sum(queryset) -> Decimal:
    return queryset.aggregate(total=Sum("cost"))["total"] or ZERO


def ict_maintenance_cost(date_from: date, date_to: date) -> Decimal:
    """Maintenance of objects with an ICT profile in the period."""
    return _sum(_records_in(date_from, date_to).filter(asset__ict_profile__isnull=False))


def licence_cost(date_from: date, date_to: date) -> Decimal:
    """Licences' yearly costs spread over the days of the period they are valid (see the module's note)."""
    total = Decimal("0")
    licences = Licence.objects.filter(valid_from__lte=date_to).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=date_from)).filter(yearly_cost__gt=0)
    for licence in licences.only("valid_from", "valid_until", "yearly_cost"):
        start = max(date_from, licence.valid_from)
        end = min(date_to, licence.valid_until) if licence.valid_until else date_to
        for year in range(start.year, end.year + 1):
            days_in_year = 366 if calendar.isleap(year) else 365
            first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
            total += licence.yearly_cost * Decimal((last - first).days + 1) / Decimal(days_in_year)
    return total.quantize(KOPECK, rounding=ROUND_HALF_UP)


def ict_operating_cost(date_from: date, date_to: date) -> Decimal:
    """The survey's "operating ICT" figure: ICT maintenance plus licences, in roubles."""
    return ict_maintenance_cost(date_from, date_to) + licence_cost(date_from, date_to)


def buildings_operating_cost(date_from: date, date_to: date) -> Decimal:
    """Maintenance of real-estate objects in the period."""
    return _sum(_records_in(date_from, date_to).filter(asset__section=Section.REAL_ESTATE))


def building_operating_costs(year: int) -> QuerySet[Asset]:
    """Each building's operating cost in ``year`` (one query): its own maintenance (``upkeep``), the
    maintenance of the ICT equipment located in it (``ict``) and their ``total``, costliest first.
    Buildings that left the register before the year are not listed."""
    date_from, date_to = date(year, 1, 1), date(year, 12, 31)
    money = DecimalField(max_digits=17, decimal_places=2)

    def total_of(records) -> Subquery:
        return Coalesce(Subquery(records.order_by().values("grouped").annotate(s=Sum("cost")).values("s"),
                                 output_field=money),
                        Value(ZERO), output_field=money)

    own = _records_in(date_from, date_to).filter(asset=OuterRef("pk")).annotate(grouped=F("asset_id"))
    equipment = IctProfile.objects.filter(building=OuterRef(OuterRef("pk"))).values("asset_id")
    ict = (_records_in(date_from, date_to).filter(asset_id__in=equipment)
           .annotate(grouped=Value(1)))
    return (Asset.objects.filter(section=Section.REAL_ESTATE, kind__in=BUILDING_KINDS, included_on__lte=date_to)
            .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=date_from))
            .select_related("holder")
            .annotate(upkeep=total_of(own), ict=total_of(ict))
            .annotate(total=F("upkeep") + F("ict"))
            .order_by("-total", "register_number", "pk"))
