"""The monthly summary through the tenant API gives the same figures as the service."""

from tests.conftest import graphql, login
from tests.test_services.test_statistics import (  # noqa: F401  (the fixture with the fixed data set)
    EXPECTED_KINDS,
    EXPECTED_RESULTS,
    EXPECTED_SCALARS,
    EXPECTED_SECTIONS,
    march,
)

QUERY = """query ($from: Date!, $to: Date!) { appealStatistics(dateFrom: $from, dateTo: $to) {
  appeals repeated collective underControl informationRequests platformMessages questions consideredOnSite
  consideredLate underConsideration personalReceptions unclearNotices unclearNoticesLate awaitingClarification
  byKind { code label count } byResult { code count } bySection { code title questions }
} }"""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def test_statistics_query_matches_the_fixed_data_set(client, alpha, march):  # noqa: F811
    login(client, alpha.host, alpha.admin_email)
    status, body = graphql(client, alpha.host, QUERY, {"from": "2026-03-01", "to": "2026-03-31"})
    assert "errors" not in body, body
    result = body["data"]["appealStatistics"]
    assert {key: result[_camel(key)] for key in EXPECTED_SCALARS} == EXPECTED_SCALARS
    assert {row["code"].lower(): row["count"] for row in result["byKind"]} == EXPECTED_KINDS
    assert {row["code"].lower(): row["count"] for row in result["byResult"]} == EXPECTED_RESULTS
    assert {row["code"]: row["questions"] for row in result["bySection"]} == EXPECTED_SECTIONS


def test_statistics_need_staff_and_a_sane_period(client, alpha):
    short = "query ($from: Date!, $to: Date!) { appealStatistics(dateFrom: $from, dateTo: $to) { appeals } }"
    status, body = graphql(client, alpha.host, short, {"from": "2026-03-01", "to": "2026-03-31"})
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    login(client, alpha.host, alpha.admin_email)
    status, body = graphql(client, alpha.host, short, {"from": "2026-03-31", "to": "2026-03-01"})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_PERIOD"
