"""Any body sent to /graphql/ or to Open311 gets a clean 4xx in the project's error shape, never a 500."""

from __future__ import annotations

import pytest

from tests.support.api_clients import make_client

DEEP = b"[" * (97 * 1024)
HOSTILE_BODIES = [
    ("application/json", DEEP),
    ("application/json", b'{"query": "{ __typename }", "variables": ' + b"[" * 50_000 + b"}"),
    ("application/json", b"\xff\xfe\xfa not utf-8"),
    ("application/json", b"[1, 2, 3]"),
    ("application/json", b'"just a string"'),
    ("application/json", b'{"query": 5}'),
    ("application/json", b'{"query": ["{ __typename }"]}'),
    ("application/json", b'{"query": "{ __typename }", "variables": [1]}'),
    ("application/json", b'{"query": "{ __typename }", "variables": "[[[[["}'),
    ("application/json", b'{"query": "{ __typename }", "operationName": {"a": 1}}'),
    ("application/json", b"{}"),
    ("application/graphql", b"\xff\xfe{ __typename }"),
    ("application/graphql", b"{" * (60 * 1024)),
    ("application/graphql", b"query { a" + b"(x: [" * 20_000 + b"}"),
]


def _assert_clean_refusal(response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    error = response.json()["errors"][0]
    assert error["message"]
    assert error["extensions"]["code"], error


@pytest.mark.parametrize(("content_type", "body"), HOSTILE_BODIES,
                         ids=[f"{i}-{ct}" for i, (ct, _) in enumerate(HOSTILE_BODIES)])
def test_graphql_refuses_hostile_bodies_cleanly(client, alpha, region_host, content_type, body):
    for host in (alpha.host, region_host):
        response = client.generic("POST", "/graphql/", body, content_type=content_type, HTTP_HOST=host)
        _assert_clean_refusal(response)


def test_graphql_refuses_a_deep_get_query_cleanly(client, alpha):
    response = client.get("/graphql/", {"query": "{" * 30_000}, HTTP_HOST=alpha.host)
    _assert_clean_refusal(response)


def test_open311_refuses_a_deeply_nested_json_body_cleanly(client, alpha):
    _, token = make_client(alpha.schema_name, ["appeals:write"])
    for body in (DEEP, b"{" + b'"a":' * 30_000 + b"1" + b"}" * 30_000, b"\xff\xfe"):
        response = client.generic("POST", f"/open311/v2/requests.json?api_key={token}", body,
                                  content_type="application/json", HTTP_HOST=alpha.host)
        assert response.status_code == 400, response.content[:300]
        assert response.json()[0]["code"] == 400
