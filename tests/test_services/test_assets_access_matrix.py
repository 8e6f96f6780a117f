"""Every role and every kind of API client against every surface that shows the property register, with
the expected answer taken from the module's rule table (``gorodok_services.assets.permissions.RULES``),
never written case by case: change the table and this test follows it; a surface that disagrees fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.accounts.roles import municipal_roles
from gorodok_services.assets import services
from gorodok_services.assets.permissions import CHANGE, READ, RULES, SETTINGS
from tests.support import matrix
from tests.support.assets import asset_gid, building

LIST = "/admin/assets/asset/"
DENIED = {"PERMISSION_DENIED", "NOT_AUTHENTICATED"}


@dataclass
class World:
    tenant: object
    asset: object
    document: object
    encumbrance: object


@pytest.fixture
def world(alpha, media_root) -> World:
    asset = building(alpha)
    with schema_context(alpha.schema_name):
        document = services.asset_document_add(asset=asset, role="acquisition", document=services.DocumentInput(
            kind="contract", number="1", date=date(2015, 3, 1), file=SimpleUploadedFile("scan.pdf", b"%PDF-1.4")))
        encumbrance = services.asset_encumbrance_add(asset=asset, kind="lease", basis="договор № 1",
                                                     beneficiary="ИП Иванов", starts_on=date(2023, 1, 1))
    return World(alpha, asset, document, encumbrance)


def gql(client, world: World, query: str, variables: dict | None = None, headers: dict | None = None) -> dict:
    response = client.post("/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
                           content_type="application/json", HTTP_HOST=world.tenant.host, **(headers or {}))
    assert response.status_code == 200, response.content[:300]
    return response.json()


def allowed(body: dict) -> bool:
    codes = {error.get("extensions", {}).get("code") for error in body.get("errors", [])}
    return not codes & DENIED


def gql_list(client, world, headers):
    body = gql(client, world, "{ assets(first: 5) { edges { node { name } } } }", headers=headers)
    return allowed(body) and body["data"]["assets"]["edges"][0]["node"]["name"] == world.asset.name


def gql_item(client, world, headers):
    body = gql(client, world, "query ($id: ID!) { asset(id: $id) { name history { action } } }",
               {"id": asset_gid(world.asset)}, headers)
    return allowed(body) and (body["data"]["asset"] or {}).get("name") == world.asset.name


def gql_holders(client, world, headers):
    body = gql(client, world, "{ assetHolders(first: 5) { edges { node { inn headName } } } }", headers=headers)
    return allowed(body) and body["data"]["assetHolders"]["edges"][0]["node"]["inn"] == world.asset.holder.inn


def gql_change(client, world, headers):
    # Setting the name it already has: a permitted caller gets a payload without errors, and nothing changes.
    body = gql(client, world, 'mutation ($id: ID!, $n: String) { updateAsset(id: $id, input: {name: $n}) { '
                              'errors { code } } }', {"id": asset_gid(world.asset), "n": world.asset.name}, headers)
    return allowed(body) and (body.get("data") or {}).get("updateAsset") == {"errors": []}


def office_list(client, world, headers):
    response = client.get(LIST, HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.asset.name in response.content.decode()


def office_change_page(client, world, headers):
    response = client.get(f"{LIST}{world.asset.pk}/change/", HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.asset.name in response.content.decode()


def office_extract(client, world, headers):
    response = client.get(f"{LIST}extract.csv", HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.asset.name in b"".join(response.streaming_content).decode()


def office_import(client, world, headers):
    return client.get(f"{LIST}import/", HTTP_HOST=world.tenant.host).status_code == 200


def office_removal_page(client, world, headers):
    return client.get(f"{LIST}{world.asset.pk}/act/remove/", HTTP_HOST=world.tenant.host).status_code == 200


def office_document_download(client, world, headers):
    response = client.get(f"{LIST}{world.asset.pk}/documents/{world.document.pk}/download/",
                          HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4"


def office_encumbrance_end(client, world, headers):
    url = f"{LIST}{world.asset.pk}/encumbrances/{world.encumbrance.pk}/end/"
    return client.get(url, HTTP_HOST=world.tenant.host).status_code == 200


def api_document_download(client, world, headers):
    response = client.get(f"/graphql/assets/documents/{to_global_id('AssetDocument', world.document.pk)}/file",
                          HTTP_HOST=world.tenant.host, **headers)
    return response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4"


def office_settings(client, world, headers):
    response = client.get("/admin/assets/assetssettings/", HTTP_HOST=world.tenant.host, follow=True)
    return response.status_code == 200 and "movable_threshold" in response.content.decode()


API_SURFACES: dict[str, tuple[Callable, str]] = {
    "graphql list": (gql_list, READ),
    "graphql one object": (gql_item, READ),
    "graphql holders": (gql_holders, READ),
    "graphql mutation": (gql_change, CHANGE),
}
STAFF_SURFACES: dict[str, tuple[Callable, str]] = {
    **API_SURFACES,
    "back-office list": (office_list, READ),
    "back-office object page": (office_change_page, READ),
    "back-office extract": (office_extract, READ),
    "back-office import wizard": (office_import, CHANGE),
    "back-office removal": (office_removal_page, CHANGE),
    "back-office document download": (office_document_download, READ),
    "back-office encumbrance end": (office_encumbrance_end, CHANGE),
    "back-office settings": (office_settings, SETTINGS),
}
# The scan's download endpoint takes an API client's bearer token only (staff download in the back office).
CLIENT_SURFACES: dict[str, tuple[Callable, str]] = {**API_SURFACES,
                                                    "api document download": (api_document_download, READ)}
SCOPE_SETS = [("assets:read",), ("assets:write",), ("assets:read", "assets:write"), ("appeals:read",),
              ("webhooks",)]


def role_expected(role: str, action: str) -> bool:
    return matrix.role_expected(RULES, role, action)


def scopes_expected(scopes: tuple[str, ...], action: str) -> bool:
    return matrix.scopes_expected(RULES, scopes, action)


def test_the_table():
    """Readers of the register are those who follow the municipality's work; writers the administrator
    and asset managers; appeals officers have nothing of it."""
    assert {str(r) for r in RULES[CHANGE].roles} == {"municipal_admin", "asset_manager"}
    assert role_expected("reporter", READ) and role_expected("viewer", READ)
    assert not any(role_expected("appeals_officer", action) for action in RULES)
    assert not RULES[SETTINGS].scopes


@pytest.mark.parametrize("role", [*municipal_roles(), "no role"])
def test_every_staff_surface_follows_the_table(client, world, role):
    got, expected = matrix.staff_answers(client, world, role, STAFF_SURFACES, RULES, label="assets")
    assert got == expected


@pytest.mark.parametrize("scopes", SCOPE_SETS, ids=["+".join(s) for s in SCOPE_SETS])
def test_every_client_surface_follows_the_table(client, world, scopes):
    got, expected = matrix.client_answers(client, world, scopes, CLIENT_SURFACES, RULES)
    assert got == expected
