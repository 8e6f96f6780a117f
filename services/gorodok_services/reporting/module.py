"""What the reporting module declares to the rest of Gorodok (its registry entry). Role codes, scope
strings and event names are public contracts: they never change value."""

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
)

CODE = "reporting"

REPORTER = "reporter"  # was a core role; the code keeps its value

READ_SCOPE = "reports:read"  # regional API clients: templates, campaigns, submissions, aggregates
WRITE_SCOPE = "reports:write"  # a municipality's API clients: its own campaigns and submissions
MANAGE_SCOPE = "reports:manage"  # regional API clients: create and extend campaigns, review submissions

SUBMITTED = "report.submitted"
RETURNED = "report.returned"
ACCEPTED = "report.accepted"
CAMPAIGN_OVERDUE = "campaign.overdue"
EVENT_TYPES = (SUBMITTED, RETURNED, ACCEPTED, CAMPAIGN_OVERDUE)


def _count_due() -> int:
    from gorodok_services.reporting.selectors import reports_due_count

    return reports_due_count()


def _count_overdue() -> int:
    from gorodok_services.reporting.selectors import reports_overdue_count

    return reports_overdue_count()


MODULE = ModuleInfo(
    code=CODE,
    name=_("Reporting"),
    roles=(ModuleRole(REPORTER, _("Reporter")),),
    scopes=(
        ModuleScope(READ_SCOPE, _("read the region's report campaigns and figures"), regional_only=True),
        ModuleScope(WRITE_SCOPE, _("fill and submit the municipality's reports")),
        ModuleScope(MANAGE_SCOPE, _("create and extend the region's report campaigns and review reports"),
                    regional_only=True),
    ),
    events=(
        ModuleEvent(SUBMITTED, _("A report was submitted to the committee."), WRITE_SCOPE),
        ModuleEvent(RETURNED, _("The committee returned a report with a comment."), WRITE_SCOPE),
        ModuleEvent(ACCEPTED, _("The committee accepted a report."), WRITE_SCOPE),
        ModuleEvent(CAMPAIGN_OVERDUE, _("A report campaign's deadline passed without a submission."), WRITE_SCOPE),
    ),
    counters=(Counter("due", _("reports due"), _count_due),
              Counter("overdue", _("reports overdue"), _count_overdue)),
    periodic=(
        # Hourly: a reminder or an overdue notice is never more than an hour late; each is sent once.
        PeriodicTask("deadlines", "gorodok_services.reporting.deadlines.reporting_deadlines", seconds=3600),
        # The standing region-wide indicators, from every module's report sources.
        PeriodicTask("indicators", "gorodok_services.reporting.indicators.indicators_refresh", seconds=6 * 3600),
    ),
    graphql=GraphQLRoots(
        tenant_query="gorodok_graphql.reporting.queries.TenantReportingQueries",
        tenant_mutation="gorodok_graphql.reporting.mutations.TenantReportingMutations",
        region_query="gorodok_graphql.reporting.queries.RegionReportingQueries",
        region_mutation="gorodok_graphql.reporting.mutations.RegionReportingMutations",
    ),
    demo="gorodok_services.reporting.demo.seed_demo_reporting",
    dashboard="gorodok_services.reporting.dashboard.reports_today",
    region_dashboard="gorodok_services.reporting.dashboard.campaigns_in_the_region",
)
