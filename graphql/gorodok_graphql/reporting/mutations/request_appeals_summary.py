import graphene

from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.reporting.queries import _roles, _scopes
from gorodok_graphql.reporting.types import AppealsSummary, ReportError, ReportErrorCode, _actor
from gorodok_services.reporting.permissions import REGION_READ
from gorodok_services.reporting.summaries import appeals_summary_request


class RequestAppealsSummary(BaseMutation):
    """Ask for the region-wide summary of citizens' appeals for a period (up to a year). A small region
    is summed at once (`status` done); a large one by a job: read `appealsSummary(id:)` for its progress,
    then its rows, total and files."""

    summary = graphene.Field(AppealsSummary)

    class Arguments:
        date_from = graphene.Date(required=True)
        date_to = graphene.Date(required=True)

    class Meta:
        error_type = ReportError
        code_enum = ReportErrorCode
        roles = _roles(REGION_READ)
        scopes = _scopes(REGION_READ)

    @classmethod
    def perform_mutation(cls, root, info, date_from, date_to):
        return cls(summary=appeals_summary_request(date_from=date_from, date_to=date_to, actor=_actor(info)))
