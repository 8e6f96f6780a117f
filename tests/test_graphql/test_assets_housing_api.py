"""The housing stock and the utility networks in the tenant API: ``Asset.housing`` / ``Asset.utility``
through dataloaders, ``housingStock`` and ``utilityNetworks`` with filters, keyset cursors and the same
queries at any page size, ``setHousingProfile`` / ``setUtilityProfile`` with typed errors and nothing
written, and another municipality's objects not found."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from gorodok_graphql.assets.housing_enums import HousingErrorCode
from gorodok_services.assets.housing import error_codes
from gorodok_services.assets.housing import services as housing_services
from gorodok_services.assets.housing.models import HousingProfile, UtilityProfile
from gorodok_services.assets.models import AssetChange
from tests.conftest import graphql
from tests.support.assets import asset_gid
from tests.support.housing import BOILER_HOUSE, apartment_building, network, real_estate, remove
from tests.test_graphql.test_assets_api import token_for

STOCK = """query ($first: Int, $after: String, $band: ConditionBand, $emergency: Boolean) {
  housingStock(first: $first, after: $after, band: $band, emergency: $emergency) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name holder { inn }
      housing { housingKind floors apartments totalArea livingArea wallMaterial wearPercent conditionBand emergency
        emergencyDecisionNumber emergencyDecisionDate plannedAction building { name holder { inn } } }
      utility { kind } } } } }"""
NETWORKS = """query ($first: Int, $kind: UtilityKind, $band: ConditionBand) {
  utilityNetworks(first: $first, kind: $kind, band: $band) {
    edges { node { name utility { kind lengthM diameterMm yearLaid capacity capacityUnit wearPercent
      conditionBand } housing { housingKind } } } } }"""
SET_HOUSING = """mutation ($id: ID!, $input: HousingProfileInput!) { setHousingProfile(assetId: $id, input: $input) {
  asset { id housing { housingKind wearPercent conditionBand building { name } } history { action changes } }
  errors { field code message } } }"""
SET_UTILITY = """mutation ($id: ID!, $input: UtilityProfileInput!) { setUtilityProfile(assetId: $id, input: $input) {
  asset { utility { kind lengthM capacity capacityUnit conditionBand } } errors { field code } } }"""
HOUSE = {"housingKind": "APARTMENT_BUILDING", "yearBuilt": 1974, "floors": 5, "entrances": 3, "apartments": 60,
         "totalArea": "2870.00", "livingArea": "2010.00", "wallMaterial": "BRICK", "wearPercent": 52,
         "wearAssessedOn": "2024-06-10"}


def test_the_housing_stock_with_filters_and_profiles(client, alpha):
    apartment_building(alpha, "Дом 1", wear_percent=12)
    apartment_building(alpha, "Дом 2", wear_percent=84, emergency=True, emergency_decision_number="118-п",
                       emergency_decision_date=date(2023, 11, 20), planned_action="demolition")
    gone = apartment_building(alpha, "Дом 3", wear_percent=70)
    remove(alpha, gone, date(2024, 5, 1))
    network(alpha, "Теплосеть")
    real_estate(alpha, "building", "Школа")  # no profile: not housing
    headers = token_for(alpha, "assets:read")

    def names(**variables):
        status, body = graphql(client, alpha.host, STOCK, {"first": 10, **variables}, **headers)
        assert status == 200 and "errors" not in body, body
        return [edge["node"] for edge in body["data"]["housingStock"]["edges"]]

    nodes = names()
    assert [n["name"] for n in nodes] == ["Дом 1", "Дом 2"]
    assert nodes[0]["housing"] == {
        "housingKind": "APARTMENT_BUILDING", "floors": 5, "apartments": 60, "totalArea": "2870.00",
        "livingArea": "2010.00", "wallMaterial": "BRICK", "wearPercent": 12, "conditionBand": "GOOD",
        "emergency": False, "emergencyDecisionNumber": None, "emergencyDecisionDate": None, "plannedAction": None,
        "building": None}
    assert nodes[0]["utility"] is None
    assert nodes[1]["housing"]["conditionBand"] == "UNUSABLE"
    assert nodes[1]["housing"]["emergencyDecisionNumber"] == "118-п"
    assert nodes[1]["housing"]["plannedAction"] == "DEMOLITION"
    assert [n["name"] for n in names(emergency=True)] == ["Дом 2"]
    assert [n["name"] for n in names(emergency=False)] == ["Дом 1"]
    assert [n["name"] for n in names(band="GOOD")] == ["Дом 1"]
    assert names(band="DILAPIDATED") == []  # Дом 3 left the register
    status, body = graphql(client, alpha.host, STOCK, {"band": "RUINED"}, **headers)
    assert status in (200, 400) and body["errors"]


def test_utility_networks_by_kind_and_band(client, alpha):
    network(alpha, "Теплосеть", wear_percent=72)
    network(alpha, "Водопровод", kind="water_supply", wear_percent=10, diameter_mm=150)
    boiler = real_estate(alpha, "building", "Котельная № 2")
    with schema_context(alpha.schema_name):
        housing_services.utility_profile_set(asset=boiler, values=BOILER_HOUSE)
    headers = token_for(alpha, "assets:read")

    def nodes(**variables):
        status, body = graphql(client, alpha.host, NETWORKS, {"first": 10, **variables}, **headers)
        assert "errors" not in body, body
        return {edge["node"]["name"]: edge["node"] for edge in body["data"]["utilityNetworks"]["edges"]}

    assert set(nodes()) == {"Теплосеть", "Водопровод", "Котельная № 2"}
    assert nodes(kind="WATER_SUPPLY")["Водопровод"]["utility"] == {
        "kind": "WATER_SUPPLY", "lengthM": "1350.00", "diameterMm": 150, "yearLaid": 1979, "capacity": None,
        "capacityUnit": None, "wearPercent": 10, "conditionBand": "GOOD"}
    assert set(nodes(kind="WATER_SUPPLY")) == {"Водопровод"}
    assert set(nodes(band="DILAPIDATED")) == {"Теплосеть"}
    boiler_node = nodes(kind="BOILER_HOUSE")["Котельная № 2"]
    assert boiler_node["utility"]["capacity"] == "12.500" and boiler_node["utility"]["capacityUnit"] == "GCAL_PER_HOUR"
    assert boiler_node["housing"] is None


def _many(tenant, count: int) -> None:
    house = apartment_building(tenant, "Дом 00")
    for n in range(1, count):
        flat = real_estate(tenant, "premises", f"Квартира {n:02d}")
        with schema_context(tenant.schema_name):
            housing_services.housing_profile_set(asset=flat, values={
                "housing_kind": "municipal_premises", "building": house, "total_area": Decimal("40") + n,
                "wear_percent": n})
        network(tenant, f"Сеть {n:02d}", wear_percent=n)


@pytest.mark.parametrize(("query", "root"), [(STOCK, "housingStock"), (NETWORKS, "utilityNetworks")])
def test_the_lists_cost_the_same_queries_at_any_page_size(client, alpha, query, root):
    _many(alpha, 12)
    headers = token_for(alpha, "assets:read")
    graphql(client, alpha.host, query, {"first": 1}, **headers)  # warm: the client's token is cached
    counts = []
    for first in (2, 11):
        with CaptureQueriesContext(connection) as queries:
            status, body = graphql(client, alpha.host, query, {"first": first}, **headers)
        assert status == 200 and "errors" not in body, body
        edges = body["data"][root]["edges"]
        assert len(edges) == first
        if root == "housingStock":
            assert edges[1]["node"]["housing"]["building"]["name"] == "Дом 00"
        else:
            assert edges[1]["node"]["utility"]["kind"] == "HEAT_NETWORK"
        counts.append(len([q for q in queries if not q["sql"].startswith("SET search_path")]))
    assert counts[0] == counts[1], counts


def test_keyset_pages_do_not_repeat_or_skip(client, alpha):
    for n in range(5):
        apartment_building(alpha, f"Дом {n}", wear_percent=10 * n)
    headers = token_for(alpha, "assets:read")
    seen, after = [], None
    while True:
        status, body = graphql(client, alpha.host, STOCK, {"first": 2, "after": after}, **headers)
        page = body["data"]["housingStock"]
        seen += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"Дом {n}" for n in range(5)]


def test_set_housing_profile_records_and_replaces(client, alpha):
    house = real_estate(alpha, "building", "Многоквартирный дом")
    flat = real_estate(alpha, "premises", "Квартира № 14")
    headers = token_for(alpha, "assets:read", "assets:write")
    status, body = graphql(client, alpha.host, SET_HOUSING, {"id": asset_gid(house), "input": HOUSE}, **headers)
    result = body["data"]["setHousingProfile"]
    assert result["errors"] == []
    assert result["asset"]["housing"] == {"housingKind": "APARTMENT_BUILDING", "wearPercent": 52,
                                          "conditionBand": "UNSATISFACTORY", "building": None}
    assert result["asset"]["history"][-1]["action"] == "housing_set"
    status, body = graphql(client, alpha.host, SET_HOUSING, {"id": asset_gid(flat), "input": {
        "housingKind": "MUNICIPAL_PREMISES", "buildingId": asset_gid(house), "totalArea": "48.6", "wearPercent": 52}},
        **headers)
    assert body["data"]["setHousingProfile"]["asset"]["housing"]["building"] == {"name": "Многоквартирный дом"}
    status, body = graphql(client, alpha.host, SET_HOUSING, {"id": asset_gid(house), "input": {
        **HOUSE, "wearPercent": 85, "emergency": True, "emergencyDecisionNumber": "118-п",
        "emergencyDecisionDate": "2023-11-20", "plannedAction": "RECONSTRUCTION"}}, **headers)
    assert body["data"]["setHousingProfile"]["asset"]["housing"]["conditionBand"] == "UNUSABLE"
    with schema_context(alpha.schema_name):
        profile = HousingProfile.objects.get(asset=house)
        assert profile.emergency and profile.planned_action == "reconstruction"
        assert AssetChange.objects.filter(asset=house, action="housing_set").last().source == "api"


@pytest.mark.parametrize(("changes", "expected"), [
    ({"wearPercent": 101}, {("wearPercent", "WEAR_OUT_OF_RANGE")}),
    ({"yearBuilt": 1699}, {("yearBuilt", "YEAR_OUT_OF_RANGE")}),
    ({"yearBuilt": 2999}, {("yearBuilt", "YEAR_OUT_OF_RANGE")}),
    ({"livingArea": "3000"}, {("livingArea", "LIVING_ABOVE_TOTAL")}),
    ({"floors": 0, "apartments": -3}, {("floors", "BELOW_ONE"), ("apartments", "BELOW_ONE")}),
    ({"emergency": True, "emergencyDecisionDate": "2023-11-20"},
     {("emergencyDecisionNumber", "DECISION_REQUIRED")}),
    ({"totalArea": "NaN"}, {("totalArea", "INVALID")}),
    ({"housingKind": "MUNICIPAL_PREMISES"}, {("assetId", "WRONG_ASSET_KIND")}),
    ({"buildingId": "QXNzZXQ6OTk5OTk="}, {("buildingId", "NOT_FOUND")}),
])
def test_bad_housing_input_is_a_typed_error_and_nothing_is_written(client, alpha, changes, expected):
    house = real_estate(alpha, "building", "Многоквартирный дом")
    headers = token_for(alpha, "assets:write")
    status, body = graphql(client, alpha.host, SET_HOUSING, {"id": asset_gid(house), "input": {**HOUSE, **changes}},
                           **headers)
    result = body["data"]["setHousingProfile"]
    assert result["asset"] is None
    assert {(e["field"], e["code"]) for e in result["errors"]} == expected
    assert all(e["message"] for e in result["errors"])
    with schema_context(alpha.schema_name):
        assert not HousingProfile.objects.exists()


def test_set_utility_profile_and_its_errors(client, alpha):
    boiler = real_estate(alpha, "building", "Котельная № 2")
    pipe = real_estate(alpha, "structure", "Теплосеть")
    headers = token_for(alpha, "assets:write")
    facility = {"kind": "BOILER_HOUSE", "capacity": "12.5", "capacityUnit": "GCAL_PER_HOUR", "wearPercent": 46}
    status, body = graphql(client, alpha.host, SET_UTILITY, {"id": asset_gid(boiler), "input": {
        **facility, "lengthM": "120", "diameterMm": 100}}, **headers)
    assert {(e["field"], e["code"]) for e in body["data"]["setUtilityProfile"]["errors"]} == {
        ("lengthM", "NETWORK_FIELDS_ON_FACILITY"), ("diameterMm", "NETWORK_FIELDS_ON_FACILITY")}
    status, body = graphql(client, alpha.host, SET_UTILITY, {"id": asset_gid(boiler), "input": {
        "kind": "HEAT_NETWORK", "lengthM": "120", "wearPercent": 30}}, **headers)
    assert body["data"]["setUtilityProfile"]["errors"] == [{"field": "assetId", "code": "WRONG_ASSET_KIND"}]
    status, body = graphql(client, alpha.host, SET_UTILITY, {"id": asset_gid(pipe), "input": {
        "kind": "HEAT_NETWORK", "lengthM": "120", "capacity": "3", "capacityUnit": "MEGAWATT", "wearPercent": 30}},
        **headers)
    assert {(e["field"], e["code"]) for e in body["data"]["setUtilityProfile"]["errors"]} == {
        ("capacity", "FACILITY_FIELDS_ON_NETWORK"), ("capacityUnit", "FACILITY_FIELDS_ON_NETWORK")}
    with schema_context(alpha.schema_name):
        assert not UtilityProfile.objects.exists()
    status, body = graphql(client, alpha.host, SET_UTILITY, {"id": asset_gid(boiler), "input": facility}, **headers)
    assert body["data"]["setUtilityProfile"] == {"asset": {"utility": {
        "kind": "BOILER_HOUSE", "lengthM": None, "capacity": "12.500", "capacityUnit": "GCAL_PER_HOUR",
        "conditionBand": "UNSATISFACTORY"}}, "errors": []}


def test_a_removed_object_gets_no_profile(client, alpha):
    house = real_estate(alpha, "building", "Барак")
    remove(alpha, house, date(2024, 5, 1))
    headers = token_for(alpha, "assets:write")
    status, body = graphql(client, alpha.host, SET_HOUSING, {"id": asset_gid(house), "input": HOUSE}, **headers)
    assert body["data"]["setHousingProfile"]["errors"] == [{
        "field": "assetId", "code": "ALREADY_REMOVED",
        "message": "The object was removed from the register; it can no longer change."}]


def test_every_service_error_code_is_in_the_api_enum():
    assert {code.upper() for code in error_codes.ALL} <= set(HousingErrorCode._meta.enum.__members__)


def test_another_municipalitys_objects_are_not_found(client, alpha, beta):
    theirs = apartment_building(beta, "Их дом")
    their_pipe = network(beta, "Их теплосеть")
    flat = real_estate(alpha, "premises", "Наша квартира")
    headers = token_for(alpha, "assets:read", "assets:write")
    status, body = graphql(client, alpha.host, SET_HOUSING, {"id": asset_gid(theirs), "input": HOUSE}, **headers)
    assert body["data"]["setHousingProfile"]["errors"] == [{"field": "assetId", "code": "NOT_FOUND",
                                                            "message": "No such register object."}]
    status, body = graphql(client, alpha.host, SET_UTILITY, {"id": asset_gid(their_pipe), "input": {
        "kind": "HEAT_NETWORK", "lengthM": "1", "wearPercent": 1}}, **headers)
    assert body["data"]["setUtilityProfile"]["errors"][0]["code"] == "NOT_FOUND"
    status, body = graphql(client, alpha.host, SET_HOUSING, {"id": asset_gid(flat), "input": {
        "housingKind": "MUNICIPAL_PREMISES", "buildingId": asset_gid(theirs), "totalArea": "40", "wearPercent": 1}},
        **headers)
    assert {(e["field"], e["code"]) for e in body["data"]["setHousingProfile"]["errors"]} == {
        ("buildingId", "NOT_FOUND")}
    for query, root in ((STOCK, "housingStock"), (NETWORKS, "utilityNetworks")):
        status, body = graphql(client, alpha.host, query, {"first": 10}, **headers)
        assert body["data"][root]["edges"] == []
    status, body = graphql(client, alpha.host, "query ($id: ID!) { asset(id: $id) { housing { wearPercent } } }",
                           {"id": asset_gid(theirs)}, **headers)
    assert body["data"]["asset"] is None
    with schema_context(beta.schema_name):
        assert HousingProfile.objects.get(asset=theirs).wear_percent == 52
    with schema_context(alpha.schema_name):
        assert not HousingProfile.objects.exists()


def test_a_reader_cannot_set_a_profile(client, alpha):
    house = real_estate(alpha, "building", "Многоквартирный дом")
    status, body = graphql(client, alpha.host, SET_HOUSING, {"id": asset_gid(house), "input": HOUSE},
                           **token_for(alpha, "assets:read"))
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    status, body = graphql(client, alpha.host, STOCK, {"first": 1}, **token_for(alpha, "appeals:read"))
    assert body["errors"][0]["extensions"] == {"code": "PERMISSION_DENIED", "requiredScope": "assets:read"}
    with schema_context(alpha.schema_name):
        assert not HousingProfile.objects.exists()
