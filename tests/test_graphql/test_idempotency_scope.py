"""Idempotency keys and external numbers belong to the API client that sent them; a mutation's result
never shows more than the caller's scopes allow."""

from __future__ import annotations

import json

from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_services.appeals.models import Appeal
from tests.conftest import graphql
from tests.support.api_clients import bearer, make_client
from tests.support.appeals import gid, receive, register

RECEIVE = """mutation ($input: ReceiveAppealInput!, $key: String) { receiveAppeal(input: $input, idempotencyKey: $key) {
  created appealId appeal { subject text applicant { name } history { action } } errors { field code message } } }"""
SECRET_TEXT = "Секретный текст первого клиента"


def _input(**overrides) -> dict:
    return {"input": {"channel": "FEEDBACK_PLATFORM", "subject": "Фонари", "text": SECRET_TEXT,
                      "questions": [{"classifierCode": "0003.0009.0097.0684"}], "applicantName": "Петров П. П.",
                      **overrides}}


def _receive(client, host, token, key=None, **overrides) -> dict:
    status, body = graphql(client, host, RECEIVE, {**_input(**overrides), "key": key}, **bearer(token))
    assert status == 200 and "errors" not in body, body
    return body["data"]["receiveAppeal"]


def test_another_clients_idempotency_key_is_another_submission(client, alpha):
    _, first = make_client(alpha.schema_name, ["appeals:read", "appeals:write", "appeals:personal_data"])
    _, second = make_client(alpha.schema_name, ["appeals:write"])
    original = _receive(client, alpha.host, first, key="order-1")
    assert original["created"] is True and original["appeal"]["text"] == SECRET_TEXT
    other = _receive(client, alpha.host, second, key="order-1", text="Другой текст")
    assert other["created"] is True and other["errors"] == []
    assert other["appealId"] != original["appealId"]
    assert SECRET_TEXT not in json.dumps(other, ensure_ascii=False) and "Петров" not in json.dumps(other)
    retry = _receive(client, alpha.host, first, key="order-1")
    assert (retry["created"], retry["appealId"]) == (False, original["appealId"])
    with schema_context(alpha.schema_name):
        assert Appeal.objects.filter(text="Другой текст").count() == 1


def test_another_clients_external_number_is_a_typed_error_without_data(client, alpha):
    _, first = make_client(alpha.schema_name, ["appeals:read", "appeals:write"])
    _, second = make_client(alpha.schema_name, ["appeals:read", "appeals:write", "appeals:personal_data"])
    original = _receive(client, alpha.host, first, externalNumber="FP-77")
    assert original["created"] is True
    clash = _receive(client, alpha.host, second, externalNumber="FP-77", text="Чужой")
    assert clash["appeal"] is None and clash["appealId"] is None and clash["created"] is None
    assert [(e["field"], e["code"]) for e in clash["errors"]] == [("externalNumber", "DUPLICATE")]
    assert SECRET_TEXT not in json.dumps(clash, ensure_ascii=False)
    again = _receive(client, alpha.host, first, externalNumber="FP-77")
    assert (again["created"], again["appealId"]) == (False, original["appealId"])
    with schema_context(alpha.schema_name):
        assert Appeal.objects.filter(external_number="FP-77").count() == 1


def test_an_appeal_received_before_senders_were_recorded_is_not_handed_to_a_client(client, alpha):
    receive(alpha, external_number="OLD-1", text=SECRET_TEXT)  # no sender recorded
    _, token = make_client(alpha.schema_name, ["appeals:read", "appeals:write"])
    clash = _receive(client, alpha.host, token, externalNumber="OLD-1")
    assert [(e["field"], e["code"]) for e in clash["errors"]] == [("externalNumber", "DUPLICATE")]
    assert clash["appeal"] is None


def test_a_write_only_client_never_reads_an_appeal_through_a_mutations_result(client, alpha):
    appeal = receive(alpha, text=SECRET_TEXT)
    register(alpha, appeal)
    _, token = make_client(alpha.schema_name, ["appeals:write"])
    query = """mutation ($id: ID!, $email: String) { assignAppeal(id: $id, executorEmail: $email) {
      appealId appeal { text history { action note } } errors { code } } }"""
    status, body = graphql(client, alpha.host, query, {"id": gid(appeal), "email": alpha.admin_email},
                           **bearer(token))
    payload = body["data"]["assignAppeal"]
    assert payload["errors"] == [] and payload["appeal"] is None
    assert payload["appealId"] == to_global_id("Appeal", appeal.pk)
    assert SECRET_TEXT not in json.dumps(body, ensure_ascii=False)
    # With appeals:read as well, the same result shows the appeal.
    _, reader = make_client(alpha.schema_name, ["appeals:read", "appeals:write"])
    status, body = graphql(client, alpha.host, query, {"id": gid(appeal), "email": alpha.admin_email},
                           **bearer(reader))
    assert body["data"]["assignAppeal"]["appeal"]["text"] == SECRET_TEXT
