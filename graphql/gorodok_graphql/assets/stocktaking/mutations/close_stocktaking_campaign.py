import graphene
from django.utils.translation import gettext as _

from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.stocktaking.types import StocktakingCampaign, StocktakingError, StocktakingErrorCode
from gorodok_graphql.core.ids import object_from_global_id
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.stocktaking.models import Campaign
from gorodok_services.assets.stocktaking.services import campaign_close


class CloseStocktakingCampaign(BaseMutation):
    """Close a stock-taking: unmarked items count as not found, damaged objects go to repair, places of
    objects found elsewhere are recorded, write-offs of objects not found are proposed (never made), the
    differences report is stored and stocktaking.closed is sent. Closing a closed one changes nothing."""

    campaign = graphene.Field(StocktakingCampaign)
    closed_now = graphene.Boolean(description="False when it had already been closed.")

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the stock-taking.")
        closed_on = graphene.Date(description="Default: today.")

    class Meta:
        error_type = StocktakingError
        code_enum = StocktakingErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, closed_on=None):
        campaign = object_from_global_id(id, "StocktakingCampaign", Campaign, message=_("No such stock-taking."))
        result = campaign_close(campaign=campaign, on=closed_on, actor=info.context.user, source="api")
        return cls(campaign=result.campaign, closed_now=result.closed_now)
