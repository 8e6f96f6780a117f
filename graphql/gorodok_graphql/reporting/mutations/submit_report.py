import graphene

from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.reporting.mutations.common import _submission
from gorodok_graphql.reporting.queries import _roles, _scopes
from gorodok_graphql.reporting.types import ReportError, ReportErrorCode, ReportSubmission, _actor
from gorodok_services.reporting import services
from gorodok_services.reporting.module import CODE
from gorodok_services.reporting.permissions import FILL


class SubmitReport(BaseMutation):
    """Submit (or resubmit after a return) the municipality's report: complete, valid, campaign open."""

    submission = graphene.Field(ReportSubmission)

    class Arguments:
        campaign_id = graphene.Int(required=True)

    class Meta:
        error_type = ReportError
        code_enum = ReportErrorCode
        roles = _roles(FILL)
        scopes = _scopes(FILL)
        module = CODE

    @classmethod
    def perform_mutation(cls, root, info, campaign_id):
        submission = _submission(campaign_id, info)
        return cls(submission=services.submission_submit(submission=submission, actor=_actor(info)))
