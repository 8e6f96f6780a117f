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
STOCKTAKING_CLOSED = "stocktaking.closed"
EVENT_TYPES = (CREATED, CHANGED, REMOVED, STATUS_CHANGED, STOCKTAKING_CLOSED)


def _count_in_register() -> int:
    from gorodok_services.assets.selectors import asset_register_count

    return asset_register_count()


def _total_balance() -> int:
    from gorodok_services.assets.selectors import asset_register_balance_total

    return asset_register_balance_total()


def _report(name: str, *args):
    def compute(date_from, date_to):
        from gorodok_services.assets import reports

        return getattr(reports, name)(date_from, date_to, *args)

    compute.__name__ = name
    return compute


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
        ModuleEvent(STOCKTAKING_CLOSED, _("A stock-taking was closed (its counts, the objects not found, damaged "
                                          "or found elsewhere and what was done about them are in the data)."),
                    READ_SCOPE),
    ),
    counters=(
        Counter("in_register", _("objects in the register"), _count_in_register),
        Counter("balance_total", _("total balance value, roubles"), _total_balance),
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
    ),
    graphql=GraphQLRoots(
        tenant_query="gorodok_graphql.assets.schema.AssetsQuery",
        tenant_mutation="gorodok_graphql.assets.mutations.AssetMutations",
    ),
    demo="gorodok_services.assets.demo.seed_demo_assets",
)
