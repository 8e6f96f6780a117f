"""Stock-taking in the tenant API: campaigns, their items and marks, for a barcode app."""

from __future__ import annotations

from collections import defaultdict

import graphene
from django.db.models import Count
from graphene_django import DjangoObjectType
from graphql_relay import to_global_id

from gorodok_graphql.core.connection import CountableConnection
from gorodok_graphql.core.dataloaders import get_loader
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.errors import error_code_enum, error_type
from gorodok_graphql.core.fields import CappedConnectionField
from gorodok_services.assets.stocktaking import error_codes, models

StocktakingStatusEnum = graphene.Enum.from_enum(models.CampaignStatus, name="StocktakingStatus",
                                                description="Open (marks are taken) or closed.")
StocktakingMarkEnum = graphene.Enum.from_enum(models.Mark, name="StocktakingMark",
                                              description="What the commission found about an object.")
StocktakingOutcomeEnum = graphene.Enum(
    "StocktakingOutcome", [(value.upper(), value) for value in models.Outcome.values if value],
    description="What closing did about an item's difference (a write-off is only proposed).")
StocktakingErrorCode = error_code_enum("StocktakingErrorCode", error_codes, "Why a stock-taking request was refused.")
StocktakingError = error_type("StocktakingError", StocktakingErrorCode, "Why a stock-taking request was refused.")


class StocktakingCounts(graphene.ObjectType):
    total = graphene.Int(required=True)
    found = graphene.Int(required=True)
    not_found = graphene.Int(required=True)
    damaged = graphene.Int(required=True)
    found_elsewhere = graphene.Int(required=True)
    unmarked = graphene.Int(required=True)


def _load_counts(campaign_ids: list[int]) -> list[StocktakingCounts]:
    grouped: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys([*models.Mark.values, "unmarked"], 0))
    rows = (models.Item.objects.filter(campaign_id__in=campaign_ids).values("campaign_id", "mark")
            .annotate(n=Count("pk")).order_by())
    for row in rows:
        grouped[row["campaign_id"]][row["mark"] or "unmarked"] = row["n"]
    result = []
    for pk in campaign_ids:
        counts = grouped[pk]
        result.append(StocktakingCounts(total=sum(counts.values()), found=counts["found"],
                                        not_found=counts["not_found"], damaged=counts["damaged"],
                                        found_elsewhere=counts["found_elsewhere"], unmarked=counts["unmarked"]))
    return result


def _or_none(value):
    return value or None


class StocktakingItem(DjangoObjectType):
    """An object in a campaign's scope when it opened (what the register said then) and its mark."""

    asset_id = graphene.ID(required=True, description="The register object's global ID (Asset).")
    mark = graphene.Field(StocktakingMarkEnum, description="Null until marked.")
    place = graphene.String(description="Where it was found, for FOUND_ELSEWHERE.")
    note = graphene.String()
    inventory_number = graphene.String()
    outcome = graphene.Field(StocktakingOutcomeEnum, description="Set when the campaign closes.")
    outcome_note = graphene.String()

    class Meta:
        model = models.Item
        name = "StocktakingItem"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("register_number", "name", "address", "holder_name", "balance_value", "marked_at")

    def resolve_asset_id(root, info):
        return to_global_id("Asset", root.asset_id)

    def resolve_mark(root, info):
        return root.mark or None

    def resolve_outcome(root, info):
        return root.outcome or None

    def resolve_place(root, info):
        return _or_none(root.place)

    def resolve_note(root, info):
        return _or_none(root.note)

    def resolve_inventory_number(root, info):
        return _or_none(root.inventory_number)

    def resolve_outcome_note(root, info):
        return _or_none(root.outcome_note)


class StocktakingCampaign(DjangoObjectType):
    """A stock-taking: its dates, commission and scope; its items with their marks; once closed, the
    outcome of each difference (the differences report is downloaded from the back office)."""

    status = graphene.Field(StocktakingStatusEnum, required=True)
    commission = graphene.String(required=True, description="Its members, one per line.")
    counts = graphene.Field(StocktakingCounts, required=True)
    has_report = graphene.Boolean(required=True)
    items = CappedConnectionField(StocktakingItem, mark=StocktakingMarkEnum(),
                                  unmarked=graphene.Boolean(description="Only items not marked yet."),
                                  description="The objects checked, by register number.")

    class Meta:
        model = models.Campaign
        name = "StocktakingCampaign"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("name", "starts_on", "ends_on", "commission", "closed_on")

    def resolve_counts(root, info):
        return get_loader(info.context, "stocktaking_counts", _load_counts).load(root.pk)

    def resolve_has_report(root, info):
        return bool(root.report)

    def resolve_items(root, info, mark=None, unmarked=None, **kwargs):
        queryset = models.Item.objects.filter(campaign=root).order_by("register_number", "pk")
        if mark:
            queryset = queryset.filter(mark=enum_value(mark))
        if unmarked is not None:
            queryset = queryset.filter(mark="") if unmarked else queryset.exclude(mark="")
        return queryset
