"""Queries of the ICT fleet and of maintenance: keyset connections for the fleet, the licences, the log
and the schedules; bounded lists for the work due and the buildings' operating cost."""

import graphene
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from gorodok_graphql.assets.lookup import pk_from_global_id
from gorodok_graphql.assets.operations_enums import IctCategoryEnum, MaintenanceWorkTypeEnum
from gorodok_graphql.assets.operations_types import (
    BuildingOperatingCost,
    IctProfile,
    Licence,
    MaintenanceDue,
    MaintenanceRecord,
    MaintenanceSchedule,
)
from gorodok_graphql.assets.permissions import MODULE, check_can_read_assets
from gorodok_graphql.core.bounds import MAX_YEAR, MIN_YEAR
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.fields import CappedConnectionField
from gorodok_graphql.core.permissions import module_required
from gorodok_services.assets.fleet import models as fleet
from gorodok_services.assets.fleet.selectors import ict_profile_filter, licence_filter
from gorodok_services.assets.maintenance import models as maintenance
from gorodok_services.assets.maintenance.selectors import (
    building_operating_costs,
    maintenance_due,
    maintenance_today,
    record_filter,
)
from gorodok_services.assets.selectors import asset_list
from graphql import GraphQLError

MAX_DAYS = 3660
MAX_DUE_ITEMS = 1000


def _out_of_range(argument: str, low: int, high: int) -> GraphQLError:
    return GraphQLError(_("`%(arg)s` must be between %(low)d and %(high)d.") % {"arg": argument, "low": low,
                                                                               "high": high},
                        extensions={"code": "VALUE_OUT_OF_RANGE", "argument": argument})


def _days(value, argument: str):
    if value is not None and not 0 <= value <= MAX_DAYS:
        raise _out_of_range(argument, 0, MAX_DAYS)
    return value


def _year(value):
    if value is None:
        return maintenance_today().year
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise _out_of_range("year", MIN_YEAR, MAX_YEAR)
    return value


def _assets():
    return asset_list()


class AssetOperationsQueries(graphene.ObjectType):
    ict_profiles = CappedConnectionField(
        IctProfile,
        category=IctCategoryEnum(),
        building=graphene.ID(description="A building's global ID (an Asset)."),
        warranty_within_days=graphene.Int(description="Only warranties ending within this many days from today."),
        description="The ICT fleet: every object with an ICT profile.",
    )
    licences = CappedConnectionField(
        Licence,
        expiring_within_days=graphene.Int(description="Only licences ending within this many days from today."),
        expired=graphene.Boolean(description="Only expired (true) or only valid and perpetual (false) licences."),
        search=graphene.String(description="Part of the product or the vendor."),
        description="Software licences, by product.",
    )
    maintenance_records = CappedConnectionField(
        MaintenanceRecord,
        asset=graphene.ID(description="An object's global ID."),
        work_type=MaintenanceWorkTypeEnum(),
        year=graphene.Int(description="Work counted in this year (the day it finished, else the day it started)."),
        description="The maintenance log, latest first.",
    )
    maintenance_schedules = CappedConnectionField(MaintenanceSchedule, description="Preventive schedules, by title.")
    maintenance_due = graphene.List(
        graphene.NonNull(MaintenanceDue), required=True,
        within_days=graphene.Int(description="The window of due work; the municipality's setting by default."),
        overdue_only=graphene.Boolean(default_value=False),
        description=f"Scheduled work due within the window or overdue, soonest first (at most {MAX_DUE_ITEMS}).",
    )
    building_operating_costs = graphene.List(
        graphene.NonNull(BuildingOperatingCost), required=True,
        year=graphene.Int(description="This year by default."),
        description="Each building's operating cost for a year, costliest first.",
    )

    @module_required(MODULE)
    def resolve_ict_profiles(root, info, category=None, building=None, warranty_within_days=None, **kwargs):
        check_can_read_assets(info)
        queryset = fleet.IctProfile.objects.select_related("asset", "asset__holder", "building",
                                                           "building__holder").order_by("pk")
        building_id = None
        if building:
            building_id = pk_from_global_id(building, "Asset")
            if building_id is None:
                return queryset.none()
        return ict_profile_filter(queryset, category=enum_value(category), building_id=building_id,
                                  warranty_within_days=_days(warranty_within_days, "warrantyWithinDays"))

    @module_required(MODULE)
    def resolve_licences(root, info, expiring_within_days=None, expired=None, search=None, **kwargs):
        check_can_read_assets(info)
        queryset = fleet.Licence.objects.prefetch_related(Prefetch("assets", queryset=_assets())).order_by(
            "product", "pk")
        term = (search or "").replace("\x00", "").strip() or None
        return licence_filter(queryset, expiring_within_days=_days(expiring_within_days, "expiringWithinDays"),
                              expired=expired, search=term)

    @module_required(MODULE)
    def resolve_maintenance_records(root, info, asset=None, work_type=None, year=None, **kwargs):
        check_can_read_assets(info)
        queryset = (maintenance.MaintenanceRecord.objects.select_related("asset", "asset__holder")
                    .prefetch_related("documents").order_by("-started_on", "-pk"))
        asset_id = None
        if asset:
            asset_id = pk_from_global_id(asset, "Asset")
            if asset_id is None:
                return queryset.none()
        return record_filter(queryset, asset_id=asset_id, work_type=enum_value(work_type),
                             year=_year(year) if year is not None else None)

    @module_required(MODULE)
    def resolve_maintenance_schedules(root, info, **kwargs):
        check_can_read_assets(info)
        return maintenance.MaintenanceSchedule.objects.select_related("asset", "asset__holder").order_by("title", "pk")

    @module_required(MODULE)
    def resolve_maintenance_due(root, info, within_days=None, overdue_only=False):
        check_can_read_assets(info)
        return maintenance_due(window_days=_days(within_days, "withinDays"), overdue_only=overdue_only)[:MAX_DUE_ITEMS]

    @module_required(MODULE)
    def resolve_building_operating_costs(root, info, year=None):
        check_can_read_assets(info)
        return list(building_operating_costs(_year(year))[:MAX_DUE_ITEMS])
