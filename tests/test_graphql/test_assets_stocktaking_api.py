"""Stock-taking in the tenant API (a barcode app): marks by item ID or by number with typed errors, an
explicit change of a mark, closing (idempotent), the same queries at any page size, scopes, and another
municipality's campaigns and items out of reach."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_graphql.assets.stocktaking.types import StocktakingErrorCode
from gorodok_services.assets.models import Asset
from gorodok_services.assets.stocktaking import error_codes
from gorodok_services.assets.stocktaking.models import Campaign, MarkChange
from tests.conftest import graphql
from tests.support.assets import building
from tests.test_graphql.test_assets_api import token_for
from tests.test_services.test_assets_stocktaking import equipment, open_campaign, other_holder

MARK = """mutation ($campaign: ID!, $item: ID, $number: String, $mark: StocktakingMark!, $place: String) {
  markStocktakingItem(campaignId: $campaign, itemId: $item, number: $number, mark: $mark, place: $place) {
    item { id registerNumber inventoryNumber mark place assetId } errors { field code message } } }"""
CHANGE = """mutation ($item: ID!, $mark: StocktakingMark!, $reason: String!) {
  changeStocktakingItemMark(itemId: $item, mark: $mark, reason: $reason) { item { mark } errors { field code } } }"""
CLOSE = """mutation ($id: ID!) { closeStocktakingCampaign(id: $id) {
  closedNow campaign { status hasReport counts { total found notFound damaged foundElsewhere unmarked } }
  errors { field code } } }"""
LIST = """query ($first: Int) { stocktakingCampaigns(first: $first) { edges { node {
  id name status counts { total unmarked } items(first: 3) { edges { node { registerNumber mark } } } } } } }"""
ITEMS = """query ($id: ID!, $first: Int) { stocktakingCampaign(id: $id) { name
  items(first: $first) { totalCount edges { node { id registerNumber inventoryNumber mark assetId } } } } }"""


def gid(kind: str, obj) -> str:
    return to_global_id(kind, obj.pk)


@pytest.fixture
def campaign(alpha):
    school = building(alpha)
    for n in range(1, 6):
        equipment(alpha, n, school.holder)
    equipment(alpha, 9, other_holder(alpha))
    return open_campaign(alpha, holder=school.holder, kind="equipment")


def test_marks_by_id_and_by_number_with_typed_errors(client, alpha, campaign):
    headers = token_for(alpha, "assets:read", "assets:write")
    with schema_context(alpha.schema_name):
        first = campaign.items.get(inventory_number="ИНВ-0001")
    variables = {"campaign": gid("StocktakingCampaign", campaign), "item": gid("StocktakingItem", first),
                 "mark": "FOUND"}
    status, body = graphql(client, alpha.host, MARK, variables, **headers)
    result = body["data"]["markStocktakingItem"]
    assert result["errors"] == [] and result["item"]["mark"] == "FOUND"
    assert result["item"]["assetId"] == gid("Asset", first.asset)
    status, body = graphql(client, alpha.host, MARK, {"campaign": gid("StocktakingCampaign", campaign),
                                                      "number": "ИНВ-0002", "mark": "FOUND_ELSEWHERE",
                                                      "place": "каб. 7"}, **headers)
    assert body["data"]["markStocktakingItem"]["item"]["place"] == "каб. 7"
    refusals = [
        ({"number": "ИНВ-0001", "mark": "DAMAGED"}, "mark", "ALREADY_MARKED"),
        ({"number": "ИНВ-0009", "mark": "FOUND"}, "number", "OUTSIDE_CAMPAIGN"),
        ({"number": "нет такого", "mark": "FOUND"}, "number", "NOT_FOUND"),
        ({"number": "ИНВ-0003", "mark": "FOUND_ELSEWHERE"}, "place", "PLACE_REQUIRED"),
        ({"mark": "FOUND"}, "number", "REQUIRED"),
        ({"item": to_global_id("StocktakingItem", 10**6), "mark": "FOUND"}, "itemId", "NOT_FOUND"),
    ]
    for variables, field, code in refusals:
        status, body = graphql(client, alpha.host, MARK, {"campaign": gid("StocktakingCampaign", campaign),
                                                          **variables}, **headers)
        result = body["data"]["markStocktakingItem"]
        assert result["item"] is None
        assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)], variables
    with schema_context(alpha.schema_name):
        assert MarkChange.objects.count() == 2
    status, body = graphql(client, alpha.host, CHANGE, {"item": gid("StocktakingItem", first), "mark": "DAMAGED",
                                                        "reason": " "}, **headers)
    assert body["data"]["changeStocktakingItemMark"]["errors"] == [{"field": "reason", "code": "REASON_REQUIRED"}]
    status, body = graphql(client, alpha.host, CHANGE, {"item": gid("StocktakingItem", first), "mark": "DAMAGED",
                                                        "reason": "трещина корпуса"}, **headers)
    assert body["data"]["changeStocktakingItemMark"] == {"item": {"mark": "DAMAGED"}, "errors": []}


def test_closing_through_the_api_once(client, alpha, campaign, media_root):
    headers = token_for(alpha, "assets:read", "assets:write")
    variables = {"campaign": gid("StocktakingCampaign", campaign)}
    graphql(client, alpha.host, MARK, {**variables, "number": "ИНВ-0001", "mark": "DAMAGED"}, **headers)
    status, body = graphql(client, alpha.host, CLOSE, {"id": gid("StocktakingCampaign", campaign)}, **headers)
    result = body["data"]["closeStocktakingCampaign"]
    assert result["errors"] == [] and result["closedNow"] is True
    assert result["campaign"]["status"] == "CLOSED" and result["campaign"]["hasReport"] is True
    assert result["campaign"]["counts"] == {"total": 5, "found": 0, "notFound": 4, "damaged": 1, "foundElsewhere": 0,
                                           "unmarked": 0}
    status, body = graphql(client, alpha.host, CLOSE, {"id": gid("StocktakingCampaign", campaign)}, **headers)
    assert body["data"]["closeStocktakingCampaign"]["closedNow"] is False
    status, body = graphql(client, alpha.host, MARK, {**variables, "number": "ИНВ-0002", "mark": "FOUND"}, **headers)
    assert body["data"]["markStocktakingItem"]["errors"][0]["code"] == "CAMPAIGN_CLOSED"
    with schema_context(alpha.schema_name):
        assert Asset.objects.get(inventory_number="ИНВ-0001").lifecycle_status == "under_repair"


def test_lists_cost_the_same_queries_at_any_page_size(client, alpha, campaign):
    for n in range(3):
        open_campaign(alpha, kind="equipment")
    headers = token_for(alpha, "assets:read")
    graphql(client, alpha.host, LIST, {"first": 1}, **headers)
    counts = []
    for first in (2, 4):
        with CaptureQueriesContext(connection) as queries:
            status, body = graphql(client, alpha.host, LIST, {"first": first}, **headers)
        assert "errors" not in body, body
        edges = body["data"]["stocktakingCampaigns"]["edges"]
        assert len(edges) == first and edges[0]["node"]["counts"]["total"] in (5, 6)
        counts.append(len([q for q in queries if not q["sql"].startswith("SET search_path")]))
    # The campaigns, their counts in one grouped query, and each campaign's first items.
    assert counts[1] - counts[0] == 2, counts
    item_counts = []
    for first in (2, 5):
        with CaptureQueriesContext(connection) as queries:
            status, body = graphql(client, alpha.host, ITEMS, {"id": gid("StocktakingCampaign", campaign),
                                                               "first": first}, **headers)
        assert len(body["data"]["stocktakingCampaign"]["items"]["edges"]) == first
        item_counts.append(len([q for q in queries if not q["sql"].startswith("SET search_path")]))
    assert item_counts[0] == item_counts[1], item_counts


def test_scopes_and_another_municipalitys_campaign(client, alpha, beta, campaign):
    their_building = building(beta, name="Чужая школа")
    equipment(beta, 1, their_building.holder)
    theirs = open_campaign(beta, holder=their_building.holder, kind="equipment")
    with schema_context(beta.schema_name):
        their_item = theirs.items.get()
    headers = token_for(alpha, "assets:read", "assets:write")
    status, body = graphql(client, alpha.host, ITEMS, {"id": gid("StocktakingCampaign", theirs), "first": 5},
                           **headers)
    data = body["data"]["stocktakingCampaign"]
    assert data is None or data["name"] != theirs.name
    status, body = graphql(client, alpha.host, MARK, {"campaign": gid("StocktakingCampaign", campaign),
                                                      "item": gid("StocktakingItem", their_item), "mark": "FOUND"},
                           **headers)
    errors = body["data"]["markStocktakingItem"]["errors"]
    assert errors and errors[0]["code"] in ("NOT_FOUND", "OUTSIDE_CAMPAIGN")
    status, body = graphql(client, alpha.host, CLOSE, {"id": to_global_id("StocktakingCampaign", 10**6)}, **headers)
    assert body["data"]["closeStocktakingCampaign"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    with schema_context(beta.schema_name):
        assert Campaign.objects.get(pk=theirs.pk).status == "open" and not MarkChange.objects.exists()
    status, body = graphql(client, alpha.host, MARK, {"campaign": gid("StocktakingCampaign", campaign),
                                                      "number": "ИНВ-0001", "mark": "FOUND"},
                           **token_for(alpha, "assets:read"))
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_every_stocktaking_error_code_is_in_the_api_enum():
    assert {code.upper() for code in error_codes.ALL} <= set(StocktakingErrorCode._meta.enum.__members__)
