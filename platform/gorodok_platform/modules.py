"""The module contract: what a shared module (appeals, assets, reporting, the next one) declares so
that the rest of Gorodok can use it without naming it.

A module announces itself with an attribute on its AppConfig::

    class RoadsConfig(AppConfig):
        gorodok_module = ModuleInfo(
            code="roads", name=_("Roads"),
            roles=(ModuleRole("road_engineer", _("Road engineer")),),
            scopes=(ModuleScope("roads:read", _("read roads")),),
            events=(ModuleEvent("road.closed", _("a road was closed"), scope="roads:read"),),
            counters=(Counter("closed", _("closed"), count_closed_roads),),
            report_sources=(ReportSource("repaired_km", _("km repaired"), km_repaired, unit="km"),),
            periodic=(PeriodicTask("inspect", "gorodok_services.roads.inspections.inspect_due", seconds=3600),),
            graphql=GraphQLRoots(tenant_query="gorodok_graphql.roads.schema.RoadsQuery"),
            demo="gorodok_services.roads.demo.seed_demo_roads",
            dashboard="gorodok_services.roads.dashboard.roads_today",
            region_dashboard="gorodok_services.roads.dashboard.roads_in_the_region",
        )

The types live in the lowest layer because roles, API scopes and webhook events are platform
concepts (accounts, integrations) that the platform must read; the tenants layer adds what concerns
municipalities (which modules a municipality has on, the console's counters, periodic fan-out).
Role codes, scope strings and event names are public contracts: they never change value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.core.signals import setting_changed

MUNICIPAL = "municipal"
REGIONAL = "regional"


@dataclass(frozen=True)
class ModuleRole:
    """A role staff can hold: a Django group named by ``code`` in every schema of its ``schema`` kind."""

    code: str
    label: str
    schema: str = MUNICIPAL  # MUNICIPAL or REGIONAL


@dataclass(frozen=True)
class ModuleScope:
    """A permission an API client can be given. ``regional_only`` scopes exist only for the region's clients."""

    code: str
    label: str
    regional_only: bool = False


@dataclass(frozen=True)
class ModuleEvent:
    """A webhook event; a client receives it only with ``scope`` (and the webhooks scope)."""

    name: str
    description: str
    scope: str


@dataclass(frozen=True)
class Counter:
    """A figure for the console, computed inside the municipality's schema."""

    key: str
    label: str
    compute: Callable[[], int]


@dataclass(frozen=True)
class ReportSource:
    """A named figure of a municipality for a period (``compute(start, end)``, both dates inclusive in
    the municipality's zone, run inside its schema). Reporting reads these to pre-fill report fields."""

    key: str
    label: str
    compute: Callable[[date, date], int | Decimal]
    unit: str = "count"  # count, roubles, percent


@dataclass(frozen=True)
class PeriodicTask:
    """Work to run every ``seconds`` in each municipality that has the module on: ``actor`` (a dotted
    path to a Dramatiq actor taking no arguments) is sent once per such municipality, in its schema."""

    key: str
    actor: str
    seconds: int


@dataclass(frozen=True)
class GraphQLRoots:
    """Dotted paths of the graphene classes a module adds to the tenant and the regional schema
    (a module's services never import the API, so the API layer resolves these)."""

    tenant_query: str = ""
    tenant_mutation: str = ""
    region_query: str = ""
    region_mutation: str = ""


@dataclass(frozen=True)
class DashboardItem:
    """One line of a back office's first page: what is due, how many, where to go."""

    label: str
    count: int | str  # a number, or a figure such as "3 / 13"
    url: str = ""
    tone: str = ""  # "", "warning" (due soon) or "danger" (late)


@dataclass(frozen=True)
class DashboardChart:
    """A chart with its numbers: ``series`` is ``((name, values), ...)``, one value per label."""

    title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]
    kind: str = "bar"  # bar or line


@dataclass(frozen=True)
class DashboardPanel:
    """What a module shows on a municipality's first page (``ModuleInfo.dashboard`` returns one)."""

    title: str
    items: tuple[DashboardItem, ...] = ()
    charts: tuple[DashboardChart, ...] = ()
    links: tuple[tuple[str, str], ...] = ()  # (label, url): the module's pages worth a shortcut


@dataclass(frozen=True)
class ModuleInfo:
    code: str
    name: str
    roles: tuple[ModuleRole, ...] = ()
    scopes: tuple[ModuleScope, ...] = ()
    events: tuple[ModuleEvent, ...] = ()
    counters: tuple[Counter, ...] = ()
    report_sources: tuple[ReportSource, ...] = ()
    periodic: tuple[PeriodicTask, ...] = ()
    graphql: GraphQLRoots = field(default_factory=GraphQLRoots)
    # Dotted path to a function that creates the module's demo data in the current schema (for ``make
    # run``): no arguments, idempotent, through the module's services; returns how many objects it made.
    demo: str = ""
    # Dotted path to a function ``(request) -> DashboardPanel | None`` for the first page of a
    # municipality's back office (run in its schema, for the signed-in person: "what is due today").
    dashboard: str = ""
    # Keys of its report sources the committee follows month by month: kept per municipality and month
    # in the public schema by the counter jobs, and drawn as the region's monthly totals.
    monthly: tuple[str, ...] = ()
    # The same for the first page of the regional console (run in the public schema, for the signed-in
    # member of the committee's staff).
    region_dashboard: str = ""

    def counter_key(self, counter: Counter) -> str:
        return f"{self.code}.{counter.key}"

    def report_source_key(self, source: ReportSource) -> str:
        return f"{self.code}.{source.key}"


_extra_modules: dict[str, ModuleInfo] = {}
_registry: dict[str, ModuleInfo] | None = None  # read once: the installed apps do not change while running


def register_module(module: ModuleInfo) -> None:
    """Register a module that has no AppConfig of its own (tests; the AppConfig attribute is the norm)."""
    _extra_modules[module.code] = module
    forget_registry()


def unregister_module(code: str) -> None:
    _extra_modules.pop(code, None)
    forget_registry()


def forget_registry() -> None:
    global _registry
    _registry = None


def _installed_apps_changed(*, setting: str, **kwargs) -> None:
    if setting == "INSTALLED_APPS":  # tests that override the installed apps
        forget_registry()


setting_changed.connect(_installed_apps_changed, dispatch_uid="gorodok_module_registry")


def registered_modules() -> dict[str, ModuleInfo]:
    """Every installed module by code, in code order (a copy: callers may not change the registry)."""
    global _registry
    if _registry is None:
        modules = {
            config.gorodok_module.code: config.gorodok_module
            for config in apps.get_app_configs()
            if isinstance(getattr(config, "gorodok_module", None), ModuleInfo)
        }
        modules.update(_extra_modules)
        _registry = dict(sorted(modules.items()))
    return dict(_registry)


def module_roles() -> list[ModuleRole]:
    return [role for module in registered_modules().values() for role in module.roles]


def module_scopes() -> list[ModuleScope]:
    return [scope for module in registered_modules().values() for scope in module.scopes]


def module_events() -> dict[str, ModuleEvent]:
    return {event.name: event for module in registered_modules().values() for event in module.events}


def module_enabled(municipality, code: str) -> bool:
    """Whether ``code`` is on for ``municipality`` (anything with ``disabled_modules``)."""
    if municipality is None:
        return False
    disabled = getattr(municipality, "disabled_modules", None) or []
    return code in registered_modules() and code not in disabled


def enabled_module_codes(municipality) -> list[str]:
    return [code for code in registered_modules() if module_enabled(municipality, code)]
