"""The first pages of both sites: what is due today.

A municipality's back office shows one panel per enabled module that declares ``dashboard`` in its
registry entry (``ModuleInfo.dashboard``: a dotted path to ``(request) -> DashboardPanel | None``);
the regional console shows the municipalities that need attention and the region's figures.
Charts are drawn by the theme's Chart.js (a static file of the theme's package), and every chart has
its numbers in a table beside it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from gorodok_platform.modules import DashboardChart, DashboardItem, DashboardPanel
from gorodok_tenants.modules import enabled_module_codes, registered_modules

logger = logging.getLogger(__name__)

# Chart.js colours of the series, in order (the theme's primary, then amber and red).
SERIES_COLOURS = ("#3b82f6", "#16a34a", "#dc2626", "#f59e0b", "#8b5cf6")


def chart_json(chart: DashboardChart) -> str:
    """The ``data`` of a Chart.js chart, as the theme's chart component reads it."""
    return json.dumps({
        "labels": list(chart.labels),
        "datasets": [{"label": name, "data": list(values), "backgroundColor": SERIES_COLOURS[i % len(SERIES_COLOURS)],
                      "borderColor": SERIES_COLOURS[i % len(SERIES_COLOURS)]}
                     for i, (name, values) in enumerate(chart.series)],
    })


