import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gorodok_graphql.core.ids import pk_from_global_id
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.reporting.queries import _roles, _scopes
from gorodok_graphql.reporting.types import ReportError, ReportErrorCode, _actor
from gorodok_services.reporting import error_codes, services
from gorodok_services.reporting.permissions import REGION_MANAGE


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
                                                    actor=_actor(info))
        else:
            submission = services.submission_return(campaign=campaign, municipality=municipality,
                                                    comment=comment or "", actor=_actor(info))
        return cls(status=submission.status)
