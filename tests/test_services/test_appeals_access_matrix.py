"""Every role and every kind of API client against every surface that shows appeals, with the expected
answer taken from the module's rule table (``gorodok_services.appeals.permissions.RULES``), never
written case by case: change the table and this test follows it; a surface that disagrees fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from gorodok_platform.accounts.roles import municipal_roles
from gorodok_services.appeals import services
from gorodok_services.appeals.permissions import CHANGE, PERSONAL_DATA, READ, RULES, STATISTICS
from tests.support import matrix
from tests.support.appeals import APPLICANT, gid, receive, register

LIST = "/admin/appeals/appeal/"
NAME = APPLICANT["applicant_name"]
DENIED = {"PERMISSION_DENIED", "NOT_AUTHENTICATED"}


@dataclass
class World:
    """One registered appeal with an attachment, in alpha, and a way to call each surface."""

    tenant: object
    appeal: object
    attachment_id: int


@pytest.fixture
def world(alpha, media_root) -> World:
    appeal = receive(alpha, external_number="MATRIX-1")
    register(alpha, appeal)
    with schema_context(alpha.schema_name):
        attachment = services.appeal_attach(
            appeal=appeal, uploaded=SimpleUploadedFile("scan.pdf", b"%PDF-1.4 matrix", content_type="application/pdf"))
    return World(alpha, appeal, attachment.pk)


def gql(client, world: World, query: str, variables: dict | None = None, headers: dict | None = None) -> dict:
    response = client.post("/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
                           content_type="application/json", HTTP_HOST=world.tenant.host, **(headers or {}))
    assert response.status_code == 200, response.content[:300]
    return response.json()


def dig(body: dict, *keys):
    value = body.get("data")
    for key in keys:
        if not isinstance(value, dict | list):
            return None
        value = value[key] if isinstance(value, list) else value.get(key)
    return value


def allowed(body: dict) -> bool:
    codes = {error.get("extensions", {}).get("code") for error in body.get("errors", [])}
    return not codes & DENIED


# --- the surfaces: each returns what the caller got, to compare with the table ------------------------------

def gql_list(client, world, headers):
    body = gql(client, world, "{ appeals(first: 5) { edges { node { subject } } } }", headers=headers)
    return allowed(body) and dig(body, "appeals", "edges", 0, "node", "subject") == world.appeal.subject


def gql_item(client, world, headers):
    body = gql(client, world, "query ($id: ID!) { appeal(id: $id) { subject } }", {"id": gid(world.appeal)}, headers)
    return allowed(body) and dig(body, "appeal", "subject") == world.appeal.subject


def gql_personal_fields(client, world, headers):
    body = gql(client, world, "query ($id: ID!) { appeal(id: $id) { applicant { name email phone address } } }",
               {"id": gid(world.appeal)}, headers)
    return (dig(body, "appeal", "applicant", "name") == NAME
            and dig(body, "appeal", "applicant", "email") == APPLICANT["applicant_email"])


def gql_search_by_name(client, world, headers):
    body = gql(client, world, "query ($s: String) { appeals(first: 5, search: $s) { totalCount } }",
               {"s": NAME.split()[0]}, headers)
    return allowed(body) and dig(body, "appeals", "totalCount") == 1


def gql_statistics(client, world, headers):
    body = gql(client, world, '{ appealStatistics(dateFrom: "2025-01-01", dateTo: "2030-12-31") { appeals } }',
               headers=headers)
    return allowed(body) and (dig(body, "appealStatistics", "appeals") or 0) >= 1


def gql_change(client, world, headers):
    # A term extended by zero days is refused by the service, so a permitted caller gets a typed error and
    # nothing changes; a caller without the right is refused before the service is reached.
    body = gql(client, world, 'mutation ($id: ID!) { extendAppeal(id: $id, days: 0, reason: "x") { '
                              'errors { code } } }', {"id": gid(world.appeal)}, headers)
    return allowed(body) and dig(body, "extendAppeal") is not None


def office_list(client, world, headers):
    response = client.get(LIST, HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.appeal.subject in response.content.decode()


def office_change_page(client, world, headers):
    response = client.get(f"{LIST}{world.appeal.pk}/change/", HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.appeal.subject in response.content.decode()


def office_personal_data(client, world, headers):
    response = client.get(f"{LIST}{world.appeal.pk}/change/", HTTP_HOST=world.tenant.host)
    page = response.content.decode()
    return response.status_code == 200 and NAME in page and APPLICANT["applicant_phone"] in page


def office_search_by_name(client, world, headers):
    response = client.get(LIST, {"q": NAME.split()[0]}, HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.appeal.subject in response.content.decode()


def office_download(client, world, headers):
    response = client.get(f"{LIST}{world.appeal.pk}/attachments/{world.attachment_id}/", HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 matrix"


def office_action_page(client, world, headers):
    response = client.get(f"{LIST}{world.appeal.pk}/act/assign/", HTTP_HOST=world.tenant.host)
    return response.status_code == 200


def open311_post(client, world, headers):
    token = headers["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    response = client.post("/open311/v2/requests.json", {
        "api_key": token, "service_code": "0003.0009.0097.0684", "description": "Яма у остановки",
        "address_string": "ул. Ленина, 12", "first_name": "Иван", "last_name": "Иванов", "email": "i@example.ru",
    }, HTTP_HOST=world.tenant.host)
    return response.status_code in (200, 201)


# Which rule of the table each surface answers to.
API_SURFACES: dict[str, tuple[Callable, str]] = {
    "graphql list": (gql_list, READ),
    "graphql one appeal": (gql_item, READ),
    "graphql personal-data fields": (gql_personal_fields, PERSONAL_DATA),
    "graphql search by applicant": (gql_search_by_name, PERSONAL_DATA),
    "graphql statistics": (gql_statistics, STATISTICS),
    "graphql mutation": (gql_change, CHANGE),
}
STAFF_SURFACES: dict[str, tuple[Callable, str]] = {
    **API_SURFACES,
    "back-office list": (office_list, READ),
    "back-office change page": (office_change_page, READ),
    "back-office personal data": (office_personal_data, PERSONAL_DATA),
    "back-office search by applicant": (office_search_by_name, PERSONAL_DATA),
    "back-office attachment download": (office_download, PERSONAL_DATA),
    "back-office action page": (office_action_page, CHANGE),
}
CLIENT_SURFACES: dict[str, tuple[Callable, str]] = {**API_SURFACES, "open311 create": (open311_post, CHANGE)}
SCOPE_SETS = [("appeals:read",), ("appeals:write",), ("appeals:personal_data",),
              ("appeals:read", "appeals:personal_data"), ("appeals:read", "appeals:write", "appeals:personal_data"),
              ("webhooks",)]


def role_expected(role: str, action: str) -> bool:
    return matrix.role_expected(RULES, role, action)


def scopes_expected(scopes: tuple[str, ...], action: str) -> bool:
    return matrix.scopes_expected(RULES, scopes, action)


def test_the_table_is_least_privilege():
    """The decisions of 152-FZ the table encodes: personal data only for the roles that work with
    appeals; reporters get statistics, not appeals; asset managers nothing of appeals."""
    assert {str(r) for r in RULES[PERSONAL_DATA].roles} == {"municipal_admin", "appeals_officer"}
    assert role_expected("reporter", STATISTICS) and not role_expected("reporter", READ)
    assert not any(role_expected("asset_manager", action) for action in RULES)
    assert not role_expected("viewer", PERSONAL_DATA) and role_expected("viewer", READ)


@pytest.mark.parametrize("role", [*municipal_roles(), "no role"])
def test_every_staff_surface_follows_the_table(client, world, role):
    got, expected = matrix.staff_answers(client, world, role, STAFF_SURFACES, RULES, label="matrix")
    assert got == expected


@pytest.mark.parametrize("scopes", SCOPE_SETS, ids=["+".join(s) for s in SCOPE_SETS])
def test_every_client_surface_follows_the_table(client, world, scopes):
    got, expected = matrix.client_answers(client, world, scopes, CLIENT_SURFACES, RULES)
    assert got == expected
