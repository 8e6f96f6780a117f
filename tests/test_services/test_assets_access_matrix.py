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
    document: object = None
    encumbrance: object = None
    campaign: object = None


@pytest.fixture
def world(alpha, media_root) -> World:
    from gorodok_services.assets.stocktaking.services import campaign_open

    asset = building(alpha)
    with schema_context(alpha.schema_name):
        document = services.asset_document_add(asset=asset, role="acquisition", document=services.DocumentInput(
            kind="contract", number="1", date=date(2015, 3, 1), file=SimpleUploadedFile("scan.pdf", b"%PDF-1.4")))
        encumbrance = services.asset_encumbrance_add(asset=asset, kind="lease", basis="договор № 1",
                                                     beneficiary="ИП Иванов", starts_on=date(2023, 1, 1))
        campaign = campaign_open(name="Инвентаризация", starts_on=asset.included_on, ends_on=asset.included_on,
                                 commission="Петров С. Н.", holder=asset.holder)
    return World(alpha, asset, document=document, encumbrance=encumbrance, campaign=campaign)


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


def gql_licences(client, world, headers):
    body = gql(client, world, "{ licences(first: 5) { edges { node { id } } } maintenanceDue { dueOn } }",
               headers=headers)
    return allowed(body) and body["data"]["licences"]["edges"] == []


def gql_schedule(client, world, headers):
    # An interval of zero months: a permitted caller gets the typed error, and nothing is written.
    body = gql(client, world, 'mutation ($id: ID) { createMaintenanceSchedule(input: {title: "ТО", assetId: $id, '
                              'workType: INSPECTION, everyMonths: 0}) { errors { code } } }',
               {"id": asset_gid(world.asset)}, headers)
    return allowed(body) and (body.get("data") or {}).get("createMaintenanceSchedule") == {
        "errors": [{"code": "INVALID_INTERVAL"}]}


def office_page(url: str, text: str = "", follow: bool = False):
    def surface(client, world, headers):
        response = client.get(url, HTTP_HOST=world.tenant.host, follow=follow)
        return response.status_code == 200 and (text or "") in response.content.decode()

    return surface


def office_building_costs(client, world, headers):
    response = client.get("/admin/assets_maintenance/maintenancerecord/buildings/", HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.asset.name in response.content.decode()


def gql_depreciation(client, world, headers):
    body = gql(client, world, "{ assetDepreciation(month: \"2024-01-01\") { objects month } }", headers=headers)
    return allowed(body) and (body.get("data") or {}).get("assetDepreciation", {}).get("month") == "2024-01-01"


def gql_refresh(client, world, headers):
    # The municipality keeps residual values from accounting: a permitted caller gets that typed refusal.
    body = gql(client, world, 'mutation { refreshAssetResidualValues(month: "2024-01-01") { errors { code } } }',
               headers=headers)
    result = (body.get("data") or {}).get("refreshAssetResidualValues") or {}
    return allowed(body) and result.get("errors") == [{"code": "RESIDUAL_KEPT_FROM_ACCOUNTING"}]


def gql_stocktakings(client, world, headers):
    body = gql(client, world, "{ stocktakingCampaigns(first: 5) { edges { node { name counts { total } } } } }",
               headers=headers)
    return allowed(body) and body["data"]["stocktakingCampaigns"]["edges"][0]["node"]["counts"]["total"] == 1


def gql_stocktaking_mark(client, world, headers):
    # A number no object has: a permitted caller gets the typed NOT_FOUND, and nothing is marked.
    from graphql_relay import to_global_id

    body = gql(client, world, 'mutation ($c: ID!) { markStocktakingItem(campaignId: $c, number: "нет", mark: FOUND) '
                              '{ errors { code } } }', {"c": to_global_id("StocktakingCampaign", world.campaign.pk)},
               headers)
    result = (body.get("data") or {}).get("markStocktakingItem") or {}
    return allowed(body) and result.get("errors") == [{"code": "NOT_FOUND"}]


def office_depreciation_defaults(client, world, headers):
    return client.get("/admin/assets_depreciation/categorydefault/", HTTP_HOST=world.tenant.host).status_code == 200


def office_depreciation_month(client, world, headers):
    response = client.get("/admin/assets_depreciation/categorydefault/month/", HTTP_HOST=world.tenant.host)
    return response.status_code == 200


def office_depreciation_defaults_add(client, world, headers):
    response = client.get("/admin/assets_depreciation/categorydefault/add/", HTTP_HOST=world.tenant.host)
    return response.status_code == 200


def office_depreciation_settings(client, world, headers):
    response = client.get("/admin/assets_depreciation/depreciationsettings/", HTTP_HOST=world.tenant.host,
                          follow=True)
    return response.status_code == 200 and "residual_source" in response.content.decode()


def office_stocktaking_page(client, world, headers):
    response = client.get(f"/admin/assets_stocktaking/campaign/{world.campaign.pk}/page/",
                          HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.campaign.name in response.content.decode()


def office_stocktaking_mark(client, world, headers):
    response = client.get(f"/admin/assets_stocktaking/campaign/{world.campaign.pk}/mark/",
                          HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.asset.register_number in response.content.decode()


API_SURFACES: dict[str, tuple[Callable, str]] = {
    "graphql depreciation": (gql_depreciation, READ),
    "graphql residual refresh": (gql_refresh, CHANGE),
    "graphql stock-takings": (gql_stocktakings, READ),
    "graphql stock-taking mark": (gql_stocktaking_mark, CHANGE),
    "graphql list": (gql_list, READ),
    "graphql one object": (gql_item, READ),
    "graphql holders": (gql_holders, READ),
    "graphql mutation": (gql_change, CHANGE),
    "graphql licences and due work": (gql_licences, READ),
    "graphql maintenance schedule": (gql_schedule, CHANGE),
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
    "back-office ICT fleet": (office_page("/admin/assets_fleet/ictprofile/"), READ),
    "back-office licences": (office_page("/admin/assets_fleet/licence/?term=expiring"), READ),
    "back-office maintenance log": (office_page("/admin/assets_maintenance/maintenancerecord/"), READ),
    "back-office due work": (office_page("/admin/assets_maintenance/maintenancerecord/due/"), READ),
    "back-office schedules": (office_page("/admin/assets_maintenance/maintenanceschedule/?work=overdue"), READ),
    "back-office building costs": (office_building_costs, READ),
    "back-office record maintenance": (office_page("/admin/assets_maintenance/maintenancerecord/add/"), CHANGE),
    "back-office new licence": (office_page("/admin/assets_fleet/licence/add/"), CHANGE),
    "back-office fleet settings": (office_page("/admin/assets_fleet/fleetsettings/", "reminder_days", True),
                                   SETTINGS),
    "back-office depreciation defaults": (office_depreciation_defaults, READ),
    "back-office depreciation default add": (office_depreciation_defaults_add, CHANGE),
    "back-office depreciation month": (office_depreciation_month, READ),
    "back-office depreciation settings": (office_depreciation_settings, SETTINGS),
    "back-office stock-taking page": (office_stocktaking_page, READ),
    "back-office stock-taking marking": (office_stocktaking_mark, CHANGE),
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
