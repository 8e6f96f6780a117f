import graphene

from gorodok_graphql.assets.permissions import MODULE, check_can_read_assets
from gorodok_graphql.assets.stocktaking.types import StocktakingCampaign, StocktakingStatusEnum
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.fields import CappedConnectionField
from gorodok_graphql.core.ids import pk_from_global_id
from gorodok_graphql.core.permissions import module_required
from gorodok_services.assets.stocktaking.models import Campaign


class StocktakingQueries(graphene.ObjectType):
    stocktaking_campaigns = CappedConnectionField(StocktakingCampaign, status=StocktakingStatusEnum(),
                                                  description="The municipality's stock-takings, newest first.")
    stocktaking_campaign = graphene.Field(StocktakingCampaign, id=graphene.ID(required=True),
                                          description="One stock-taking.")

    @module_required(MODULE)
    def resolve_stocktaking_campaigns(root, info, status=None, **kwargs):
        check_can_read_assets(info)
        queryset = Campaign.objects.order_by("-starts_on", "-pk")
        return queryset.filter(status=enum_value(status)) if status else queryset

    @module_required(MODULE)
    def resolve_stocktaking_campaign(root, info, id):
        check_can_read_assets(info)
        pk = pk_from_global_id(id, "StocktakingCampaign")
        return Campaign.objects.filter(pk=pk).first() if pk is not None else None
