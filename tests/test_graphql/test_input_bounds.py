"""Every date and number is bounded at the input: values out of range are typed errors, never
INTERNAL_ERROR, and a value stored before the bound existed no longer breaks a list."""

from __future__ import annotations

import importlib

from django.db import connection
from django_tenants.utils import schema_context

from tests.conftest import graphql, login
from tests.support.api_clients import bearer, make_client

STATISTICS = "query ($from: Date!, $to: Date!) { appealStatistics(dateFrom: $from, dateTo: $to) { appeals } }"
RECEIVE = """mutation ($input: ReceiveAppealInput!) { receiveAppeal(input: $input) {
  created errors { field code } } }"""
CREATE_CLIENT = """mutation ($at: DateTime) { createApiClient(name: "Far", scopes: [APPEALS_READ], expiresAt: $at) {
  token errors { field code } } }"""
CLIENTS = "{ apiClients(first: 50) { edges { node { name expiresAt isActive } } } }"


def _codes(body) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", ())]


def test_statistics_dates_out_of_range(client, alpha):
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    for start, end in (("2026-01-01", "9999-12-31"), ("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")):
        status, body = graphql(client, alpha.host, STATISTICS, {"from": start, "to": end}, **bearer(token))
        assert status == 200 and _codes(body) in (["VALUE_OUT_OF_RANGE"], ["INVALID_PERIOD"]), body


def test_receive_appeal_with_a_moment_that_overflows_utc(client, alpha):
    _, token = make_client(alpha.schema_name, ["appeals:write"])
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1000-01-01T00:00:00+00:00"):
        status, body = graphql(client, alpha.host, RECEIVE, {"input": {
            "channel": "POST", "subject": "Дата", "text": "Текст", "questions": [{"classifierCode": "0003.0009"}],
            "receivedAt": moment}}, **bearer(token))
        assert status == 200 and _codes(body) == ["VALUE_OUT_OF_RANGE"], body


def test_create_api_client_refuses_an_expiry_past_the_readable_range(client, alpha, region_host, regional_admin):
    login(client, alpha.host, alpha.admin_email)
    for at in ("9999-12-31T23:59:59-14:00", "3500-01-01T00:00:00+00:00"):
        status, body = graphql(client, alpha.host, CREATE_CLIENT, {"at": at})
        assert status == 200 and _codes(body) == ["VALUE_OUT_OF_RANGE"], body
    status, body = graphql(client, alpha.host, CREATE_CLIENT, {"at": "2100-01-01T00:00:00+00:00"})
    assert body["data"]["createApiClient"]["errors"] == [] and body["data"]["createApiClient"]["token"]
    status, body = graphql(client, alpha.host, CLIENTS)
    assert "errors" not in body, body


def test_the_service_refuses_an_expiry_past_the_readable_range(alpha):
    import datetime as dt

    import pytest
    from django.core.exceptions import ValidationError

    from gorodok_platform.integrations.services import api_client_create

    late = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-14)))
    with schema_context(alpha.schema_name), pytest.raises(ValidationError) as caught:
        api_client_create(name="Far", scopes=["appeals:read"], expires_at=late)
    assert caught.value.error_dict["expires_at"][0].code == "invalid_expiry"


def test_a_stored_out_of_range_expiry_is_repaired_and_the_list_works(client, alpha):
    api_client, _ = make_client(alpha.schema_name, ["appeals:read"])
    with schema_context(alpha.schema_name), connection.cursor() as cursor:
        cursor.execute("UPDATE integrations_apiclient SET expires_at = '10000-01-01 09:59:59+00' WHERE id = %s",
                       [api_client.pk])
    login(client, alpha.host, alpha.admin_email)
    status, body = graphql(client, alpha.host, CLIENTS)
    assert _codes(body) == ["INTERNAL_ERROR"]  # what every list did before the repair
    migration = importlib.import_module("gorodok_platform.integrations.migrations.0003_api_client_expiry_in_range")
    with schema_context(alpha.schema_name), connection.cursor() as cursor:
        cursor.execute(migration.Migration.operations[0].sql)
    status, body = graphql(client, alpha.host, CLIENTS)
    assert "errors" not in body, body
    expiries = [edge["node"]["expiresAt"] for edge in body["data"]["apiClients"]["edges"]]
    assert "2999-12-31T23:59:59+00:00" in expiries


def test_nested_input_dates_and_deliveries_bounds(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    query = 'query { appeals(first: 1, dueBefore: "9999-12-31T23:59:59-14:00") { totalCount } }'
    status, body = graphql(client, alpha.host, query)
    assert _codes(body) == ["VALUE_OUT_OF_RANGE"], body
    query = 'query { appeals(first: 1, updatedSince: "0001-01-01T00:00:00+14:00") { totalCount } }'
    status, body = graphql(client, alpha.host, query)
    assert _codes(body) == ["VALUE_OUT_OF_RANGE"], body


def test_a_scalar_refusing_its_literal_is_the_callers_error_not_an_internal_one(client, alpha):
    """A JSONString argument that is not JSON (or any scalar's literal refused before execution)."""
    _, token = make_client(alpha.schema_name, ["reports:write"])
    for literal in ('"not json"', '"{\\"a\\": }"', '""'):
        query = f"mutation {{ saveReportDraft(campaignId: 1, values: {literal}) {{ errors {{ code }} }} }}"
        status, body = graphql(client, alpha.host, query, **bearer(token))
        assert status == 400 and _codes(body) == ["GRAPHQL_VALIDATION_FAILED"], (literal, body)
    status, body = graphql(client, alpha.host, "mutation ($v: JSONString!) { saveReportDraft(campaignId: 1, "
                           "values: $v) { errors { code } } }", {"v": "{broken"}, **bearer(token))
    assert status in (200, 400) and "INTERNAL_ERROR" not in _codes(body), body