# Chart.js options (the theme's defaults overlap the bars of a series and hide the legend).
CHART_OPTIONS = json.dumps({"responsive": True, "maintainAspectRatio": False, "animation": False,
                            "plugins": {"legend": {"display": True, "position": "bottom"}},
                            "scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}}})


@dataclass
class ChartView:
    """A chart ready for the template: its Chart.js data and the rows of its table."""

    title: str
    kind: str
    data: str
    headers: list[str]
    rows: list[list]
    options: str = CHART_OPTIONS


def chart_view(chart: DashboardChart) -> ChartView:
    rows = [[label, *(values[i] for _name, values in chart.series)] for i, label in enumerate(chart.labels)]
    return ChartView(title=chart.title, kind=chart.kind if chart.kind in ("bar", "line") else "bar",
                     data=chart_json(chart), headers=["", *(name for name, _values in chart.series)], rows=rows)


@dataclass
class PanelView:
    title: str
    items: tuple[DashboardItem, ...] = ()
    charts: list[ChartView] = field(default_factory=list)
    links: tuple[tuple[str, str], ...] = ()


def panel_view(panel: DashboardPanel) -> PanelView:
    return PanelView(title=panel.title, items=panel.items, charts=[chart_view(c) for c in panel.charts],
                     links=panel.links)


def _module_panels(request, codes, attribute: str) -> list[PanelView]:
    modules = registered_modules()
    panels = []
    for code in codes:
        path = getattr(modules[code], attribute)
        if not path:
            continue
        try:
            panel = import_string(path)(request)
        except Exception:
            logger.exception("dashboard of module %s failed", code)
            continue
        if panel is not None:
            panels.append(panel_view(panel))
    return panels


def back_office_panels(request) -> list[PanelView]:
    """The panels of the enabled modules that declare one, in module order. A module whose panel fails
    is left out (and logged): the first page must open whatever one module does."""
    return _module_panels(request, enabled_module_codes(getattr(request, "tenant", None)), "dashboard")


def region_console_panels(request) -> list[PanelView]:
    """The regional console's panels of the installed modules that declare one (``region_dashboard``),
    in module order; a failing one is left out and logged, as in the back office."""
    return _module_panels(request, list(registered_modules()), "region_dashboard")


# --- the regional console ------------------------------------------------------------------------------

@dataclass
class Attention:
    """A municipality that needs attention, and why."""

    name: str
    url: str
    reasons: list[str]
    tone: str = "warning"


def _overdue_by_municipality() -> dict[int, int]:
    from gorodok_tenants.models import MunicipalityCounter

    # Every module's "overdue" counter (a module names its late-work counter so).
    return dict(MunicipalityCounter.objects.filter(Q(key__endswith=".overdue")).values("municipality")
                .annotate(n=Sum("value")).values_list("municipality", "n"))


def municipalities_needing_attention() -> list[Attention]:
    from gorodok_platform.jobs.models import FailedJob
    from gorodok_tenants.models import (
        Municipality,
        MunicipalityCounter,
        MunicipalityStatus,
        UpgradeTenantState,
        UpgradeTenantStatus,
    )
    from gorodok_tenants.modules.counters import counter_labels
    from gorodok_tenants.upgrades.schema_version import code_schema_version

    labels = counter_labels()
    late: dict[int, list[tuple[str, int]]] = {}
    for pk, key, value in (MunicipalityCounter.objects.filter(key__endswith=".overdue", value__gt=0)
                           .order_by("key").values_list("municipality_id", "key", "value")):
        late.setdefault(pk, []).append((key, value))
    failed_jobs = dict(FailedJob.objects.filter(resolved_at__isnull=True).exclude(tenant_schema="")
                       .values("tenant_schema").annotate(n=Count("id")).values_list("tenant_schema", "n"))
    failed_upgrades = set(UpgradeTenantState.objects.filter(status=UpgradeTenantStatus.FAILED)
                          .values_list("municipality_id", flat=True))
    current = code_schema_version()
    result = []
    for municipality in (Municipality.objects.exclude(status=MunicipalityStatus.ARCHIVED)
                         .exclude(schema_name="public").order_by("name")):
        reasons, tone = [], "warning"
        if municipality.status == MunicipalityStatus.SUSPENDED:
            reasons.append(_("suspended"))
        for key, value in late.get(municipality.pk, ()):  # each module's late work on its own line
            reasons.append(_("%(what)s — %(n)s") % {"what": labels.get(key, key), "n": value})
            tone = "danger"
        if failed_jobs.get(municipality.schema_name):
            reasons.append(_("failed jobs: %(n)s") % {"n": failed_jobs[municipality.schema_name]})
            tone = "danger"
        if municipality.pk in failed_upgrades and municipality.schema_version != current:
            reasons.append(_("upgrade failed"))
            tone = "danger"
        elif municipality.schema_version and municipality.schema_version != current:
            reasons.append(_("upgrade pending"))
        if reasons:
            url = reverse("console:gorodok_tenants_municipality_change", args=[municipality.pk])
            result.append(Attention(name=municipality.name, url=url, reasons=reasons, tone=tone))
    return result


def region_overdue_chart() -> DashboardChart:
    from gorodok_tenants.models import Municipality, MunicipalityStatus

    overdue = _overdue_by_municipality()
    municipalities = (Municipality.objects.exclude(status=MunicipalityStatus.ARCHIVED).exclude(schema_name="public")
                      .order_by("name").values_list("pk", "name"))
    return DashboardChart(title=_("Overdue by municipality"),
                          labels=tuple(name for _pk, name in municipalities),
                          series=((_("overdue"), tuple(overdue.get(pk, 0) for pk, _name in municipalities)),))


def region_monthly_chart() -> DashboardChart:
    """The region's monthly totals of the figures the modules follow month by month (e.g. appeals received
    and considered late), summed over the municipalities from the figures the counter jobs keep."""
    from gorodok_tenants.modules.counters import region_monthly_totals

    labels = {}
    for module in registered_modules().values():
        for source in module.report_sources:
            labels[module.report_source_key(source)] = str(source.label)
    months, totals = region_monthly_totals()
    return DashboardChart(title=_("The region by month"), labels=tuple(month.strftime("%m.%Y") for month in months),
                          series=tuple((labels.get(key, key), tuple(values)) for key, values in totals.items()),
                          kind="line")


def region_items() -> tuple[DashboardItem, ...]:
    from gorodok_platform.jobs.models import FailedJob
    from gorodok_tenants.models import Municipality, MunicipalityStatus

    municipalities = Municipality.objects.exclude(schema_name="public")
    return (
        DashboardItem(_("Municipalities"), municipalities.exclude(status=MunicipalityStatus.ARCHIVED).count(),
                      reverse("console:gorodok_tenants_municipality_changelist")),
        DashboardItem(_("Suspended"), municipalities.filter(status=MunicipalityStatus.SUSPENDED).count(),
                      reverse("console:gorodok_tenants_municipality_changelist") + "?status__exact=suspended",
                      "warning"),
        DashboardItem(_("Overdue"), sum(_overdue_by_municipality().values()), "", "danger"),
        DashboardItem(_("Failed jobs"), FailedJob.objects.filter(resolved_at__isnull=True).count(),
                      reverse("console:jobs_failedjob_changelist"), "danger"),
    )
