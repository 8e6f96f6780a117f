"""API clients through HTTP: which hosts a token works on, which tokens are refused, and what the
scopes let a client read and change. Every request's status is asserted: none may be a 500."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.integrations.models import ApiClient, hash_secret
from gorodok_platform.integrations.services import api_client_revoke, api_client_rotate
from gorodok_services.appeals.models import Appeal
from tests.conftest import graphql, login
from tests.support.api_clients import (  # noqa: F401  (LIST and friends are used below)
    ALL_APPEALS,
    LIST,
    RECEIVE,
    RECEIVE_INPUT,
    assert_refused,
    bearer,
    make_client,
    post,
)
from tests.support.appeals import gid, receive


def test_a_municipality_token_works_on_its_own_host_only(client, alpha, beta, region_host):
    receive(alpha, subject="Альфа")
    receive(beta, subject="Бета")
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    status, body = graphql(client, alpha.host, LIST, **bearer(token))
    assert status == 200, body
    assert [e["node"]["subject"] for e in body["data"]["appeals"]["edges"]] == ["Альфа"]
    assert_refused(post(client, beta.host, LIST, token), "unknown")
    assert_refused(post(client, region_host, "{ municipalities(first: 5) { totalCount } }", token), "unknown")


def test_a_regional_client_reaches_only_the_municipalities_it_names(client, alpha, beta, region_host):
    receive(alpha, subject="Альфа")
    receive(beta, subject="Бета")
    _, token = make_client("public", ["appeals:read"], municipalities=[alpha.schema_name])
    status, body = graphql(client, alpha.host, LIST, **bearer(token))
    assert status == 200, body
    assert [e["node"]["subject"] for e in body["data"]["appeals"]["edges"]] == ["Альфа"]
    assert_refused(post(client, beta.host, LIST, token), "not_for_this_host")
    status, body = graphql(client, region_host, "{ municipalities(first: 5) { totalCount } }", **bearer(token))
    assert status == 200 and body["data"]["municipalities"]["totalCount"] >= 2, body


def test_an_appeal_of_another_municipality_is_not_found_with_a_valid_token(client, alpha, beta):
    foreign = receive(beta)
    _, token = make_client("public", ["appeals:read"], municipalities=[alpha.schema_name, beta.schema_name])
    status, body = graphql(client, alpha.host, "query ($id: ID!) { appeal(id: $id) { subject } }",
                           {"id": gid(foreign)}, **bearer(token))
    assert status == 200 and body["data"]["appeal"] is None, body


def test_revoked_expired_rotated_and_unknown_tokens_are_refused(client, alpha):
    query = "{ appeals(first: 1) { totalCount } }"
    revoked, revoked_token = make_client(alpha.schema_name, ["appeals:read"])
    expiring, expiring_token = make_client(alpha.schema_name, ["appeals:read"],
                                           expires_at=timezone.now() + timedelta(days=1))
    rotated, old_token = make_client(alpha.schema_name, ["appeals:read"])
    for token in (revoked_token, expiring_token, old_token):
        assert post(client, alpha.host, query, token).status_code == 200
    with schema_context(alpha.schema_name):
        api_client_revoke(client=revoked)
        expiring.expires_at = timezone.now() - timedelta(seconds=1)
        expiring.save(update_fields=["expires_at"])
        new_token = api_client_rotate(client=rotated)
    assert_refused(post(client, alpha.host, query, revoked_token), "revoked")
    assert_refused(post(client, alpha.host, query, expiring_token), "expired")
    assert_refused(post(client, alpha.host, query, old_token), "unknown")
    assert post(client, alpha.host, query, new_token).status_code == 200
    key_id = new_token.split("_")[1]
    assert_refused(post(client, alpha.host, query, f"gk_{key_id}_{'x' * 43}"), "unknown")


@pytest.mark.parametrize("header", [
    "Bearer", "Bearer ", "Bearer abc", "Bearer gk_", "Bearer gk__", "Bearer gk_zz_" + "a" * 43,
    "Bearer gk_0123456789ab_" + "a" * 500, "Bearer gk_0123456789ab_short", "Bearer gk_0123456789ab_" + "я" * 43,
    "bearer gk_0123456789ab_" + "a" * 43, "Bearer  gk_0123456789ab_" + "a" * 43 + " extra",
])
def test_malformed_and_unknown_tokens_are_401_never_500(client, alpha, header):
    response = client.post("/graphql/", data=json.dumps({"query": "{ municipality { name } }"}),
                           content_type="application/json", HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401, (header, response.content)
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"


def test_other_authorization_schemes_are_ignored(client, alpha):
    response = post(client, alpha.host, "{ municipality { slug } }", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 200
    assert response.json()["data"]["municipality"]["slug"] == "alpha"


def test_a_token_never_mixes_with_a_session(client, alpha):
    receive(alpha)
    login(client, alpha.host, alpha.admin_email)  # the administrator sees personal data
    query = "{ viewer { email } appeals(first: 5) { edges { node { applicant { name } } } } }"
    status, body = graphql(client, alpha.host, query)
    assert body["data"]["viewer"]["email"] == alpha.admin_email
    assert body["data"]["appeals"]["edges"][0]["node"]["applicant"] is not None
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    response = post(client, alpha.host, query, token)
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["viewer"] is None
    assert data["appeals"]["edges"][0]["node"]["applicant"] is None
    # Staff-only actions stay closed to the request, whatever the session.
    response = post(client, alpha.host, "{ apiClients(first: 5) { totalCount } }", token)
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_without_appeals_read_the_list_is_refused_with_the_scope_named(client, alpha):
    _, token = make_client(alpha.schema_name, ["appeals:write"])
    for query in (LIST, "query ($id: ID!) { appeal(id: $id) { subject } }",
                  "{ appealDepartments(first: 5) { totalCount } }",
                  '{ appealStatistics(dateFrom: "2026-01-01", dateTo: "2026-01-31") { appeals } }'):
        response = post(client, alpha.host, query, token, {"id": gid(Appeal(pk=1))})
        assert response.status_code == 200, response.content
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "PERMISSION_DENIED", "requiredScope": "appeals:read"}, query


def test_without_appeals_write_changes_are_refused(client, alpha):
    appeal = receive(alpha)
    _, token = make_client(alpha.schema_name, ["appeals:read", "appeals:personal_data"])
    response = post(client, alpha.host, RECEIVE, token, RECEIVE_INPUT)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"]["receiveAppeal"] is None
    assert body["errors"][0]["extensions"] == {"code": "PERMISSION_DENIED", "requiredScope": "appeals:write"}
    response = post(client, alpha.host, "mutation ($id: ID!) { registerAppeal(id: $id) { errors { code } } }",
                    token, {"id": gid(appeal)})
    assert response.json()["errors"][0]["extensions"]["requiredScope"] == "appeals:write"
    with schema_context(alpha.schema_name):
        assert not Appeal.objects.filter(external_number="FP-1").exists()


def test_with_appeals_write_a_client_receives_appeals(client, alpha):
    _, token = make_client(alpha.schema_name, ["appeals:write"])
    response = post(client, alpha.host, RECEIVE, token, RECEIVE_INPUT)
    assert response.status_code == 200, response.content
    payload = response.json()["data"]["receiveAppeal"]
    assert payload["errors"] == [] and payload["created"] is True
    assert payload["appeal"] is None  # no appeals:read: the ID only, never the appeal's content
    with schema_context(alpha.schema_name):
        assert Appeal.objects.filter(external_number="FP-1").count() == 1


def test_personal_data_only_with_its_scope(client, alpha):
    appeal = receive(alpha)
    _, without = make_client(alpha.schema_name, ["appeals:read"])
    _, with_scope = make_client(alpha.schema_name, ["appeals:read", "appeals:personal_data"])
    one = "query ($id: ID!) { appeal(id: $id) { applicant { name email } } }"
    body = post(client, alpha.host, LIST, without).json()
    assert body["data"]["appeals"]["edges"][0]["node"]["applicant"] is None
    assert post(client, alpha.host, one, without, {"id": gid(appeal)}).json()["data"]["appeal"]["applicant"] is None
    body = post(client, alpha.host, LIST, with_scope).json()
    assert body["data"]["appeals"]["edges"][0]["node"]["applicant"] == {
        "name": "Иванов Иван Иванович", "email": "ivanov@example.ru"}
    body = post(client, alpha.host, one, with_scope, {"id": gid(appeal)}).json()
    assert body["data"]["appeal"]["applicant"]["name"] == "Иванов Иван Иванович"
    # Searching by the applicant's name would reveal it: only with the scope.
    search = '{ appeals(first: 5, search: "Иванов") { totalCount } }'
    assert post(client, alpha.host, search, without).json()["data"]["appeals"]["totalCount"] == 0
    assert post(client, alpha.host, search, with_scope).json()["data"]["appeals"]["totalCount"] == 1


def test_region_read_scope_and_staff_only_regional_mutations(client, alpha, region_host):
    query = "{ municipalities(first: 5) { edges { node { slug schemaName } } } }"
    _, plain = make_client("public", ["appeals:read"], municipalities=[alpha.schema_name])
    _, reader = make_client("public", ["region:read"])
    body = post(client, region_host, query, plain).json()
    assert body["errors"][0]["extensions"] == {"code": "PERMISSION_DENIED", "requiredScope": "region:read"}
    body = post(client, region_host, query, reader).json()
    assert "errors" not in body, body
    assert {e["node"]["schemaName"] for e in body["data"]["municipalities"]["edges"]} >= {alpha.schema_name}
    suspend = 'mutation { suspendMunicipality(id: "UmVnaW9uTXVuaWNpcGFsaXR5OjE=") { errors { code } } }'
    response = post(client, region_host, suspend, reader)
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    create = 'mutation { createApiClient(name: "x", scopes: [REGION_READ]) { token errors { code } } }'
    response = post(client, region_host, create, reader)
    assert response.status_code == 200
    assert response.json()["data"]["createApiClient"] is None
    assert response.json()["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_last_use_is_recorded_at_most_once_a_minute(client, alpha):
    created, token = make_client(alpha.schema_name, ["appeals:read"])
    assert created.last_used_at is None
    assert post(client, alpha.host, "{ municipality { slug } }", token).status_code == 200
    with schema_context(alpha.schema_name):
        first = ApiClient.objects.get(pk=created.pk).last_used_at
    assert first is not None
    assert post(client, alpha.host, "{ municipality { slug } }", token).status_code == 200
    with schema_context(alpha.schema_name):
        assert ApiClient.objects.get(pk=created.pk).last_used_at == first


def test_a_regional_client_last_use_is_kept_in_the_public_schema(client, alpha):
    created, token = make_client("public", ["appeals:read"], municipalities=[alpha.schema_name])
    assert post(client, alpha.host, "{ municipality { slug } }", token).status_code == 200
    with schema_context("public"):
        assert ApiClient.objects.get(pk=created.pk).last_used_at is not None


def test_only_a_hash_of_the_secret_is_stored(alpha):
    created, token = make_client(alpha.schema_name, ["appeals:read"])
    prefix, key_id, secret = token.split("_", 2)
    assert prefix == "gk" and key_id == created.key_id and len(secret) >= 40
    with schema_context(alpha.schema_name):
        row = ApiClient.objects.filter(pk=created.pk).values().get()
        assert row["secret_hash"] == hash_secret(secret)
        assert not any(secret in str(value) for value in row.values())
        entries = list(AuditEntry.objects.filter(action="api_client.create", target_id=str(created.pk)).values())
    assert len(entries) == 1
    assert not any(secret in str(value) or row["secret_hash"] in str(value) for value in entries[0].values())


def test_a_warm_client_costs_no_lookup_and_revocation_still_applies_at_once(client, alpha):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gorodok_platform.integrations.services import api_client_revoke

    created, token = make_client(alpha.schema_name, ["appeals:read"])
    assert post(client, alpha.host, "{ municipality { slug } }", token).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert post(client, alpha.host, "{ municipality { slug } }", token).status_code == 200
    assert not [q for q in queries if "integrations_apiclient" in q["sql"]]
    with schema_context(alpha.schema_name):
        api_client_revoke(client=created)
    assert post(client, alpha.host, "{ municipality { slug } }", token).status_code == 401
