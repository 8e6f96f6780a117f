"""Depreciation in the tenant API: Asset.netBookValue(month) through a dataloader (the same queries at any
page size), the municipality's totals for a month, the refresh of residual values with typed errors,
scopes, and another municipality's objects out of reach."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from gorodok_graphql.assets.depreciation.types import AssetDepreciationErrorCode
from gorodok_services.assets import services as asset_services
from gorodok_services.assets.depreciation import error_codes, services
from gorodok_services.assets.models import Asset
from tests.conftest import graphql
from tests.support.assets import asset_gid, building, holder
from tests.test_graphql.test_assets_api import token_for

LIST = """query ($first: Int, $month: Date!) { assets(first: $first) { edges { node {
  registerNumber netBookValue(month: $month) { month depreciation netBookValue } } } } }"""
ONE = "query ($id: ID!, $month: Date!) { asset(id: $id) { netBookValue(month: $month) { netBookValue } } }"
SUMMARY = """query ($month: Date!) { assetDepreciation(month: $month) {
  month objects balanceValue depreciation netBookValue } }"""
REFRESH = """mutation ($month: Date!) { refreshAssetResidualValues(month: $month) {
  month valuesDate considered changed errors { field code message } } }"""


def many(tenant, count: int) -> None:
    owner = holder(tenant)
    with schema_context(tenant.schema_name):
        services.depreciation_default_set(kind="structure", method="linear", useful_life_months=10)
        for n in range(count):
            asset_services.asset_create(values={
                "kind": "structure", "name": f"Сеть {n}", "right_type": "economic_management", "holder": owner,
                "balance_value": Decimal(1000 + n), "included_on": date(2020, 1, 1)})


def test_net_book_value_costs_the_same_queries_at_any_page_size(client, alpha):
    many(alpha, 12)
    headers = token_for(alpha, "assets:read")
    graphql(client, alpha.host, LIST, {"first": 1, "month": "2020-03-01"}, **headers)
    counts = []
    for first in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            status, body = graphql(client, alpha.host, LIST, {"first": first, "month": "2020-03-15"}, **headers)
        assert status == 200 and "errors" not in body, body
        nodes = [edge["node"] for edge in body["data"]["assets"]["edges"]]
        assert len(nodes) == first
        assert nodes[0]["netBookValue"] == {"month": "2020-03-01", "depreciation": "100.00", "netBookValue": "800.00"}
        assert nodes[1]["netBookValue"]["netBookValue"] == "800.80"
        counts.append(len([q for q in queries if not q["sql"].startswith("SET search_path")]))
    assert counts[0] == counts[1], counts


def test_an_object_without_terms_has_no_net_book_value_and_the_summary_adds_up(client, alpha):
    many(alpha, 2)
    plot = building(alpha, kind="land_plot", name="Участок", cadastral_number="19:01:010203:14")
    headers = token_for(alpha, "assets:read")
    status, body = graphql(client, alpha.host, ONE, {"id": asset_gid(plot), "month": "2020-03-01"}, **headers)
    assert body["data"]["asset"]["netBookValue"] is None
    status, body = graphql(client, alpha.host, SUMMARY, {"month": "2020-03-31"}, **headers)
    assert body["data"]["assetDepreciation"] == {"month": "2020-03-01", "objects": 2, "balanceValue": "2001.00",
                                                 "depreciation": "200.10", "netBookValue": "1600.80"}


def test_refresh_through_the_api_with_typed_errors(client, alpha):
    many(alpha, 2)
    headers = token_for(alpha, "assets:read", "assets:write")
    status, body = graphql(client, alpha.host, REFRESH, {"month": "2020-03-01"}, **headers)
    result = body["data"]["refreshAssetResidualValues"]
    assert [e["code"] for e in result["errors"]] == ["RESIDUAL_KEPT_FROM_ACCOUNTING"] and result["changed"] is None
    with schema_context(alpha.schema_name):
        services.depreciation_settings_update(residual_source="depreciation")
    status, body = graphql(client, alpha.host, REFRESH, {"month": "2999-01-01"}, **headers)
    assert [(e["field"], e["code"]) for e in body["data"]["refreshAssetResidualValues"]["errors"]] == [
        ("month", "FUTURE_MONTH")]
    status, body = graphql(client, alpha.host, REFRESH, {"month": "2020-03-20"}, **headers)
    result = body["data"]["refreshAssetResidualValues"]
    assert result == {"month": "2020-03-01", "valuesDate": "2020-03-31", "considered": 2, "changed": 2, "errors": []}
    status, body = graphql(client, alpha.host, REFRESH, {"month": "2020-03-20"}, **headers)
    assert body["data"]["refreshAssetResidualValues"]["changed"] == 0
    with schema_context(alpha.schema_name):
        assert sorted(Asset.objects.values_list("residual_value", flat=True)) == [Decimal("800.00"),
                                                                                  Decimal("800.80")]
    status, body = graphql(client, alpha.host, REFRESH, {"month": "2020-04-01"}, **token_for(alpha, "assets:read"))
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_every_depreciation_error_code_is_in_the_api_enum():
    assert {code.upper() for code in error_codes.ALL} <= set(AssetDepreciationErrorCode._meta.enum.__members__)


def test_another_municipalitys_figures_are_out_of_reach(client, alpha, beta):
    many(beta, 3)
    with schema_context(beta.schema_name):
        theirs = Asset.objects.order_by("pk").first()
        services.depreciation_settings_update(residual_source="depreciation")
    holder(alpha)
    headers = token_for(alpha, "assets:read", "assets:write")
    status, body = graphql(client, alpha.host, ONE, {"id": asset_gid(theirs), "month": "2020-03-01"}, **headers)
    assert body["data"]["asset"] is None
    status, body = graphql(client, alpha.host, SUMMARY, {"month": "2020-03-01"}, **headers)
    assert body["data"]["assetDepreciation"]["objects"] == 0
    status, body = graphql(client, alpha.host, REFRESH, {"month": "2020-03-01"}, **headers)
    assert body["data"]["refreshAssetResidualValues"]["errors"][0]["code"] == "RESIDUAL_KEPT_FROM_ACCOUNTING"
    with schema_context(beta.schema_name):
        assert Asset.objects.get(pk=theirs.pk).residual_value == theirs.residual_value
