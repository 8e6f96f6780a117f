"""What the appeals module declares to the rest of Gorodok (its registry entry). Role codes, scope
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
    ReportSource,
)

CODE = "appeals"

APPEALS_OFFICER = "appeals_officer"

READ_SCOPE = "appeals:read"
WRITE_SCOPE = "appeals:write"
PERSONAL_DATA_SCOPE = "appeals:personal_data"

REGISTERED = "appeal.registered"
STATUS_CHANGED = "appeal.status_changed"
ANSWERED = "appeal.answered"
OVERDUE = "appeal.overdue"
EVENT_TYPES = (REGISTERED, STATUS_CHANGED, ANSWERED, OVERDUE)


def _count_open() -> int:
    from gorodok_services.appeals.selectors import appeal_open_count

    return appeal_open_count()


def _count_overdue() -> int:
    from gorodok_services.appeals.selectors import appeal_overdue_count

    return appeal_overdue_count()


def _report(name: str):
    def compute(date_from, date_to):
        from gorodok_services.appeals import reports

        return getattr(reports, name)(date_from, date_to)

    compute.__name__ = name
    return compute


MODULE = ModuleInfo(
    code=CODE,
    name=_("Citizens' appeals"),
    roles=(ModuleRole(APPEALS_OFFICER, _("Appeals officer")),),
    scopes=(
        ModuleScope(READ_SCOPE, _("read appeals")),
        ModuleScope(WRITE_SCOPE, _("receive and process appeals")),
        ModuleScope(PERSONAL_DATA_SCOPE, _("see applicants' personal data")),
    ),
    events=(
        ModuleEvent(REGISTERED, _("An appeal was registered."), READ_SCOPE),
        ModuleEvent(STATUS_CHANGED, _("An appeal's status changed (the previous one is in the data)."), READ_SCOPE),
        ModuleEvent(ANSWERED, _("An appeal was answered."), READ_SCOPE),
        ModuleEvent(OVERDUE, _("An appeal became overdue."), READ_SCOPE),
    ),
    counters=(Counter("open", _("open"), _count_open), Counter("overdue", _("overdue"), _count_overdue)),
    report_sources=(
        ReportSource("received", _("appeals received in the period"), _report("appeals_received")),
        ReportSource("questions", _("questions in the appeals of the period"), _report("questions_received")),
        ReportSource("open_at_end", _("appeals of the period still under consideration at its end"),
                     _report("appeals_open_at_end")),
        ReportSource("considered_late", _("appeals of the period considered late or overdue"),
                     _report("appeals_considered_late")),
    ),
    monthly=("received", "considered_late"),
    periodic=(
        # Hourly, so a reminder or an escalation is never more than an hour late.
        PeriodicTask("sweep", "gorodok_services.appeals.sweep.appeals_sweep", seconds=3600),
        PeriodicTask("retention", "gorodok_services.appeals.retention.appeals_retention", seconds=24 * 3600),
    ),
    graphql=GraphQLRoots(
        tenant_query="gorodok_graphql.appeals.schema.AppealsQuery",
        tenant_mutation="gorodok_graphql.appeals.mutations.AppealMutations",
    ),
    demo="gorodok_services.appeals.demo.seed_demo_appeals",
    dashboard="gorodok_services.appeals.dashboard.appeals_today",
)
