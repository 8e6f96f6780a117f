"""The API's limits: requests per client and minute, body size, depth, complexity, page size and the
introspection policy. Each refusal is a documented code, never a 500."""

from __future__ import annotations

import json

from django.test import RequestFactory
from django_tenants.utils import schema_context

from gorodok_graphql.core.views import GorodokGraphQLView
from graphql import get_introspection_query
from tests.conftest import graphql, login
from tests.support.api_clients import bearer, make_client, post

INTROSPECTION = "{ __schema { queryType { name } } }"


def test_rate_limit_answers_429_with_retry_after(client, alpha):
    created, token = make_client(alpha.schema_name, ["appeals:read"], rate_limit_per_minute=2)
    for _ in range(2):
        assert post(client, alpha.host, "{ municipality { slug } }", token).status_code == 200
    response = post(client, alpha.host, "{ municipality { slug } }", token)
    assert response.status_code == 429, response.content
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": retry_after}
    # Another client of the same municipality has its own allowance.
    _, other = make_client(alpha.schema_name, ["appeals:read"])
    assert post(client, alpha.host, "{ municipality { slug } }", other).status_code == 200


def test_a_regional_client_has_one_allowance_across_hosts(client, alpha, beta, region_host):
    _, token = make_client("public", ["appeals:read"], municipalities=[alpha.schema_name, beta.schema_name],
                           rate_limit_per_minute=3)
    assert post(client, alpha.host, "{ municipality { slug } }", token).status_code == 200
    assert post(client, beta.host, "{ municipality { slug } }", token).status_code == 200
    assert post(client, region_host, "{ viewer { email } }", token).status_code == 200
    assert post(client, alpha.host, "{ municipality { slug } }", token).status_code == 429


def test_a_lowered_limit_applies_at_once(client, alpha):
    created, token = make_client(alpha.schema_name, ["appeals:read"])
    assert post(client, alpha.host, "{ municipality { slug } }", token).status_code == 200
    with schema_context(alpha.schema_name):
        created.rate_limit_per_minute = 1  # as the console saves it
        created.save(update_fields=["rate_limit_per_minute"])
    assert post(client, alpha.host, "{ municipality { slug } }", token).status_code == 429


def test_a_body_over_the_limit_is_413(client, alpha, settings):
    settings.GRAPHQL_MAX_BODY_BYTES = 1000
    query = "{ municipality { slug } }" + " " * 2000
    response = client.post("/graphql/", data=json.dumps({"query": query}), content_type="application/json",
                           HTTP_HOST=alpha.host)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {"code": "BODY_TOO_LARGE", "maxBytes": 1000}
    response = client.get("/graphql/", {"query": query}, HTTP_HOST=alpha.host, HTTP_ACCEPT="application/json")
    assert response.status_code == 413
    # Just under the limit still works.
    status, body = graphql(client, alpha.host, "{ municipality { slug } }")
    assert status == 200 and body["data"]["municipality"]["slug"] == "alpha"


def test_a_body_without_a_length_is_bounded_too(alpha, settings):
    settings.GRAPHQL_MAX_BODY_BYTES = 100
    request = RequestFactory().post("/graphql/", data=json.dumps({"query": "{ municipality { slug } }" + " " * 500}),
                                    content_type="application/json")
    del request.META["CONTENT_LENGTH"]  # as with a chunked body
    response = GorodokGraphQLView._refuse_large_body(request)
    assert response is not None and response.status_code == 413
    small = RequestFactory().post("/graphql/", data=json.dumps({"query": "{ a }"}), content_type="application/json")
    del small.META["CONTENT_LENGTH"]
    assert GorodokGraphQLView._refuse_large_body(small) is None
    assert json.loads(small.body) == {"query": "{ a }"}


