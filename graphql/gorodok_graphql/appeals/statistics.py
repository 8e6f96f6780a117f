"""The monthly summary of appeals (Decree 171, by question) for any period, in the tenant API."""

from __future__ import annotations

from datetime import date

import graphene
from django.core.exceptions import ValidationError

from gorodok_graphql.appeals.permissions import MODULE, check_can_read_statistics
from gorodok_graphql.core.limits import register_field_cost
from gorodok_graphql.core.permissions import module_required
from gorodok_services.appeals.models import AppealForm, AppealKind, Channel, QuestionResult
from gorodok_services.appeals.statistics import appeal_statistics
from graphql import GraphQLError

MAX_PERIOD_DAYS = 3660  # ten years
STATISTICS_BASE_COST = 1000


class LabelledCount(graphene.ObjectType):
    code = graphene.String(required=True)
    label = graphene.String(required=True)
    count = graphene.Int(required=True)


class ClassifierCount(graphene.ObjectType):
    code = graphene.String(required=True)
    title = graphene.String(required=True)
    questions = graphene.Int(required=True)


class AppealStatistics(graphene.ObjectType):
    """Figures for appeals registered in the period (unregistered ones by receipt), local dates inclusive."""

    date_from = graphene.Date(required=True)
    date_to = graphene.Date(required=True)
    timezone = graphene.String(required=True)
    appeals = graphene.Int(required=True)
    repeated = graphene.Int(required=True)
    collective = graphene.Int(required=True)
    under_control = graphene.Int(required=True)
    information_requests = graphene.Int(required=True)
    platform_messages = graphene.Int(required=True)
    questions = graphene.Int(required=True)
    considered_on_site = graphene.Int(required=True)
    considered_late = graphene.Int(required=True)
    under_consideration = graphene.Int(required=True, description="Still under consideration at the period's end.")
    personal_receptions = graphene.Int(required=True)
    unclear_notices = graphene.Int(
        required=True, description="Authors told that the substance of their appeal cannot be understood.")
    unclear_notices_late = graphene.Int(required=True, description="Of them, told after the rule's term.")
    awaiting_clarification = graphene.Int(
        required=True, description="Paused at the period's end, waiting for the author's clarification.")
    by_form = graphene.List(graphene.NonNull(LabelledCount), required=True)
    by_channel = graphene.List(graphene.NonNull(LabelledCount), required=True)
    by_kind = graphene.List(graphene.NonNull(LabelledCount), required=True)
    by_result = graphene.List(graphene.NonNull(LabelledCount), required=True)
    by_section = graphene.List(graphene.NonNull(ClassifierCount), required=True)
    by_theme = graphene.List(graphene.NonNull(ClassifierCount), required=True)


def statistics_cost(argument) -> int:
    """What one ``appealStatistics`` weighs in a query's cost: a base for its dozen aggregate queries,
    plus a point per day of the period (ten years: about 4,650 of the 10,000 a query may cost)."""
    try:
        days = (date.fromisoformat(str(argument("dateTo"))) - date.fromisoformat(str(argument("dateFrom")))).days
    except (TypeError, ValueError):
        days = MAX_PERIOD_DAYS
    return STATISTICS_BASE_COST + min(max(days, 0), MAX_PERIOD_DAYS)


register_field_cost("Query", "appealStatistics", statistics_cost)


def _labelled(counts: dict[str, int], choices) -> list[LabelledCount]:
    labels = dict(choices)
    return [LabelledCount(code=code.upper(), label=str(labels.get(code, code)), count=count)
            for code, count in counts.items()]


class AppealStatisticsQueries(graphene.ObjectType):
    appeal_statistics = graphene.Field(
        AppealStatistics, required=True, date_from=graphene.Date(required=True), date_to=graphene.Date(required=True),
        description="The summary of appeals by question for a period (staff only); the same figures as the XLSX.",
    )

    @module_required(MODULE)
    def resolve_appeal_statistics(root, info, date_from, date_to):
        check_can_read_statistics(info)
        if (date_to - date_from).days > MAX_PERIOD_DAYS:
            raise GraphQLError("The period is at most ten years.", extensions={"code": "INVALID_PERIOD"})
        try:
            stats = appeal_statistics(date_from=date_from, date_to=date_to)
        except ValidationError as error:
            raise GraphQLError("; ".join(error.messages), extensions={"code": "INVALID_PERIOD"}) from error
        return AppealStatistics(
            date_from=stats.date_from, date_to=stats.date_to, timezone=stats.timezone, appeals=stats.appeals,
            repeated=stats.repeated, collective=stats.collective, under_control=stats.under_control,
            information_requests=stats.information_requests, platform_messages=stats.platform_messages,
            questions=stats.questions, considered_on_site=stats.considered_on_site,
            considered_late=stats.considered_late, under_consideration=stats.under_consideration,
            personal_receptions=stats.personal_receptions, unclear_notices=stats.unclear_notices,
            unclear_notices_late=stats.unclear_notices_late, awaiting_clarification=stats.awaiting_clarification,
            by_form=_labelled(stats.by_form, AppealForm.choices),
            by_channel=_labelled(stats.by_channel, Channel.choices),
            by_kind=_labelled(stats.by_kind, AppealKind.choices),
            by_result=_labelled(stats.by_result, QuestionResult.choices),
            by_section=[ClassifierCount(code=r.code, title=r.title, questions=r.questions) for r in stats.by_section],
            by_theme=[ClassifierCount(code=r.code, title=r.title, questions=r.questions) for r in stats.by_theme],
        )
