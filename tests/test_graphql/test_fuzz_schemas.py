"""Fuzzing of every argument of both GraphQL schemas (hypothesis-graphql): whatever a caller sends,
the answer is never a 5xx and never INTERNAL_ERROR.

Queries and mutations are generated from the live schemas, with hostile values for every scalar
(huge and negative numbers, NUL and control characters, dates from year 1 to 9999 with extreme UTC
offsets, malformed and out-of-range IDs and cursors), and sent over HTTP as an API client holding
every scope. Each test stops after ``FUZZ_SECONDS`` (the four together stay within a minute)."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from graphql_relay import to_global_id
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, queries

import graphql as graphql_core
from gorodok_graphql.region_schema import schema as region_schema
from gorodok_graphql.tenant_schema import schema as tenant_schema
from tests.support.api_clients import bearer, make_client
from tests.support.appeals import receive, register

pytestmark = pytest.mark.fuzz

FUZZ_SECONDS = 10
TENANT_SCOPES = ["appeals:read", "appeals:write", "appeals:personal_data", "webhooks"]

_moments = st.one_of(
    st.datetimes(timezones=st.sampled_from([None])).map(lambda moment: moment.isoformat()),
    st.builds(lambda moment, hours: moment.isoformat() + f"{'+' if hours >= 0 else '-'}{abs(hours):02d}:00",
              st.datetimes(), st.integers(-14, 14)),
    st.sampled_from(["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2026-13-01T00:00:00Z", "now", ""]),
    st.text(max_size=30),
)
_dates = st.one_of(st.dates().map(lambda day: day.isoformat()),
                   st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", ""]), st.text(max_size=12))


def _string(values: st.SearchStrategy[str]) -> st.SearchStrategy[graphql_core.StringValueNode]:
    return values.map(lambda value: graphql_core.StringValueNode(value=value))


CUSTOM_SCALARS = {
    "DateTime": _string(_moments),
    "Date": _string(_dates),
    "UUID": _string(st.one_of(st.uuids().map(str), st.text(max_size=40))),
    # Money, areas and lengths: any decimal, and what is not a finite one.
    "Decimal": _string(st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(["NaN", "-Infinity", "1e400", "-0", "0.0001", "99999999999999999999.99", ""]),
        st.text(max_size=20))),
    # JSON text, well formed or not (a report's values travel as one).
    "JSONString": _string(st.one_of(
        st.dictionaries(st.text(max_size=12), st.one_of(st.integers(), st.text(max_size=20), st.none()),
                        max_size=4).map(json.dumps),
        st.text(max_size=40))),
}


def _hostile_ids(names: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(to_global_id, st.sampled_from(names), st.integers(-(2**70), 2**70)),
        st.builds(to_global_id, st.sampled_from(names), st.text(max_size=12)),
        st.sampled_from(["", "x", "YXJyYXljb25uZWN0aW9uOi01", "a2V5c2V0OlsiOTk5OS0xMi0zMVQyMzo1OTo1OS0xNDowMCIsMV0="]),
        st.text(max_size=40),
    )


def _run(client, host: str, query: str, headers: dict) -> None:
    response = client.post("/graphql/", data=json.dumps({"query": query}), content_type="application/json",
                           HTTP_HOST=host, **headers)
    assert response.status_code < 500, (query, response.status_code, response.content[:500])
    body = response.json()
    internal = [error for error in body.get("errors", ())
                if (error.get("extensions") or {}).get("code") == "INTERNAL_ERROR"]
    assert not internal, (query, internal)


class _TimeUp(Exception):
    """Raised to end a fuzzing run once its time is spent."""


def _fuzz(client, host: str, schema, strategy_factory, headers: dict, ids: list[str]) -> None:
    deadline = time.monotonic() + FUZZ_SECONDS
    strategy = strategy_factory(schema.graphql_schema, custom_scalars={**CUSTOM_SCALARS,
                                                                       "ID": _string(_hostile_ids(ids))})

    sent = []

    # No shrinking: a failure is reported with the query as generated (the time limit would cut a
    # shrink short anyway).
    @settings(max_examples=100_000, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(query=strategy)
    def check(query: str) -> None:
        if time.monotonic() > deadline:
            raise _TimeUp
        _run(client, host, query, headers)
        sent.append(query)

    with contextlib.suppress(_TimeUp):
        check()
    print(f"{host}: {len(sent)} requests")
    assert len(sent) >= 20, "the fuzzing sent too few requests to mean anything"


@pytest.fixture
def fuzz_settings(settings):
    settings.GRAPHQL_TIME_BUDGET_SECONDS = 10_000
    settings.APPEAL_STATUS_LOOKUP_ATTEMPTS = 10**9
    return settings


@pytest.fixture
def tenant_caller(alpha, fuzz_settings):
    appeal = receive(alpha)
    register(alpha, appeal)
    _, token = make_client(alpha.schema_name, TENANT_SCOPES, rate_limit_per_minute=100_000)
    return bearer(token)


@pytest.fixture
def region_caller(db, fuzz_settings):
    _, token = make_client("public", ["region:read", "webhooks"], rate_limit_per_minute=100_000)
    return bearer(token)


TENANT_TYPES = ["Appeal", "Department", "ApiClient", "WebhookSubscription", "RegionMunicipality", "Nope"]
REGION_TYPES = ["RegionMunicipality", "ApiClient", "WebhookSubscription", "Appeal", "Nope"]


def test_fuzz_tenant_queries(client, alpha, tenant_caller):
    _fuzz(client, alpha.host, tenant_schema, queries, tenant_caller, TENANT_TYPES)


def test_fuzz_tenant_mutations(client, alpha, tenant_caller):
    _fuzz(client, alpha.host, tenant_schema, mutations, tenant_caller, TENANT_TYPES)


def test_fuzz_region_queries(client, region_host, region_caller):
    _fuzz(client, region_host, region_schema, queries, region_caller, REGION_TYPES)


def test_fuzz_region_mutations(client, region_host, region_caller):
    _fuzz(client, region_host, region_schema, mutations, region_caller, REGION_TYPES)
