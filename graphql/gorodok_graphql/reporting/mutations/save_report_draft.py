import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.reporting.mutations.common import _submission
from gorodok_graphql.reporting.queries import _roles, _scopes
from gorodok_graphql.reporting.types import ReportError, ReportErrorCode, ReportSubmission, _actor
from gorodok_services.reporting import error_codes, services
from gorodok_services.reporting.module import CODE
from gorodok_services.reporting.permissions import FILL


class SaveReportDraft(BaseMutation):
    """Save values into the municipality's report for a campaign (a partial update; the draft is started,
    and pre-filled from the report sources, on first use). A changed pre-filled value needs a reason."""

    submission = graphene.Field(ReportSubmission)

    class Arguments:
        campaign_id = graphene.Int(required=True)
        values = graphene.JSONString(required=True, description="Field code → value.")
        reasons = graphene.JSONString(description="Field code → why a pre-filled value is changed.")

    class Meta:
        error_type = ReportError
        code_enum = ReportErrorCode
        roles = _roles(FILL)
        scopes = _scopes(FILL)
        module = CODE

    @classmethod
    def perform_mutation(cls, root, info, campaign_id, values, reasons=None):
        if not isinstance(values, dict) or (reasons is not None and not isinstance(reasons, dict)):
            raise ValidationError({"values": ValidationError(_("Values must be an object."),
                                                             code=error_codes.INVALID_TYPE)})
        submission = _submission(campaign_id, info)
        submission = services.submission_save(submission=submission, values=values, reasons=reasons,
                                              actor=_actor(info))
        return cls(submission=submission)
