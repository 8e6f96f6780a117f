"""The author's status lookup: number and access code, no sign-in, no personal data, limited per address."""

from __future__ import annotations

import json

from django_tenants.utils import schema_context

from gorodok_services.appeals import services as appeal_services
from tests.conftest import graphql
from tests.support.appeals import APPLICANT, receive, register

STATUS = """query ($number: String!, $code: String!) {
  appealStatus(registrationNumber: $number, accessCode: $code) {
    registrationNumber status registeredAt dueAt answeredAt extended } }"""


def _registered(tenant):
    registration = register(tenant, receive(tenant))
    return registration.appeal, registration.access_code


def test_right_code_shows_progress_and_nothing_personal(client, alpha):
    appeal, code = _registered(alpha)
    status, body = graphql(client, alpha.host, STATUS, {"number": appeal.registration_number, "code": code.lower()})
    assert status == 200 and "errors" not in body, body
    result = body["data"]["appealStatus"]
    assert set(result) == {"registrationNumber", "status", "registeredAt", "dueAt", "answeredAt", "extended"}
    assert result["registrationNumber"] == appeal.registration_number
    assert (result["status"], result["answeredAt"], result["extended"]) == ("REGISTERED", None, False)
    assert result["dueAt"].endswith("+00:00") and result["registeredAt"].endswith("+00:00")
    text = json.dumps(body, ensure_ascii=False)
    for value in (*APPLICANT.values(), appeal.subject, appeal.text):
        assert value not in text

    with schema_context(alpha.schema_name):
        appeal_services.appeal_answer(appeal=appeal, answer_text="Ответ дан.")
    status, body = graphql(client, alpha.host, STATUS, {"number": appeal.registration_number, "code": code})
    assert body["data"]["appealStatus"]["status"] == "ANSWERED"
    assert body["data"]["appealStatus"]["answeredAt"]


def test_wrong_code_or_number_is_null(client, alpha):
    appeal, code = _registered(alpha)
    for number, attempt in ((appeal.registration_number, "WRONG123"), ("ОГ-1999-00001", code),
                            (appeal.registration_number, ""), ("x" * 1000, code), (appeal.registration_number,
                                                                                   "A" * 10_000)):
        status, body = graphql(client, alpha.host, STATUS, {"number": number, "code": attempt})
        assert (status, body) == (200, {"data": {"appealStatus": None}})


def test_the_same_number_in_another_municipality_is_not_found(client, alpha, beta):
    appeal, code = _registered(alpha)
    status, body = graphql(client, beta.host, STATUS, {"number": appeal.registration_number, "code": code})
    assert body == {"data": {"appealStatus": None}}


def test_failed_lookups_are_rate_limited_per_address(client, alpha, beta):
    appeal, code = _registered(alpha)
    for _ in range(10):
        status, body = graphql(client, alpha.host, STATUS, {"number": appeal.registration_number, "code": "NOPE"})
        assert body == {"data": {"appealStatus": None}}
    status, body = graphql(client, alpha.host, STATUS, {"number": appeal.registration_number, "code": code})
    assert status == 200
    assert body["data"]["appealStatus"] is None
    assert body["errors"][0]["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 600}
    assert "10 minutes" in body["errors"][0]["message"]

    # Another address is not held back, nor is the same address on another municipality's host.
    status, body = graphql(client, alpha.host, STATUS, {"number": appeal.registration_number, "code": code},
                           REMOTE_ADDR="10.1.2.3")
    assert body["data"]["appealStatus"]["status"] == "REGISTERED"
    status, body = graphql(client, beta.host, STATUS, {"number": "ОГ-1999-00001", "code": code})
    assert body == {"data": {"appealStatus": None}}


def test_successful_lookups_are_not_limited(client, alpha):
    appeal, code = _registered(alpha)
    for _ in range(15):
        status, body = graphql(client, alpha.host, STATUS, {"number": appeal.registration_number, "code": code})
        assert body["data"]["appealStatus"]["status"] == "REGISTERED"


def test_nul_characters_are_a_failed_lookup_not_a_crash(client, alpha):
    appeal, code = _registered(alpha)
    for number, attempt in ((appeal.registration_number + "\x00", code), (appeal.registration_number, "\x00")):
        status, body = graphql(client, alpha.host, STATUS, {"number": number, "code": attempt})
        assert (status, body) == (200, {"data": {"appealStatus": None}})
