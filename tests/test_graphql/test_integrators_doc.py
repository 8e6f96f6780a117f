"""docs/integrators.md says what the server does: token refusal reasons, and the cost limits as a
caller sees them."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from gorodok_graphql.appeals.statistics import STATISTICS_BASE_COST
from gorodok_graphql.core.limits import SCHEMA_COST, TYPE_COST
from gorodok_platform.integrations.auth import InvalidToken
from tests.support.api_clients import LIST, assert_refused, make_client, post

DOC = (Path(__file__).resolve().parents[2] / "docs" / "integrators.md").read_text()


def _reason_rows() -> dict[str, str]:
    section = DOC.split("### When a token is refused", 1)[1].split("## 2.", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", section, flags=re.M)
    return {reason: text for reason, text in rows if reason != "reason"}


def test_the_documented_refusal_reasons_are_the_servers():
    assert set(_reason_rows()) == set(InvalidToken.REASONS)


def test_a_municipalitys_token_on_another_host_is_unknown_as_documented(client, alpha, beta, region_host):
    rows = _reason_rows()
    assert "another municipality's host" in rows["unknown"] and "region host" in rows["unknown"]
    assert "municipality's" not in rows["not_for_this_host"].replace("a municipality it does not name", "")
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    assert_refused(post(client, beta.host, LIST, token), "unknown")
    assert_refused(post(client, region_host, "{ municipalities(first: 1) { totalCount } }", token), "unknown")
    _, regional = make_client("public", ["appeals:read"], municipalities=[alpha.schema_name])
    assert_refused(post(client, beta.host, LIST, regional), "not_for_this_host")


def test_the_documented_cost_limits_are_the_servers():
    limits = DOC.split("## 5. Limits", 1)[1].split("## 6.", 1)[0]
    assert f"Query cost | {settings.GRAPHQL_MAX_COMPLEXITY:,} points" in limits
    assert f"`__schema` costs **{SCHEMA_COST:,}**" in limits and f"`__type` {TYPE_COST}" in limits
    assert f"**{STATISTICS_BASE_COST:,} + one point per day**" in limits
    assert f"{int(settings.GRAPHQL_TIME_BUDGET_SECONDS)} seconds of GraphQL work per minute" in limits
    assert settings.GRAPHQL_TIME_BUDGET_WINDOW_SECONDS == 60
