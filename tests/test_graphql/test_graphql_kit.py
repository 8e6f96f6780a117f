"""The GraphQL kit: one node lookup for every global ID, ``node(id:)`` on the tenant API with the
permissions of each type's own query, and error codes that never hide an undeclared one as INVALID."""

from __future__ import annotations

import base64
import logging
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from graphql_relay import to_global_id

import gorodok_graphql
from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.core.errors import errors_from_validation_error
from gorodok_graphql.core.ids import parse_global_id
from gorodok_services.appeals import error_codes
from tests.conftest import graphql, login
from tests.support.api_clients import bearer, make_client
from tests.support.appeals import gid, receive

NODE = "query ($id: ID!) { node(id: $id) { id __typename ... on Appeal { subject applicant { name } } } }"
BAD_IDS = ["", "x", "nonsense!!", to_global_id("Appeal", "x"), to_global_id("Appeal", -5), to_global_id("Appeal", 0),
           to_global_id("Appeal", 2**31), to_global_id("Appeal", 99999999999999999999), to_global_id("NoSuchType", 1),
           to_global_id("Query", 1), to_global_id("AppealHistoryEntry", 1), base64.b64encode(b"\xff\xfe:1").decode(),
           "A" * 5000]
SOURCE = Path(gorodok_graphql.__file__).parent


def _codes(body) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in body.get("errors", ())]


@pytest.fixture
def signed_in(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    return client


def test_node_refetches_an_appeal_with_the_rules_of_its_own_query(signed_in, alpha):
    appeal = receive(alpha, subject="Узел")
    status, body = graphql(signed_in, alpha.host, NODE, {"id": gid(appeal)})
    assert status == 200 and "errors" not in body, body
    assert body["data"]["node"] == {"id": gid(appeal), "__typename": "Appeal", "subject": "Узел",
                                    "applicant": {"name": "Иванов Иван Иванович"}}


def test_node_answers_null_for_another_municipalitys_object(signed_in, alpha, beta):
    foreign = receive(beta)
    status, body = graphql(signed_in, alpha.host, NODE, {"id": gid(foreign)})
    assert (status, body) == (200, {"data": {"node": None}})


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_node_refuses_malformed_foreign_type_and_out_of_range_ids_as_not_found(signed_in, alpha, bad_id):
    status, body = graphql(signed_in, alpha.host, NODE, {"id": bad_id})
    assert status == 200, body
    assert body["data"] == {"node": None}
    assert _codes(body) == ["NOT_FOUND"], body


def test_node_needs_the_same_permissions_as_the_appeal_query(client, alpha):
    appeal = receive(alpha)
    status, body = graphql(client, alpha.host, NODE, {"id": gid(appeal)})
    assert body["data"]["node"] is None and _codes(body) == ["NOT_AUTHENTICATED"], body
    _, token = make_client(alpha.schema_name, ["webhooks"])
    status, body = graphql(client, alpha.host, NODE, {"id": gid(appeal)}, **bearer(token))
    assert body["data"]["node"] is None and _codes(body) == ["PERMISSION_DENIED"], body
    # appeals:read without appeals:personal_data: the appeal, without its applicant.
    _, token = make_client(alpha.schema_name, ["appeals:read"])
    status, body = graphql(client, alpha.host, NODE, {"id": gid(appeal)}, **bearer(token))
    assert "errors" not in body, body
    assert body["data"]["node"]["subject"] and body["data"]["node"]["applicant"] is None


def test_node_respects_a_switched_off_module(signed_in, alpha):
    from gorodok_tenants.modules import municipality_set_module

    appeal = receive(alpha)
    municipality_set_module(municipality=alpha.municipality, code="appeals", enabled=False)
    try:
        status, body = graphql(signed_in, alpha.host, NODE, {"id": gid(appeal)})
        assert _codes(body) == ["MODULE_DISABLED"], body
    finally:
        municipality_set_module(municipality=alpha.municipality, code="appeals", enabled=True)


@pytest.mark.parametrize("bad_id", ["x", to_global_id("Appeal", 1), to_global_id("RegionMunicipality", 2**40), ""])
def test_region_municipality_and_node_refuse_bad_ids_with_a_typed_error(client, region_host, regional_admin, bad_id):
    for query in ("query ($id: ID!) { municipality(id: $id) { name } }", "query ($id: ID!) { node(id: $id) { id } }"):
        status, body = graphql(client, region_host, query, {"id": bad_id})
        assert status == 200, body
        assert _codes(body) == ["NOT_FOUND"], (query, body)


def test_mutations_answer_not_found_for_every_kind_of_bad_id(signed_in, alpha):
    close = "mutation ($id: ID!) { closeAppeal(id: $id) { errors { field code } } }"
    for bad_id in BAD_IDS:
        status, body = graphql(signed_in, alpha.host, close, {"id": bad_id})
        assert body["data"]["closeAppeal"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}], (bad_id, body)


