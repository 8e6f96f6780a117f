"""Query cost counts every resolved field, aliases included; statistics and introspection weigh what
they cost; each caller has a time budget; and the worst query the limits accept stays fast.

The last test is benchmark-style: it builds the most expensive queries the cost limit still accepts
(as many ten-year statistics, schema walks or full pages of appeals as fit), runs them against a
municipality with a few hundred appeals, and asserts each answers within WORST_ACCEPTED_SECONDS (the
figure docs/integrators.md states)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from gorodok_graphql.appeals.statistics import statistics_cost
from gorodok_graphql.core.limits import SCHEMA_COST
from tests.conftest import graphql
from tests.support.api_clients import bearer, make_client
from tests.test_graphql.test_appeals_list import LIST_WITH_EVERYTHING, _bulk_appeals

WORST_ACCEPTED_SECONDS = 2.0
STATS_FIELDS = ("appeals repeated collective questions underConsideration byForm { code label count } "
                "byChannel { code count } byKind { code count } byResult { code count } "
                "bySection { code title questions } byTheme { code title questions }")
SCHEMA_WALK = "__schema { types { name kind fields { name args { name } type { name kind ofType { name } } } } }"


def _statistics(count: int, start="2016-01-01", end="2025-12-31") -> str:
    return "{" + " ".join(f'a{n}: appealStatistics(dateFrom: "{start}", dateTo: "{end}") {{ {STATS_FIELDS} }}'
                          for n in range(count)) + "}"


def _schema_walks(count: int) -> str:
    return "{" + " ".join(f"s{n}: {SCHEMA_WALK}" for n in range(count)) + "}"


def _codes(body) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", ())]


@pytest.fixture
def reader(alpha):
    return make_client(alpha.schema_name, ["appeals:read"])[1]


def test_a_hundred_aliased_ten_year_statistics_are_refused(client, alpha, reader):
    status, body = graphql(client, alpha.host, _statistics(100), **bearer(reader))
    assert status == 400 and _codes(body) == ["QUERY_TOO_COMPLEX"], body
    assert body["errors"][0]["extensions"]["complexity"] > 100 * 4000


def test_statistics_weigh_by_their_period_also_through_variables(client, alpha, reader):
    query = """query ($from: Date!, $to: Date!) { a: appealStatistics(dateFrom: $from, dateTo: $to) { appeals }
      b: appealStatistics(dateFrom: $from, dateTo: $to) { appeals } c: appealStatistics(dateFrom: $from, dateTo: $to) {
      appeals } }"""
    status, body = graphql(client, alpha.host, query, {"from": "2016-01-01", "to": "2025-12-31"}, **bearer(reader))
    assert _codes(body) == ["QUERY_TOO_COMPLEX"], body
    status, body = graphql(client, alpha.host, query, {"from": "2025-01-01", "to": "2025-01-31"}, **bearer(reader))
    assert "errors" not in body, body


def test_aliased_schema_walks_are_refused_and_one_introspection_is_not(client, alpha, reader):
    status, body = graphql(client, alpha.host, _schema_walks(30), **bearer(reader))
    assert status == 400 and _codes(body) == ["QUERY_TOO_COMPLEX"], body
    from graphql import get_introspection_query

    status, body = graphql(client, alpha.host, get_introspection_query(descriptions=True), **bearer(reader))
    assert status == 200 and "errors" not in body and body["data"]["__schema"]["types"]


def test_each_caller_has_a_time_budget(client, alpha, reader, settings):
    settings.GRAPHQL_TIME_BUDGET_SECONDS = 0.001
    query = "{ appeals(first: 1) { totalCount } }"
    status, body = graphql(client, alpha.host, query, **bearer(reader))
    assert status == 200, body
    response = client.post("/graphql/", data='{"query": "{ appeals(first: 1) { totalCount } }"}',
                           content_type="application/json", HTTP_HOST=alpha.host, **bearer(reader))
    assert response.status_code == 429, response.content
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "TIME_BUDGET_EXCEEDED" and error["extensions"]["retryAfter"] >= 1
    assert int(response["Retry-After"]) >= 1
    # Another client's budget is its own.
    _, other = make_client(alpha.schema_name, ["appeals:read"])
    status, body = graphql(client, alpha.host, query, **bearer(other))
    assert status == 200, body


def test_the_worst_accepted_queries_answer_within_the_stated_time(client, alpha, reader):
    _bulk_appeals(alpha, 300)
    limit = settings.GRAPHQL_MAX_COMPLEXITY
    most_statistics = limit // (statistics_cost(lambda name: {"dateFrom": "2016-01-01",
                                                              "dateTo": "2025-12-31"}[name]) + 40)
    most_walks = limit // (SCHEMA_COST + 10)
    worst = {
        "ten-year statistics": _statistics(most_statistics),
        "one-month statistics": _statistics(limit // 1100, "2025-01-01", "2025-01-31"),
        "schema walks": _schema_walks(most_walks),
        "full page of appeals": LIST_WITH_EVERYTHING.replace("query ($first: Int) ", "").replace("$first", "100"),
    }
    timings = {}
    for name, query in worst.items():
        started = time.perf_counter()
        status, body = graphql(client, alpha.host, query, **bearer(reader))
        timings[name] = time.perf_counter() - started
        assert status == 200 and "errors" not in body, (name, body)
        # One more alias of the same field is refused: this is the worst the limit accepts.
    assert _codes(graphql(client, alpha.host, _statistics(most_statistics + 1), **bearer(reader))[1]) == [
        "QUERY_TOO_COMPLEX"]
    assert _codes(graphql(client, alpha.host, _schema_walks(most_walks + 1), **bearer(reader))[1]) == [
        "QUERY_TOO_COMPLEX"]
    print({name: round(seconds, 3) for name, seconds in timings.items()})
    assert max(timings.values()) < WORST_ACCEPTED_SECONDS, timings
