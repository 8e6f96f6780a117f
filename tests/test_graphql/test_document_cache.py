"""Documents sent again are neither parsed nor validated again, yet every check that depends on the
request still runs on every request: the cost (variables, weights, the limit in force), the
introspection policy (who calls), the depth limit in force; a refused document is never kept."""

from __future__ import annotations

import pytest

from gorodok_graphql.core.documents import documents
from tests.conftest import graphql
from tests.support.api_clients import bearer, make_client

PAGE = "query Page($first: Int) { appeals(first: $first) { totalCount edges { node { id subject } } } }"
TYPE = '{ __type(name: "Query") { name } }'


@pytest.fixture(autouse=True)
def _empty_document_cache():
    documents.clear()
    yield
    documents.clear()


@pytest.fixture
def reader(alpha):
    return make_client(alpha.schema_name, ["appeals:read"])[1]


def _codes(body) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", ())]


def test_a_document_sent_again_comes_from_the_cache(client, alpha, reader):
    for _ in range(3):
        status, body = graphql(client, alpha.host, PAGE, {"first": 2}, **bearer(reader))
        assert status == 200 and "errors" not in body, body
    assert len(documents) == 1
    assert documents.hits >= 2


def test_the_cost_is_judged_on_every_request_with_its_own_variables(client, alpha, reader, settings):
    settings.GRAPHQL_MAX_COMPLEXITY = 40
    status, body = graphql(client, alpha.host, PAGE, {"first": 5}, **bearer(reader))
    assert status == 200 and "errors" not in body, body
    assert len(documents) == 1
    status, body = graphql(client, alpha.host, PAGE, {"first": 50}, **bearer(reader))
    assert status == 400 and _codes(body) == ["QUERY_TOO_COMPLEX"], body
    assert documents.hits == 1  # refused by the cost rule although the document came from the cache
    settings.GRAPHQL_MAX_COMPLEXITY = 10
    status, body = graphql(client, alpha.host, PAGE, {"first": 5}, **bearer(reader))
    assert status == 400 and _codes(body) == ["QUERY_TOO_COMPLEX"], body  # the limit in force, not the old one


def test_introspection_accepted_for_a_client_is_still_refused_to_an_anonymous_caller(client, alpha, reader):
    status, body = graphql(client, alpha.host, TYPE, **bearer(reader))
    assert status == 200 and body["data"]["__type"]["name"] == "Query", body
    assert len(documents) == 1
    status, body = graphql(client, alpha.host, TYPE)
    assert status == 400 and _codes(body) == ["INTROSPECTION_DISABLED"], body
    status, body = graphql(client, alpha.host, TYPE, **bearer(reader))
    assert status == 200 and "errors" not in body, body


def test_the_depth_limit_in_force_applies_to_a_cached_document(client, alpha, reader, settings):
    status, body = graphql(client, alpha.host, PAGE, {"first": 1}, **bearer(reader))
    assert status == 200 and "errors" not in body, body
    settings.GRAPHQL_MAX_DEPTH = 2
    status, body = graphql(client, alpha.host, PAGE, {"first": 1}, **bearer(reader))
    assert status == 400 and _codes(body) == ["QUERY_TOO_DEEP"], body


def test_refused_documents_are_not_kept_and_answer_the_same_each_time(client, alpha, reader):
    for query, code in (("{ appeals(first: 1) { nope } }", "GRAPHQL_VALIDATION_FAILED"),
                        ("{ appeals(first: 1) { ", "GRAPHQL_PARSE_FAILED")):
        answers = [graphql(client, alpha.host, query, **bearer(reader)) for _ in range(2)]
        assert answers[0] == answers[1]
        status, body = answers[0]
        assert status == 400 and _codes(body) == [code], body
    assert len(documents) == 0


def test_the_cache_is_bounded(client, alpha, reader, settings):
    settings.GRAPHQL_DOCUMENT_CACHE_SIZE = 2
    for first in range(1, 5):
        status, body = graphql(client, alpha.host, f"{{ appeals(first: {first}) {{ totalCount }} }}", **bearer(reader))
        assert status == 200 and "errors" not in body, body
    assert len(documents) == 2
    settings.GRAPHQL_DOCUMENT_CACHE_SIZE = 0
    documents.clear()
    graphql(client, alpha.host, "{ appeals(first: 1) { totalCount } }", **bearer(reader))
    assert len(documents) == 0
