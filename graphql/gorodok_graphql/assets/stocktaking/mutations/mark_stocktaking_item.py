import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.stocktaking.types import (
    StocktakingError,
    StocktakingErrorCode,
    StocktakingItem,
    StocktakingMarkEnum,
)
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.ids import object_from_global_id
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.stocktaking.models import Campaign, Item
from gorodok_services.assets.stocktaking.services import item_mark


class MarkStocktakingItem(BaseMutation):
    """Mark an object of an open stock-taking, by the item's ID or by an inventory or register number (what a
    barcode scanner reads). An item is marked once: a second mark is ALREADY_MARKED (change it with
    changeStocktakingItemMark); an object of the register outside the campaign is OUTSIDE_CAMPAIGN."""

    item = graphene.Field(StocktakingItem)

    class Arguments:
        campaign_id = graphene.ID(required=True, description="Global ID of the stock-taking.")
        item_id = graphene.ID(description="Global ID of the item; or give number.")
        number = graphene.String(description="Inventory or register number; or give itemId.")
        mark = StocktakingMarkEnum(required=True)
        place = graphene.String(description="Where it was found; required for FOUND_ELSEWHERE.")
        note = graphene.String()

    class Meta:
        error_type = StocktakingError
        code_enum = StocktakingErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, campaign_id, mark, item_id=None, number=None, place="", note=""):
        campaign = object_from_global_id(campaign_id, "StocktakingCampaign", Campaign, field="campaign_id",
                                         message=_("No such stock-taking."))
        item = None
        if item_id:
            item = object_from_global_id(item_id, "StocktakingItem", Item, field="item_id",
                                         message=_("No such stock-taking item."))
        elif not (number or "").strip():
            raise ValidationError({"number": ValidationError(_("Give an item ID or a number."), code="required")})
        item = item_mark(campaign=campaign, item=item, number=number or "", mark=enum_value(mark),
                         place=place or "", note=note or "", actor=info.context.user, source="api")
        return cls(item=item)