def test_parse_global_id_bounds():
    assert parse_global_id(to_global_id("Appeal", 2**31 - 1)) == ("Appeal", 2**31 - 1)
    for bad in (None, 5, [], *BAD_IDS[:8], *BAD_IDS[11:]):
        assert parse_global_id(bad) is None, bad


def test_an_undeclared_error_code_is_unknown_not_invalid(caplog):
    error = ValidationError({"subject": ValidationError("New rule.", code="brand_new_rule"),
                             "text": ValidationError("Blank.", code="blank")})
    with caplog.at_level(logging.ERROR, logger="gorodok.graphql"):
        errors = errors_from_validation_error(error, AppealErrorCode)
    assert [(e["field"], e["code"]) for e in errors] == [("subject", "UNKNOWN"), ("text", "REQUIRED")]
    assert "BRAND_NEW_RULE" in caplog.text


def test_the_appeal_error_enum_is_derived_from_the_modules_error_codes():
    members = list(AppealErrorCode._meta.enum.__members__)
    assert [code for code in members if code.lower() in error_codes.ALL] == [code.upper() for code in error_codes.ALL]
    assert {"MIN_VALUE", "MAX_VALUE", "UNIQUE", "UNKNOWN"} <= set(members)


def test_the_kit_helpers_exist_once():
    """Global-ID parsing, the key bound, enum unwrapping and error renaming live in the kit (core/) only."""
    offenders = []
    checks = {"2**31": "core/ids.py", "from_global_id(": "core/ids.py", "b64decode": "core/ids.py",
              'getattr(value, "value", value)': "core/enums.py", "renamed.setdefault(": "core/errors.py"}
    for path in SOURCE.rglob("*.py"):
        text = path.read_text()
        relative = path.relative_to(SOURCE).as_posix()
        checks = {"2**31": "core/ids.py", "from_global_id(": "core/ids.py", "b64decode": "core/ids.py",
                  'getattr(value, "value", value)': "core/enums.py", "renamed.setdefault(": "core/errors.py"}
        for needle in checks:
            found = re.search(r"(?<![_a-z])from_global_id\(", text) if needle == "from_global_id(" else needle in text
            if found and not relative.startswith("core/"):
                offenders.append((relative, needle))
    assert offenders == []


def test_webhook_events_are_an_enum_whose_values_are_the_event_names(client, alpha):
    from gorodok_platform.modules import module_events

    EVENT_TYPES = list(module_events())  # every module's, appeals' and the register's
    _, token = make_client(alpha.schema_name, ["webhooks", "appeals:read"])
    status, body = graphql(client, alpha.host, "{ webhookEvents webhookEventTypes }", **bearer(token))
    assert "errors" not in body, body
    assert body["data"]["webhookEvents"] == [name.replace(".", "_").upper() for name in EVENT_TYPES]
    assert body["data"]["webhookEventTypes"] == list(EVENT_TYPES)  # deprecated, still answered
    create = """mutation { createWebhookSubscription(url: "https://hooks.example.ru/in",
      events: ["appeal.registered"]) { subscription { events eventTypes } errors { code } } }"""
    status, body = graphql(client, alpha.host, create, **bearer(token))
    assert body["data"]["createWebhookSubscription"]["subscription"] == {
        "events": ["appeal.registered"], "eventTypes": ["APPEAL_REGISTERED"]}, body
