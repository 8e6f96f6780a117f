"""Managing API clients: the GraphQL mutations and query for administrators of both APIs, and the
regional console and municipal back office. The token is shown once; clients never manage clients."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.accounts.roles import Role
from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.integrations.models import ApiClient
from tests.conftest import graphql, login
from tests.support.api_clients import assert_refused, bearer, make_client, post
from tests.support.appeals import staff

CREATE = """mutation ($name: String!, $scopes: [ApiScope!]!, $expiresAt: DateTime) {
  createApiClient(name: $name, scopes: $scopes, expiresAt: $expiresAt) {
    token apiClient { id name keyId scopes municipalities expiresAt isActive } errors { field code message } } }"""
CREATE_REGIONAL = """mutation ($name: String!, $scopes: [ApiScope!]!, $municipalities: [String!]) {
  createApiClient(name: $name, scopes: $scopes, municipalities: $municipalities) {
    token apiClient { id scopes municipalities } errors { field code message } } }"""
ROTATE = "mutation ($id: ID!) { rotateApiClient(id: $id) { token apiClient { id } errors { field code } } }"
REVOKE = "mutation ($id: ID!) { revokeApiClient(id: $id) { apiClient { revokedAt isActive } errors { field code } } }"
LIST = "{ apiClients(first: 20) { totalCount edges { node { id name keyId scopes lastUsedAt revokedAt } } } }"
APPEALS = "{ appeals(first: 1) { totalCount } }"


def _create(client, host, **variables):
    status, body = graphql(client, host, CREATE, {"name": "Сайт города", "scopes": ["APPEALS_READ"], **variables})
    assert status == 200, body
    return body


def test_a_municipal_admin_creates_rotates_and_revokes_a_client(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    expires = (timezone.now() + timedelta(days=90)).isoformat()
    payload = _create(client, alpha.host, expiresAt=expires)["data"]["createApiClient"]
    assert payload["errors"] == []
    token, created = payload["token"], payload["apiClient"]
    assert token.startswith(f"gk_{created['keyId']}_")
    assert created["scopes"] == ["APPEALS_READ"] and created["municipalities"] == [] and created["isActive"]
    # The token works, for the client alone; the session plays no part in it.
    assert post(client, alpha.host, APPEALS, token).status_code == 200
    # The list never shows a token again.
    status, body = graphql(client, alpha.host, LIST)
    assert status == 200 and body["data"]["apiClients"]["totalCount"] == 1, body
    assert token.split("_", 2)[2] not in str(body)
    status, body = graphql(client, alpha.host, "{ apiClients(first: 1) { edges { node { token } } } }")
    assert status == 400
    # Rotation: a new token, the old one stops working.
    status, body = graphql(client, alpha.host, ROTATE, {"id": created["id"]})
    rotated = body["data"]["rotateApiClient"]
    assert rotated["errors"] == [] and rotated["token"] != token
    assert_refused(post(client, alpha.host, APPEALS, token), "unknown")
    assert post(client, alpha.host, APPEALS, rotated["token"]).status_code == 200
    # Revocation: for good.
    status, body = graphql(client, alpha.host, REVOKE, {"id": created["id"]})
    assert body["data"]["revokeApiClient"]["errors"] == []
    assert body["data"]["revokeApiClient"]["apiClient"]["isActive"] is False
    assert_refused(post(client, alpha.host, APPEALS, rotated["token"]), "revoked")
    status, body = graphql(client, alpha.host, REVOKE, {"id": created["id"]})
    assert body["data"]["revokeApiClient"]["errors"] == [{"field": None, "code": "ALREADY_REVOKED"}]
    status, body = graphql(client, alpha.host, ROTATE, {"id": created["id"]})
    assert body["data"]["rotateApiClient"]["errors"] == [{"field": None, "code": "REVOKED"}]
    assert body["data"]["rotateApiClient"]["token"] is None
    status, body = graphql(client, alpha.host, LIST)
    assert body["data"]["apiClients"]["totalCount"] == 0
    with schema_context(alpha.schema_name):
        actions = list(AuditEntry.objects.filter(action__startswith="api_client.").order_by("pk")
                       .values_list("action", "actor_email"))
    assert actions == [("api_client.create", alpha.admin_email), ("api_client.rotate", alpha.admin_email),
                       ("api_client.revoke", alpha.admin_email)]


@pytest.mark.parametrize(("variables", "field", "code"), [
    ({"scopes": []}, "scopes", "REQUIRED"),
    ({"scopes": ["REGION_READ"]}, "scopes", "INVALID_SCOPE"),
    ({"name": "  "}, "name", "REQUIRED"),
    ({"name": "x" * 201}, "name", "MAX_LENGTH"),
    ({"name": "a\x00b"}, "name", "INVALID"),
    ({"expiresAt": "2020-01-01T00:00:00+00:00"}, "expiresAt", "INVALID_EXPIRY"),
])
def test_invalid_input_is_a_typed_error(client, alpha, variables, field, code):
    login(client, alpha.host, alpha.admin_email)
    payload = _create(client, alpha.host, **variables)["data"]["createApiClient"]
    assert payload["token"] is None and payload["apiClient"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    with schema_context(alpha.schema_name):
        assert not ApiClient.objects.exists()


def test_rate_limit_out_of_range_is_a_typed_error(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    query = ('mutation { createApiClient(name: "x", scopes: [APPEALS_READ], rateLimitPerMinute: 0) '
             "{ errors { field code } } }")
    status, body = graphql(client, alpha.host, query)
    assert body["data"]["createApiClient"]["errors"] == [{"field": "rateLimitPerMinute", "code": "INVALID"}]


def test_who_may_manage_clients(client, alpha):
    variables = {"name": "x", "scopes": ["APPEALS_READ"]}
    status, body = graphql(client, alpha.host, CREATE, variables)
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    status, body = graphql(client, alpha.host, LIST)
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    login(client, alpha.host, staff(alpha, "officer@alpha.example.ru", "appeals_officer"))
    status, body = graphql(client, alpha.host, CREATE, variables)
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    status, body = graphql(client, alpha.host, LIST)
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    client.logout()
    _, token = make_client(alpha.schema_name, ["appeals:read", "appeals:write", "appeals:personal_data", "webhooks"])
    for query in (CREATE, LIST):
        response = post(client, alpha.host, query, token, variables)
        assert response.status_code == 200
        assert response.json()["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    with schema_context(alpha.schema_name):
        assert ApiClient.objects.count() == 1


def test_another_municipality_client_cannot_be_touched(client, alpha, beta):
    foreign, foreign_token = make_client(beta.schema_name, ["appeals:read"])
    regional, regional_token = make_client("public", ["appeals:read"], municipalities=[alpha.schema_name])
    login(client, alpha.host, alpha.admin_email)
    # Alpha's schema holds no client, so these IDs name nothing there.
    for target in (foreign, regional):
        for mutation, name in ((ROTATE, "rotateApiClient"), (REVOKE, "revokeApiClient")):
            status, body = graphql(client, alpha.host, mutation, {"id": to_global_id("ApiClient", target.pk)})
            assert status == 200, body
            assert body["data"][name]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    status, body = graphql(client, alpha.host, LIST)
    assert body["data"]["apiClients"]["totalCount"] == 0
    client.logout()
    assert post(client, beta.host, APPEALS, foreign_token).status_code == 200
    assert post(client, alpha.host, APPEALS, regional_token).status_code == 200


def test_a_regional_admin_creates_a_client_for_named_municipalities(client, alpha, beta, regional_admin,
                                                                     region_host):
    login(client, region_host, regional_admin.email)
    status, body = graphql(client, region_host, CREATE_REGIONAL, {
        "name": "Хранилище данных", "scopes": ["APPEALS_READ", "REGION_READ"], "municipalities": ["alpha"]})
    payload = body["data"]["createApiClient"]
    assert payload["errors"] == [], payload
    assert payload["apiClient"]["municipalities"] == ["alpha"]
    token = payload["token"]
    client.logout()
    assert post(client, alpha.host, APPEALS, token).status_code == 200
    assert_refused(post(client, beta.host, APPEALS, token), "not_for_this_host")
    response = post(client, region_host, "{ municipalities(first: 5) { edges { node { schemaName } } } }", token)
    assert response.status_code == 200 and "errors" not in response.json()
    with schema_context("public"):
        stored = ApiClient.objects.get(key_id=token.split("_")[1])
    assert stored.municipalities == [alpha.schema_name] and stored.created_by == regional_admin.email


def test_regional_input_errors(client, alpha, regional_admin, region_host):
    login(client, region_host, regional_admin.email)
    status, body = graphql(client, region_host, CREATE_REGIONAL, {
        "name": "x", "scopes": ["APPEALS_READ"], "municipalities": ["alpha", "no-such-town"]})
    errors = body["data"]["createApiClient"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("municipalities", "UNKNOWN_MUNICIPALITY")]
    assert "no-such-town" in errors[0]["message"]
    with schema_context("public"):
        assert not ApiClient.objects.exists()


def test_regional_clients_are_listed_for_regional_admins_and_reachable_by_node(client, alpha, regional_admin,
                                                                               region_host):
    created, token = make_client("public", ["region:read"])
    node = "query ($id: ID!) { node(id: $id) { ... on ApiClient { name } } }"
    variables = {"id": to_global_id("ApiClient", created.pk)}
    status, body = graphql(client, region_host, node, variables)
    assert status == 200 and body["data"]["node"] is None
    response = post(client, region_host, node, token, variables)
    assert response.status_code == 200 and response.json()["data"]["node"] is None
    login(client, region_host, regional_admin.email)
    status, body = graphql(client, region_host, node, variables)
    assert body["data"]["node"] == {"name": created.name}
    status, body = graphql(client, region_host, LIST)
    assert body["data"]["apiClients"]["totalCount"] == 1


# --- the consoles ----------------------------------------------------------------------------------

def _token_on(page: str) -> str:
    match = re.search(r"gk_[0-9a-f]+_[A-Za-z0-9_\-]+", page)
    assert match, page[:2000]
    return match.group(0)


def test_back_office_creates_rotates_and_revokes(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    response = client.get("/admin/integrations/apiclient/add/", HTTP_HOST=alpha.host)
    assert response.status_code == 200
    assert "region:read" not in response.content.decode()
    response = client.post("/admin/integrations/apiclient/add/", {
        "name": "Портал", "scopes": ["appeals:read", "appeals:write"], "expires_at_0": "", "expires_at_1": "",
        "rate_limit_per_minute": "120"}, HTTP_HOST=alpha.host)
    assert response.status_code == 200, response.content[:500]
    assert "no-store" in response["Cache-Control"]
    token = _token_on(response.content.decode())
    assert post(client, alpha.host, APPEALS, token).status_code == 200
    with schema_context(alpha.schema_name):
        created = ApiClient.objects.get()
    assert created.scopes == ["appeals:read", "appeals:write"] and created.rate_limit_per_minute == 120
    assert token not in client.get(f"/admin/integrations/apiclient/{created.pk}/change/",
                                   HTTP_HOST=alpha.host).content.decode()
    response = client.post("/admin/integrations/apiclient/", {
        "action": "rotate", "_selected_action": [created.pk]}, HTTP_HOST=alpha.host)
    assert response.status_code == 200
    new_token = _token_on(response.content.decode())
    assert new_token != token
    assert post(client, alpha.host, APPEALS, token).status_code == 401
    response = client.post("/admin/integrations/apiclient/", {
        "action": "revoke", "_selected_action": [created.pk]}, HTTP_HOST=alpha.host)
    assert response.status_code == 302
    assert post(client, alpha.host, APPEALS, new_token).status_code == 401


def test_back_office_form_errors_are_shown_not_raised(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    response = client.post("/admin/integrations/apiclient/add/", {
        "name": "Портал", "scopes": ["appeals:read"], "expires_at_0": "2020-01-01", "expires_at_1": "00:00:00",
        "rate_limit_per_minute": "0"}, HTTP_HOST=alpha.host)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() >= {"expires_at", "rate_limit_per_minute"}
    with schema_context(alpha.schema_name):
        assert not ApiClient.objects.exists()


def test_back_office_is_for_municipal_admins(client, alpha):
    login(client, alpha.host, staff(alpha, "viewer@alpha.example.ru", Role.VIEWER))
    assert client.get("/admin/integrations/apiclient/", HTTP_HOST=alpha.host).status_code == 403


def test_region_console_creates_a_client_with_municipalities(client, alpha, beta, regional_admin, region_host):
    login(client, region_host, regional_admin.email)
    response = client.get("/admin/integrations/apiclient/add/", HTTP_HOST=region_host)
    assert response.status_code == 200
    assert alpha.schema_name in response.content.decode()
    response = client.post("/admin/integrations/apiclient/add/", {
        "name": "Хранилище", "scopes": ["appeals:read"], "municipalities": [beta.schema_name],
        "expires_at_0": "", "expires_at_1": "", "rate_limit_per_minute": "600"}, HTTP_HOST=region_host)
    assert response.status_code == 200, response.content[:500]
    token = _token_on(response.content.decode())
    client.logout()
    assert post(client, beta.host, APPEALS, token).status_code == 200
    assert post(client, alpha.host, APPEALS, token).status_code == 401
    login(client, region_host, regional_admin.email)
    response = client.get("/admin/integrations/apiclient/", HTTP_HOST=region_host)
    assert response.status_code == 200 and "Бета" in response.content.decode()


def test_token_works_on_graphql_only(client, alpha):
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    response = client.get("/admin/", HTTP_HOST=alpha.host, **bearer(token))
    assert response.status_code == 302  # the back office wants a signed-in person, whatever the header
