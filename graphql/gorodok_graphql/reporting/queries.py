"""Reporting queries: the region's (templates, campaigns with progress, comparison and aggregates) and
the municipality's (its campaigns, deadlines and reports). Access comes from the module's rule table."""

from __future__ import annotations

import graphene

from gorodok_graphql.core.fields import CappedConnectionField
from gorodok_graphql.core.ids import NodeField
from gorodok_graphql.core.permissions import module_required, roles_required
from gorodok_graphql.reporting.types import AppealsSummary, MunicipalityReport, ReportCampaign, ReportTemplateVersion
from gorodok_services.reporting.models import TemplateVersion
from gorodok_services.reporting.module import CODE
from gorodok_services.reporting.permissions import REGION_READ, RULES, VIEW
from gorodok_services.reporting.selectors import municipality_campaigns


def _roles(action: str) -> tuple[str, ...]:
    return tuple(sorted(str(role) for role in RULES[action].roles))


def _scopes(action: str) -> tuple[str, ...]:
    return tuple(sorted(RULES[action].scopes))


class RegionReportingQueries(graphene.ObjectType):
    report_templates = graphene.List(graphene.NonNull(ReportTemplateVersion), required=True,
                                     description="Every version of every report template, newest first.")
    report_campaigns = CappedConnectionField(ReportCampaign, description="Report campaigns, latest deadline first.")
    report_campaign = NodeField(ReportCampaign)
    appeals_summaries = CappedConnectionField(AppealsSummary,
                                              description="Region-wide appeals summaries asked for, newest first.")
    appeals_summary = NodeField(AppealsSummary)

    @roles_required(*_roles(REGION_READ), scopes=_scopes(REGION_READ))
    def resolve_report_templates(root, info):
        return TemplateVersion.objects.select_related("template").order_by("template__title", "-number")

    @roles_required(*_roles(REGION_READ), scopes=_scopes(REGION_READ))
    def resolve_report_campaigns(root, info, **kwargs):
        from gorodok_services.reporting.models import Campaign

        return Campaign.objects.select_related("version__template")

    @roles_required(*_roles(REGION_READ), scopes=_scopes(REGION_READ))
    def resolve_appeals_summaries(root, info, **kwargs):
        from gorodok_services.reporting.models import AppealsSummary as Summary

        return Summary.objects.all()


class TenantReportingQueries(graphene.ObjectType):
    my_reports = graphene.List(graphene.NonNull(MunicipalityReport), required=True,
                               description="The campaigns this municipality is asked for, open ones first.")

    @module_required(CODE)
    @roles_required(*_roles(VIEW), scopes=_scopes(VIEW))
    def resolve_my_reports(root, info):
        return [MunicipalityReport.from_row(row) for row in municipality_campaigns()]
