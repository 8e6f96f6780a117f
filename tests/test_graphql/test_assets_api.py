"""The property register in the tenant API: lists with filters and constant query counts, global IDs,
mutations through the services with typed error codes, history, and isolation between municipalities."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_platform.integrations.services import api_client_create
from gorodok_services.assets import error_codes
from gorodok_services.assets import services as asset_services
from gorodok_services.assets.models import Asset, AssetStatus
from tests.conftest import graphql
from tests.support.assets import SCHOOL_INN, asset_gid, building, holder, holder_gid, vehicle

LIST = """query ($first: Int, $section: AssetSection, $search: String, $inRegister: Boolean) {
  assets(first: $first, section: $section, search: $search, inRegister: $inRegister) {
    totalCount
    edges { node { id registerNumber section kind name balanceValue residualValue rightType status
      holder { id name inn }
      documents { role kind number date issuer hasFile }
      encumbrances { kind basis beneficiary startsOn endsOn }
      history { action actorEmail changes } } } } }"""
ONE = "query ($id: ID!) { asset(id: $id) { registerNumber name history { action changes } } }"
CREATE = """mutation ($input: AssetInput!, $number: String) { createAsset(input: $input, registerNumber: $number) {
  asset { id registerNumber section name balanceValue residualValue holder { inn } }
  errors { field code message } } }"""
UPDATE = """mutation ($id: ID!, $input: AssetInput!) { updateAsset(id: $id, input: $input) {
  asset { residualValue history { action changes } } errors { field code } } }"""
REMOVE = """mutation ($id: ID!, $on: Date!, $reason: String!, $doc: AssetDocumentInput!) {
  removeAsset(id: $id, removedOn: $on, reason: $reason, document: $doc) {
    asset { status removedOn documents { role kind number } } errors { field code } } }"""


def token_for(tenant, *scopes) -> dict:
    with schema_context(tenant.schema_name):
        _client, token = api_client_create(name="Карта города", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def many(tenant, count: int) -> None:
    owner = holder(tenant)
    with schema_context(tenant.schema_name):
        for n in range(count):
            asset = asset_services.asset_create(values={
                "kind": "structure", "name": f"Тепловая сеть, участок {n}", "right_type": "economic_management",
                "holder": owner, "balance_value": 1000 + n, "included_on": date(2020, 1, 1)})
            asset_services.asset_document_add(asset=asset, role="acquisition", document=asset_services.DocumentInput(
                kind="decision", number=f"{n}-р", date=date(2020, 1, 1)))
            asset_services.asset_encumbrance_add(asset=asset, kind="lease", basis=f"договор {n}",
                                                 beneficiary="ООО «Тепло»", starts_on=date(2021, 1, 1))


def test_the_list_costs_the_same_queries_at_any_page_size(client, alpha):
    many(alpha, 12)
    headers = token_for(alpha, "assets:read")
    graphql(client, alpha.host, LIST, {"first": 1}, **headers)  # warm: the client's token is cached
    counts = []
    for first in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            status, body = graphql(client, alpha.host, LIST, {"first": first}, **headers)
        assert status == 200 and "errors" not in body, body
        edges = body["data"]["assets"]["edges"]
        assert len(edges) == first
        assert edges[0]["node"]["documents"][0]["number"] == "0-р"
        assert edges[0]["node"]["encumbrances"][0]["beneficiary"] == "ООО «Тепло»"
        assert [h["action"] for h in edges[0]["node"]["history"]] == [
            "created", "document_added", "encumbrance_added"]
        # The schema switch is the router's; the page, its count, documents, encumbrances and history are ours.
        counts.append(len([q for q in queries if not q["sql"].startswith("SET search_path")]))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 5, [q["sql"][:150] for q in queries]
    shape = ("{ assets(first: 100) { edges { node { name holder { name } documents { number } "
             "encumbrances { kind } } } } }")
    with CaptureQueriesContext(connection) as queries:
        status, body = graphql(client, alpha.host, shape, **headers)
    assert len(body["data"]["assets"]["edges"]) == 12
    assert len(queries) <= 5, [q["sql"][:150] for q in queries]


def test_filters_search_and_global_ids(client, alpha):
    school = building(alpha)
    bus = vehicle(alpha)
    headers = token_for(alpha, "assets:read")
    status, body = graphql(client, alpha.host, LIST, {"first": 10, "section": "MOVABLE"}, **headers)
    edges = body["data"]["assets"]["edges"]
    assert [e["node"]["name"] for e in edges] == [bus.name]
    assert edges[0]["node"]["id"] == asset_gid(bus) and edges[0]["node"]["holder"]["inn"] == SCHOOL_INN
    status, body = graphql(client, alpha.host, LIST, {"first": 10, "search": "19:01:010203"}, **headers)
    assert [e["node"]["registerNumber"] for e in body["data"]["assets"]["edges"]] == [school.register_number]
    status, body = graphql(client, alpha.host, ONE, {"id": asset_gid(school)}, **headers)
    assert body["data"]["asset"]["registerNumber"] == "1.000001"
    status, body = graphql(client, alpha.host, ONE, {"id": holder_gid(school.holder)}, **headers)
    assert body["data"]["asset"] is None  # a holder's ID is not an object's


def test_create_update_and_remove_through_the_api(client, alpha):
    owner = holder(alpha)
    headers = token_for(alpha, "assets:read", "assets:write")
    values = {"kind": "BUILDING", "name": "Котельная № 2", "cadastralNumber": "19:01:030101:18",
              "rightType": "ECONOMIC_MANAGEMENT", "holderId": holder_gid(owner), "balanceValue": "35000000.10",
              "includedOn": "2016-04-01"}
    status, body = graphql(client, alpha.host, CREATE, {"input": values}, **headers)
    result = body["data"]["createAsset"]
    assert result["errors"] == []
    assert result["asset"]["registerNumber"] == "1.000001" and result["asset"]["section"] == "REAL_ESTATE"
    assert result["asset"]["residualValue"] == "35000000.10"
    gid = result["asset"]["id"]
    status, body = graphql(client, alpha.host, UPDATE, {"id": gid, "input": {"residualValue": "17800000"}}, **headers)
    assert body["data"]["updateAsset"]["asset"]["history"][-1] == {
        "action": "changed", "changes": json.dumps({"residual_value": ["35000000.10", "17800000.00"]})}
    document = {"kind": "WRITE_OFF", "number": "3", "date": "2024-06-01"}
    status, body = graphql(client, alpha.host, REMOVE, {"id": gid, "on": "2024-06-01", "reason": "снос",
                                                        "doc": document}, **headers)
    result = body["data"]["removeAsset"]
    assert result["errors"] == [] and result["asset"]["status"] == "REMOVED"
    assert result["asset"]["documents"] == [{"role": "TERMINATION", "kind": "WRITE_OFF", "number": "3"}]
    status, body = graphql(client, alpha.host, REMOVE, {"id": gid, "on": "2024-06-01", "reason": "снос",
                                                        "doc": document}, **headers)
    assert body["data"]["removeAsset"]["errors"][0]["code"] == "ALREADY_REMOVED"


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"cadastralNumber": "19/01/1"}, "cadastralNumber", "INVALID_CADASTRAL_NUMBER"),
    ({"balanceValue": "-10"}, "balanceValue", "NEGATIVE_VALUE"),
    ({"balanceValue": "10", "residualValue": "20"}, "residualValue", "RESIDUAL_ABOVE_BALANCE"),
    ({"includedOn": "2999-01-01"}, "includedOn", "FUTURE_DATE"),
])
def test_bad_input_is_a_typed_error_and_nothing_is_written(client, alpha, values, field, code):
    owner = holder(alpha)
    headers = token_for(alpha, "assets:write")
    base = {"kind": "BUILDING", "name": "Баня", "rightType": "OWNERSHIP", "holderId": holder_gid(owner)}
    status, body = graphql(client, alpha.host, CREATE, {"input": {**base, **values}}, **headers)
    result = body["data"]["createAsset"]
    assert result["asset"] is None
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in result["errors"]]
    with schema_context(alpha.schema_name):
        assert not Asset.objects.exists()


def test_duplicate_number_and_bad_holder_identifiers(client, alpha):
    school = building(alpha)
    headers = token_for(alpha, "assets:write")
    base = {"kind": "BUILDING", "name": "Баня", "rightType": "OWNERSHIP", "holderId": holder_gid(school.holder)}
    status, body = graphql(client, alpha.host, CREATE, {"input": base, "number": school.register_number}, **headers)
    assert body["data"]["createAsset"]["errors"][0]["code"] == "DUPLICATE"
    mutation = """mutation ($input: AssetHolderInput!) { createAssetHolder(input: $input) {
      holder { id } errors { field code } } }"""
    status, body = graphql(client, alpha.host, mutation, {"input": {
        "kind": "ENTERPRISE", "name": "МУП", "inn": "1234567890", "ogrn": "1234567890123"}}, **headers)
    codes = {(e["field"], e["code"]) for e in body["data"]["createAssetHolder"]["errors"]}
    assert codes == {("inn", "INVALID_INN"), ("ogrn", "INVALID_OGRN")}


def test_every_service_error_code_is_in_the_api_enum():
    assert {code.upper() for code in error_codes.ALL} <= set(AssetErrorCode._meta.enum.__members__)


def test_another_municipalitys_ids_are_not_found(client, alpha, beta):
    theirs = building(beta)
    holder(alpha)
    headers = token_for(alpha, "assets:read", "assets:write")
    status, body = graphql(client, alpha.host, ONE, {"id": asset_gid(theirs)}, **headers)
    assert body["data"]["asset"] is None
    status, body = graphql(client, alpha.host, UPDATE, {"id": asset_gid(theirs), "input": {"name": "x"}}, **headers)
    assert body["data"]["updateAsset"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    status, body = graphql(client, alpha.host, REMOVE, {"id": asset_gid(theirs), "on": "2024-01-01", "reason": "x",
                                                        "doc": {"kind": "ACT", "date": "2024-01-01"}}, **headers)
    assert body["data"]["removeAsset"]["errors"][0]["code"] == "NOT_FOUND"
    status, body = graphql(client, alpha.host, "query ($id: ID!) { assetHolder(id: $id) { name } }",
                           {"id": holder_gid(theirs.holder)}, **headers)
    assert body["data"]["assetHolder"] is None
    status, body = graphql(client, alpha.host, LIST, {"first": 10}, **headers)
    assert body["data"]["assets"]["totalCount"] == 0
    with schema_context(beta.schema_name):
        theirs.refresh_from_db()
        assert theirs.status == AssetStatus.IN_REGISTER and theirs.name == "Здание школы № 1"


def test_a_client_without_the_scope_and_a_disabled_module(client, alpha):
    from gorodok_tenants.modules import municipality_set_module

    building(alpha)
    status, body = graphql(client, alpha.host, LIST, {"first": 1}, **token_for(alpha, "appeals:read"))
    assert body["errors"][0]["extensions"] == {"code": "PERMISSION_DENIED", "requiredScope": "assets:read"}
    status, body = graphql(client, alpha.host, LIST, {"first": 1})
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    municipality_set_module(municipality=alpha.municipality, code="assets", enabled=False)
    try:
        status, body = graphql(client, alpha.host, LIST, {"first": 1}, **token_for(alpha, "assets:read"))
        assert body["errors"][0]["extensions"]["code"] == "MODULE_DISABLED"
    finally:
        municipality_set_module(municipality=alpha.municipality, code="assets", enabled=True)
