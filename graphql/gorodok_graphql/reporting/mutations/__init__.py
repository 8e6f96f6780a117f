"""Reporting mutations, one file each: the municipality saves and submits its report; the committee
creates and extends campaigns, returns or accepts reports and asks for the region-wide appeals summary.
Validation failures are data (``errors``), with the services' codes."""

import graphene

from gorodok_graphql.reporting.mutations.create_report_campaign import CreateReportCampaign
from gorodok_graphql.reporting.mutations.extend_report_campaign import ExtendReportCampaign
from gorodok_graphql.reporting.mutations.request_appeals_summary import RequestAppealsSummary
from gorodok_graphql.reporting.mutations.review_report import ReviewReport
from gorodok_graphql.reporting.mutations.save_report_draft import SaveReportDraft
from gorodok_graphql.reporting.mutations.submit_report import SubmitReport


class TenantReportingMutations(graphene.ObjectType):
    save_report_draft = SaveReportDraft.Field()
    submit_report = SubmitReport.Field()


class RegionReportingMutations(graphene.ObjectType):
    review_report = ReviewReport.Field()
    create_report_campaign = CreateReportCampaign.Field()
    extend_report_campaign = ExtendReportCampaign.Field()
    request_appeals_summary = RequestAppealsSummary.Field()
