"""API clients over HTTP: a client with its token, the Bearer header, a GraphQL POST, a refusal."""

from __future__ import annotations

import json

from django_tenants.utils import schema_context

from gorodok_platform.integrations.models import ApiClient
from gorodok_platform.integrations.services import api_client_create

LIST = "{ appeals(first: 10) { totalCount edges { node { subject applicant { name email } } } } }"
RECEIVE = """mutation ($input: ReceiveAppealInput!) { receiveAppeal(input: $input) {
  created appeal { subject applicant { name } } errors { field code message } } }"""
RECEIVE_INPUT = {"input": {"channel": "FEEDBACK_PLATFORM", "subject": "Нет света", "text": "Во дворе не горят фонари.",
                           "questions": [{"classifierCode": "0003.0009.0097.0684"}], "applicantName": "Петров П. П.",
                           "externalNumber": "FP-1"}}
ALL_APPEALS = ["appeals:read", "appeals:write", "appeals:personal_data"]


def make_client(schema: str, scopes, **options) -> tuple[ApiClient, str]:
    with schema_context(schema):
        return api_client_create(name=f"Integrator {schema}", scopes=scopes, **options)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client, host: str, query: str, token: str | None = None, variables: dict | None = None, **extra):
    headers = bearer(token) if token is not None else {}
    return client.post("/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
                       content_type="application/json", HTTP_HOST=host, **headers, **extra)


def assert_refused(response, reason: str) -> None:
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INVALID_TOKEN", "reason": reason}
    assert error["message"]
