"""Report sources of the appeals module: figures of a municipality for a period that reporting reads
(each runs inside the municipality's schema; dates are local to it, both inclusive).

Every source is one figure of the period's summary (the monthly report's items: appeals by form,
source and kind, questions and their results, considered on time and late, still under consideration,
questions by classifier section). The summary is computed in SQL with two aggregate queries; within a
batch of sources (``report_source_batch``) it is computed once for all of them, so a municipality's
whole summary costs two queries whatever its size.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Count, Q

from gorodok_services.appeals.deadlines import tenant_timezone
from gorodok_services.appeals.models import Appeal, AppealForm, AppealKind, Channel, Question, QuestionResult
from gorodok_services.appeals.module import SECTIONS
from gorodok_services.appeals.statistics import appeals_in_period, late_at, open_at, period_bounds
from gorodok_tenants.modules.report_sources import report_source_shared

# Kinds outside the 59-FZ report's four, counted in figures of their own.
REPORT_KINDS = (AppealKind.STATEMENT, AppealKind.PROPOSAL, AppealKind.COMPLAINT, AppealKind.OTHER)


def _period(date_from: date, date_to: date):
    return period_bounds(date_from, date_to, str(tenant_timezone()))


def appeals_summary_figures(date_from: date, date_to: date) -> dict[str, int]:
    """The period's summary as {figure: number}: two aggregate queries (appeals, then their questions)."""
    start, end = _period(date_from, date_to)
    appeals = Appeal.objects.filter(appeals_in_period(start, end)).order_by()

    def count(condition: Q | None = None) -> Count:
        return Count("id", filter=condition)

    figures = {
        "received": count(), "repeated": count(Q(repeats__isnull=False)), "collective": count(Q(is_collective=True)),
        "under_control": count(Q(under_control=True)),
        "information_requests": count(Q(kind=AppealKind.INFORMATION_REQUEST)),
        "platform_messages": count(Q(kind=AppealKind.PLATFORM_MESSAGE)),
        "considered_on_site": count(Q(considered_on_site=True)),
        "considered_on_time": count(~open_at(end) & Q(answered_late=False)),
        "considered_late": count(late_at(end)), "open_at_end": count(open_at(end)),
        "personal_receptions": count(Q(channel=Channel.PERSONAL_RECEPTION)),
        **{f"form_{value}": count(Q(form=value)) for value in AppealForm.values},
        **{f"channel_{value}": count(Q(channel=value)) for value in Channel.values},
        **{f"kind_{kind.value}": count(Q(kind=kind)) for kind in REPORT_KINDS},
    }
    row = appeals.aggregate(**figures)
    questions = Question.objects.filter(appeal__in=appeals.values("pk")).order_by().aggregate(
        questions=Count("id"),
        **{f"result_{value}": Count("id", filter=Q(result=value)) for value in QuestionResult.values},
        **{f"section_{code}": Count("id", filter=Q(classifier_code__startswith=f"{code}.") | Q(classifier_code=code))
           for code in SECTIONS})
    return {**row, **questions}


def summary_figure(name: str, date_from: date, date_to: date) -> int:
    """One figure of the period's summary (computed once per batch of sources)."""
    figures = report_source_shared(("appeals.summary", connection.schema_name, date_from, date_to),
                                   lambda: appeals_summary_figures(date_from, date_to))
    return figures[name]


def appeals_received(date_from: date, date_to: date) -> int:
    """Appeals of the period (by registration date, or receipt for those not registered yet)."""
    return summary_figure("received", date_from, date_to)


def questions_received(date_from: date, date_to: date) -> int:
    return summary_figure("questions", date_from, date_to)


def appeals_open_at_end(date_from: date, date_to: date) -> int:
    """Appeals of the period still under consideration at the end of ``date_to``."""
    return summary_figure("open_at_end", date_from, date_to)


def appeals_considered_late(date_from: date, date_to: date) -> int:
    """Appeals of the period answered late, or open and past their due date at the end of ``date_to``."""
    return summary_figure("considered_late", date_from, date_to)
