import graphene
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
from gorodok_services.assets.stocktaking.models import Item
from gorodok_services.assets.stocktaking.services import item_change_mark


class ChangeStocktakingItemMark(BaseMutation):
    """Change the mark of an item of an open stock-taking, with the reason (kept beside the old mark)."""

    item = graphene.Field(StocktakingItem)

    class Arguments:
        item_id = graphene.ID(required=True, description="Global ID of the item.")
        mark = StocktakingMarkEnum(required=True)
        reason = graphene.String(required=True, description="Why the mark changes.")
        place = graphene.String(description="Where it was found; required for FOUND_ELSEWHERE.")
        note = graphene.String()

    class Meta:
        error_type = StocktakingError
        code_enum = StocktakingErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, item_id, mark, reason, place="", note=""):
        item = object_from_global_id(item_id, "StocktakingItem", Item.objects.select_related("campaign"),
                                     field="item_id", message=_("No such stock-taking item."))
        item = item_change_mark(item=item, mark=enum_value(mark), reason=reason, place=place or "", note=note or "",
                                actor=info.context.user, source="api")
        return cls(item=item)
