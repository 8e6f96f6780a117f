import graphene

from gorodok_graphql.core.ids import object_from_global_id
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.reporting.queries import _roles, _scopes
from gorodok_graphql.reporting.types import ReportCampaign, ReportError, ReportErrorCode, _actor
from gorodok_services.reporting import services
from gorodok_services.reporting.models import Campaign
from gorodok_services.reporting.permissions import REGION_MANAGE


class ExtendReportCampaign(BaseMutation):
    """Give an open campaign a later deadline; those who have not submitted are reminded and noticed
    again for it."""

    campaign = graphene.Field(ReportCampaign)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the campaign.")
        deadline = graphene.Date(required=True, description="The new deadline, later than the current one.")

    class Meta:
        error_type = ReportError
        code_enum = ReportErrorCode
        roles = _roles(REGION_MANAGE)
        scopes = _scopes(REGION_MANAGE)

    @classmethod
    def perform_mutation(cls, root, info, id, deadline):
        campaign = object_from_global_id(id, "ReportCampaign", Campaign)
        campaign = services.campaign_extend(campaign=campaign, deadline=deadline, actor=_actor(info))
        return cls(campaign=Campaign.objects.select_related("version__template").get(pk=campaign.pk))
