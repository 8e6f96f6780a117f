"""What the appeals module declares to the rest of Gorodok (its registry entry). Role codes, scope
strings and event names are public contracts: they never change value."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


def _figure(name: str):
    def compute(date_from, date_to):
        from gorodok_services.appeals.reports import summary_figure

        return summary_figure(name, date_from, date_to)

    compute.__name__ = name
    return compute


def _stat(label: str):
    return pgettext_lazy("appeals statistics", label)


# The breakdowns of the monthly summary, in the order of the municipality's own report (the values are
# the models' choices; a test keeps them equal). Labels are the same words as the report's.
FORMS = (("written", _("written")), ("electronic", _("electronic")), ("oral", _("oral")))
CHANNELS = (("feedback_platform", _("federal feedback platform")), ("personal_reception", _("personal reception")),
            ("post", _("post")), ("in_person", _("delivered in person")), ("integrator", _("integrator")),
            ("other", _("other")))
KINDS = (("statement", _("statement")), ("proposal", _("proposal")), ("complaint", _("complaint")),
         ("other", _("other")))
RESULTS = (("not_received", _("not received")), ("not_registered", _("not registered")),
           ("under_consideration", _("under consideration")), ("explained", _("considered: explained")),
           ("supported", _("considered: supported")), ("measures_taken", _("considered: supported, measures taken")),
           ("not_supported", _("considered: not supported")), ("forwarded", _("forwarded by competence")),
           ("answer_given", _("answer given to the author")), ("without_answer", _("left without an answer")),
           ("extended", _("consideration extended")))
SECTIONS = ("0001", "0002", "0003", "0004", "0005")


def _breakdown(prefix: str, section: str, choices) -> tuple[ReportSource, ...]:
    return tuple(ReportSource(f"{prefix}_{value}", format_lazy("{}: {}", _stat(section), label),
                              _figure(f"{prefix}_{value}")) for value, label in choices)


REPORT_SOURCES = (
    ReportSource("received", _("appeals received in the period"), _report("appeals_received")),
    ReportSource("repeated", _stat("Repeated appeals"), _figure("repeated")),
    ReportSource("collective", _stat("Collective appeals"), _figure("collective")),
    ReportSource("under_control", _stat("Taken under control"), _figure("under_control")),
    ReportSource("information_requests", _stat("Information requests (8-FZ)"), _figure("information_requests")),
    ReportSource("platform_messages", _stat("Feedback platform messages"), _figure("platform_messages")),
    ReportSource("questions", _("questions in the appeals of the period"), _report("questions_received")),
    ReportSource("considered_on_site", _stat("Considered on site"), _figure("considered_on_site")),
    ReportSource("considered_on_time", _stat("Considered on time"), _figure("considered_on_time")),
    ReportSource("considered_late", _("appeals of the period considered late or overdue"),
                 _report("appeals_considered_late")),
    ReportSource("open_at_end", _("appeals of the period still under consideration at its end"),
                 _report("appeals_open_at_end")),
    ReportSource("personal_receptions", _stat("Personal receptions"), _figure("personal_receptions")),
    *_breakdown("form", "Form", FORMS),
    *_breakdown("channel", "Source", CHANNELS),
    *_breakdown("kind", "Kind", KINDS),
    *_breakdown("result", "Results", RESULTS),
    *_breakdown("section", "Sections", tuple((code, code) for code in SECTIONS)),
)


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
    # The monthly summary of appeals, one figure each, in the order of the municipality's own report
    # (reporting's region-wide summary reads them in this order).
    report_sources=REPORT_SOURCES,
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