def test_complexity_limit(client, alpha, settings):
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    settings.GRAPHQL_MAX_COMPLEXITY = 300
    small = "query ($n: Int) { appeals(first: $n) { edges { node { id subject status } } } }"
    status, body = graphql(client, alpha.host, small, {"n": 10}, **bearer(token))
    assert status == 200 and "errors" not in body, body
    status, body = graphql(client, alpha.host, small, {"n": 100}, **bearer(token))
    assert status == 400, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["maxComplexity"] == 300 and error["extensions"]["complexity"] > 300
    # A connection asked without `first` counts as a full page.
    status, body = graphql(client, alpha.host, "{ appeals { edges { node { id subject status } } } }", **bearer(token))
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    # Fragments count as well, and repeated ones do not escape.
    fragments = """query { a: appeals(first: 50) { ...page } b: appeals(first: 50) { ...page } }
      fragment page on AppealConnection { edges { node { ...fields } } }
      fragment fields on Appeal { id subject status }"""
    status, body = graphql(client, alpha.host, fragments, **bearer(token))
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def test_the_default_complexity_admits_every_appeal_field_on_a_full_page(client, alpha):
    from tests.support.appeals import APPEAL_FIELDS

    _, token = make_client(alpha.schema_name, ["appeals:read", "appeals:personal_data"])
    query = "{ appeals(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { " \
            + APPEAL_FIELDS + " } } } }"
    status, body = graphql(client, alpha.host, query, **bearer(token))
    assert status == 200 and "errors" not in body, body


def test_cyclic_and_unknown_fragments_are_400_not_500(client, alpha):
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    for query in ("query { appeals { ...a } } fragment a on AppealConnection { ...b } "
                  "fragment b on AppealConnection { ...a }",
                  "query { appeals { ...missing } }",
                  "query { appeals(first: 10) { edges { node { noSuchField { deeper } } } } }"):
        status, body = graphql(client, alpha.host, query, **bearer(token))
        assert status == 400, (query, body)


def test_depth_limit_has_a_code(client, alpha, settings):
    settings.GRAPHQL_MAX_DEPTH = 3
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    status, body = graphql(client, alpha.host, "{ appeals { edges { node { department { name } } } } }",
                           **bearer(token))
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


def test_page_size_cap_applies_to_clients(client, alpha):
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    status, body = graphql(client, alpha.host, "{ appeals(first: 101) { totalCount } }", **bearer(token))
    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED"


def test_introspection_is_refused_to_anonymous_requests(client, alpha, region_host):
    for host in (alpha.host, region_host):
        status, body = graphql(client, host, INTROSPECTION)
        assert status == 400, body
        assert body["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
        status, body = graphql(client, host, '{ __type(name: "Query") { name } }')
        assert status == 400 and body["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    status, body = graphql(client, alpha.host, "{ __typename }")
    assert status == 200 and body["data"] == {"__typename": "Query"}


def test_introspection_for_clients_staff_and_where_public(client, alpha, settings):
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    # The full query code generators send passes the depth and complexity limits.
    status, body = graphql(client, alpha.host, get_introspection_query(descriptions=True), **bearer(token))
    assert status == 200 and "errors" not in body, body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    login(client, alpha.host, alpha.admin_email)
    status, body = graphql(client, alpha.host, INTROSPECTION)
    assert status == 200 and "errors" not in body, body
    client.logout()
    settings.GRAPHQL_PUBLIC_INTROSPECTION = True
    status, body = graphql(client, alpha.host, INTROSPECTION)
    assert status == 200 and "errors" not in body, body



def test_repeated_fragment_spreads_are_measured_once(client, alpha):
    """Fragments spreading the next one twice, thirty deep: 2**30 paths, measured in thirty steps."""
    fragments = "".join(f"fragment f{i} on Query {{ ...f{i + 1} ...f{i + 1} }}\n" for i in range(30))
    query = "query { ...f0 }\n" + fragments + "fragment f30 on Query { municipality { name } }"
    status, body = graphql(client, alpha.host, query)
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
