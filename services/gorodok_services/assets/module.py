"""What the property register declares to the rest of Gorodok (its registry entry). Role codes, scope
strings and event names are public contracts: they never change value.

No personal-data scope: the register holds no private persons' data. A right holder is a legal entity
and its head's name is public in the unified state register of legal entities (129-FZ, art. 6); the
register keeps no contacts of people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gorodok_platform.modules import (
    Counter,
    GraphQLRoots,
    ModuleEvent,
    ModuleInfo,
    ModuleRole,
    ModuleScope,
    PeriodicTask,
    ReportSource,
)

CODE = "assets"

# Held by the platform before this module existed: groups named so exist in municipalities' schemas.
ASSET_MANAGER = "asset_manager"

READ_SCOPE = "assets:read"
WRITE_SCOPE = "assets:write"

CREATED = "asset.created"
CHANGED = "asset.changed"
REMOVED = "asset.removed"
STATUS_CHANGED = "asset.status_changed"
MAINTENANCE_DUE = "maintenance.due"
MAINTENANCE_OVERDUE = "maintenance.overdue"
STOCKTAKING_CLOSED = "stocktaking.closed"
EVENT_TYPES = (CREATED, CHANGED, REMOVED, STATUS_CHANGED, MAINTENANCE_DUE, MAINTENANCE_OVERDUE,
               STOCKTAKING_CLOSED)


def _count_in_register() -> int:
    from gorodok_services.assets.selectors import asset_register_count

    return asset_register_count()


def _total_balance() -> int:
    from gorodok_services.assets.selectors import asset_register_balance_total

    return asset_register_balance_total()


def _emergency_buildings() -> int:
    from gorodok_services.assets.housing.selectors import emergency_buildings_count

    return emergency_buildings_count()


def _count_maintenance_overdue() -> int:
    from gorodok_services.assets.maintenance.selectors import maintenance_overdue_count

    return maintenance_overdue_count()


def _count_licences_expiring() -> int:
    from gorodok_services.assets.fleet.selectors import licences_expiring_count

    return licences_expiring_count(30)


def _operations_report(name: str):
    def compute(date_from, date_to):
        from gorodok_services.assets.maintenance import selectors

        return getattr(selectors, name)(date_from, date_to)

    compute.__name__ = name
    return compute


def _report(name: str, *args):
    def compute(date_from, date_to):
        from gorodok_services.assets import reports

        return getattr(reports, name)(date_from, date_to, *args)

    compute.__name__ = name
    return compute


def _housing_report(name: str, *args):
    def compute(date_from, date_to):
        from gorodok_services.assets.housing import reports

        return getattr(reports, name)(date_from, date_to, *args)

    compute.__name__ = name
    return compute


# The condition bands and the network kinds of the housing and utilities part (values of its choices).
BANDS = (
    ("good", _("housing stock area in good condition at the period's end, sq. m"),
     _("length of utility networks in good condition at the period's end, m")),
    ("satisfactory", _("housing stock area in satisfactory condition at the period's end, sq. m"),
     _("length of utility networks in satisfactory condition at the period's end, m")),
    ("unsatisfactory", _("housing stock area in unsatisfactory condition at the period's end, sq. m"),
     _("length of utility networks in unsatisfactory condition at the period's end, m")),
    ("dilapidated", _("dilapidated housing stock area at the period's end, sq. m"),
     _("length of dilapidated utility networks at the period's end, m")),
    ("unusable", _("unusable housing stock area at the period's end, sq. m"),
     _("length of unusable utility networks at the period's end, m")),
)
NETWORKS = (
    ("heat_network", _("length of heat networks at the period's end, m")),
    ("water_supply", _("length of water supply networks at the period's end, m")),
    ("sewer", _("length of sewer networks at the period's end, m")),
    ("electricity", _("length of power networks at the period's end, m")),
    ("gas", _("length of gas networks at the period's end, m")),
)
HOUSING_REPORT_SOURCES = (
    *(ReportSource(f"housing_area_{band}", area_label, _housing_report("housing_area_by_band_at_end", band),
                   unit="square_metres") for band, area_label, _length in BANDS),
    ReportSource("emergency_buildings", _("apartment buildings recognised in disrepair at the period's end"),
                 _housing_report("emergency_buildings_at_end")),
    ReportSource("emergency_buildings_area",
                 _("area of apartment buildings recognised in disrepair at the period's end, sq. m"),
                 _housing_report("emergency_buildings_area_at_end"), unit="square_metres"),
    *(ReportSource(f"network_length_{band}", length_label, _housing_report("network_length_by_band_at_end", band),
                   unit="metres") for band, _area, length_label in BANDS),
    *(ReportSource(f"network_length_{kind}", label, _housing_report("network_length_by_kind_at_end", kind),
                   unit="metres") for kind, label in NETWORKS),
)


MODULE = ModuleInfo(
    code=CODE,
    name=_("Municipal property register"),
    roles=(ModuleRole(ASSET_MANAGER, _("Asset manager")),),
    scopes=(
        ModuleScope(READ_SCOPE, _("read the property register")),
        ModuleScope(WRITE_SCOPE, _("change the property register")),
    ),
    events=(
        ModuleEvent(CREATED, _("An object was included in the property register."), READ_SCOPE),
        ModuleEvent(CHANGED, _("An object of the property register changed (the changed fields are in the data)."),
                    READ_SCOPE),
        ModuleEvent(REMOVED, _("An object left the property register (the basis document is in the data)."),
                    READ_SCOPE),
        ModuleEvent(STATUS_CHANGED, _("An object's working status changed (from, to, date and basis are in "
                                      "the data)."), READ_SCOPE),
        ModuleEvent(MAINTENANCE_DUE, _("Scheduled maintenance of an object is due soon (once per occurrence)."),
                    READ_SCOPE),
        ModuleEvent(MAINTENANCE_OVERDUE, _("Scheduled maintenance of an object is overdue (once per occurrence)."),
                    READ_SCOPE),
        ModuleEvent(STOCKTAKING_CLOSED, _("A stock-taking was closed (its counts, the objects not found, damaged "
                                          "or found elsewhere and what was done about them are in the data)."),
                    READ_SCOPE),
    ),
    counters=(
        Counter("in_register", _("objects in the register"), _count_in_register),
        Counter("balance_total", _("total balance value, roubles"), _total_balance),
        Counter("emergency_buildings", _("buildings recognised in disrepair"), _emergency_buildings),
        Counter("maintenance_overdue", _("maintenance overdue"), _count_maintenance_overdue),
        Counter("licences_expiring", _("licences expiring in 30 days"), _count_licences_expiring),
    ),
    report_sources=(
        ReportSource("real_estate_objects", _("real estate objects in the register at the period's end"),
                     _report("objects_at_end", "real_estate")),
        ReportSource("movable_objects", _("movable objects in the register at the period's end"),
                     _report("objects_at_end", "movable")),
        ReportSource("ownership_objects", _("objects in the treasury at the period's end"),
                     _report("objects_by_right_at_end", "ownership")),
        ReportSource("economic_management_objects",
                     _("objects in economic management at the period's end"),
                     _report("objects_by_right_at_end", "economic_management")),
        ReportSource("operational_management_objects",
                     _("objects in operational management at the period's end"),
                     _report("objects_by_right_at_end", "operational_management")),
        ReportSource("balance_value", _("balance value of the register at the period's end"),
                     _report("balance_value_at_end"), unit="roubles"),
        ReportSource("residual_value", _("residual value of the register at the period's end"),
                     _report("residual_value_at_end"), unit="roubles"),
        ReportSource("included", _("objects included in the register in the period"), _report("included_in_period")),
        ReportSource("removed", _("objects removed from the register in the period"), _report("removed_in_period")),
        *HOUSING_REPORT_SOURCES,
        ReportSource("ict_operating_cost",
                     _("operating cost of ICT in the period: maintenance of ICT equipment and licences"),
                     _operations_report("ict_operating_cost"), unit="roubles"),
        ReportSource("buildings_operating_cost", _("operating cost of buildings in the period: their maintenance"),
                     _operations_report("buildings_operating_cost"), unit="roubles"),
    ),
    periodic=(
        # Hourly and cheap: each reminder and each due/overdue event goes out once, whichever run finds it.
        PeriodicTask("fleet_reminders", "gorodok_services.assets.fleet.reminders.run_fleet_reminders",
                     seconds=3600),
        PeriodicTask("maintenance", "gorodok_services.assets.maintenance.sweep.run_maintenance_sweep",
                     seconds=3600),
    ),
    graphql=GraphQLRoots(
        tenant_query="gorodok_graphql.assets.schema.AssetsQuery",
        tenant_mutation="gorodok_graphql.assets.mutations.AssetMutations",
    ),
    demo="gorodok_services.assets.demo.seed_demo_register",
    dashboard="gorodok_services.assets.operations_dashboard.assets_today",
)
