"""Reporting mutations: the municipality saves and submits its report; the committee returns or
accepts it. Validation failures are data (``errors``), with the services' codes."""

from __future__ import annotations

import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gorodok_graphql.core.ids import pk_from_global_id
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.reporting.queries import _roles, _scopes
from gorodok_graphql.reporting.types import ReportError, ReportErrorCode, ReportSubmission, _actor
from gorodok_services.reporting import error_codes, services
from gorodok_services.reporting.module import CODE
from gorodok_services.reporting.permissions import FILL, REGION_MANAGE


def _submission(campaign_id: int, info):
    return services.submission_start(campaign_id=campaign_id, actor=_actor(info))


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


def _campaign_and_municipality(campaign, municipality_slug):
    from gorodok_services.reporting.models import Campaign
    from gorodok_tenants.models import Municipality

    pk = pk_from_global_id(campaign, "ReportCampaign")
    found = Campaign.objects.filter(pk=pk).first() if pk is not None else None
    municipality = Municipality.objects.filter(slug=municipality_slug).first()
    if found is None or municipality is None:
        raise ValidationError(_("No such report."), code=error_codes.NOT_ASKED)
    return found, municipality


class ReviewReport(BaseMutation):
    """The committee returns a submitted report with a comment, or accepts it."""

    status = graphene.String()

    class Arguments:
        campaign = graphene.ID(required=True, description="Global ID of the campaign.")
        municipality = graphene.String(required=True, description="The municipality's slug.")
        accept = graphene.Boolean(required=True)
        comment = graphene.String()

    class Meta:
        error_type = ReportError
        code_enum = ReportErrorCode
        roles = _roles(REGION_MANAGE)
        scopes = _scopes(REGION_MANAGE)

    @classmethod
    def perform_mutation(cls, root, info, campaign, municipality, accept, comment=""):
        campaign, municipality = _campaign_and_municipality(campaign, municipality)
        if accept:
            submission = services.submission_accept(campaign=campaign, municipality=municipality,
                                                    actor=info.context.user)
        else:
            submission = services.submission_return(campaign=campaign, municipality=municipality,
                                                    comment=comment or "", actor=info.context.user)
        return cls(status=submission.status)


class TenantReportingMutations(graphene.ObjectType):
    save_report_draft = SaveReportDraft.Field()
    submit_report = SubmitReport.Field()


class RegionReportingMutations(graphene.ObjectType):
    review_report = ReviewReport.Field()
