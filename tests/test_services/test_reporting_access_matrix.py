"""Every role and every kind of API client against every surface that shows reports, with the expected
answer taken from the module's rule table (``gorodok_services.reporting.permissions.RULES``): change
the table and this test follows it; a surface that disagrees fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.accounts.roles import REGIONAL_ROLES, municipal_roles
from gorodok_platform.accounts.services import staff_user_create
from gorodok_platform.integrations.services import api_client_create
from gorodok_services.reporting.permissions import FILL, REGION_MANAGE, REGION_READ, RULES, VIEW
from gorodok_services.reporting.submissions.models import Submission
from tests.conftest import ADMIN_PASSWORD, login
from tests.support.appeals import staff
from tests.test_services.reporting_common import fill_and_submit, open_campaign

DENIED = {"PERMISSION_DENIED", "NOT_AUTHENTICATED"}
OFFICE = "/admin/reporting_submissions/submission/"


@dataclass
class World:
    tenant: object
    campaign: object  # alpha has submitted
    fresh: object  # alpha has not started
    region_host: str


@pytest.fixture
def world(alpha, region_host) -> World:
    campaign = open_campaign([alpha])
    fill_and_submit(alpha, campaign, {"spent": "42"})
    from gorodok_services.reporting.models import TemplateVersion
    from gorodok_services.reporting.services import campaign_create, campaign_open

    version = TemplateVersion.objects.get(template__code="test-template")
    fresh = campaign_open(campaign=campaign_create(
        version=version, title="Второй отчёт", period_start=campaign.period_start, period_end=campaign.period_end,
        deadline=campaign.deadline, audience="list", municipalities=[alpha.municipality]))
    return World(alpha, campaign, fresh, region_host)


def gql(client, host: str, query: str, variables: dict | None = None, headers: dict | None = None) -> dict:
    response = client.post("/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
                           content_type="application/json", HTTP_HOST=host, **(headers or {}))
    assert response.status_code == 200, response.content[:300]
    return response.json()


def allowed(body: dict) -> bool:
    return not {e.get("extensions", {}).get("code") for e in body.get("errors", [])} & DENIED


# --- the municipality's surfaces --------------------------------------------------------------------------------

def gql_my_reports(client, world, headers):
    body = gql(client, world.tenant.host, "{ myReports { title submission { values } } }", headers=headers)
    return allowed(body) and any('"42.00"' in (r["submission"] or {}).get("values", "")
                                 for r in body["data"]["myReports"])


def gql_save(client, world, headers):
    body = gql(client, world.tenant.host, 'mutation ($c: Int!) { saveReportDraft(campaignId: $c, values: '
               '"{\\"staff\\": 2}") { submission { status } errors { code } } }', {"c": world.fresh.pk}, headers)
    return allowed(body) and body["data"]["saveReportDraft"]["errors"] == []


def office_list(client, world, headers):
    response = client.get(OFFICE, HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.campaign.title in response.content.decode()


def office_fill(client, world, headers):
    response = client.post(f"{OFFICE}fill/{world.fresh.pk}/", {"spent": "7", "_save": "1"}, HTTP_HOST=world.tenant.host)
    with schema_context(world.tenant.schema_name):
        saved = Submission.objects.filter(campaign_id=world.fresh.pk, values__spent="7.00").exists()
    return response.status_code == 302 and saved


# --- the region's surfaces --------------------------------------------------------------------------------------

def region_campaign(client, world, headers):
    body = gql(client, world.region_host, "query ($id: ID!) { reportCampaign(id: $id) { progress { submitted } } }",
               {"id": to_global_id("ReportCampaign", world.campaign.pk)}, headers)
    return allowed(body) and (body["data"]["reportCampaign"] or {}).get("progress") == {"submitted": 1}


def region_review(client, world, headers):
    body = gql(client, world.region_host, 'mutation ($c: ID!, $m: String!) { reviewReport(campaign: $c, '
               'municipality: $m, accept: false, comment: "") { errors { code } } }',
               {"c": to_global_id("ReportCampaign", world.campaign.pk), "m": world.tenant.municipality.slug}, headers)
    return allowed(body) and body["data"]["reviewReport"]["errors"] == [{"code": "COMMENT_REQUIRED"}]


def region_extend(client, world, headers):
    body = gql(client, world.region_host, 'mutation ($c: ID!) { extendReportCampaign(id: $c, deadline: "2000-01-01") '
               '{ errors { code } } }', {"c": to_global_id("ReportCampaign", world.campaign.pk)}, headers)
    return allowed(body) and body["data"]["extendReportCampaign"]["errors"] == [{"code": "INVALID_DEADLINE"}]


def region_summary(client, world, headers):
    body = gql(client, world.region_host, 'mutation { requestAppealsSummary(dateFrom: "2026-01-01", '
               'dateTo: "2026-01-31") { summary { status rows { municipality } } errors { code } } }', headers=headers)
    return allowed(body) and body["data"]["requestAppealsSummary"]["summary"]["rows"] != []


def console_summary(client, world, headers):
    return client.get("/admin/reporting/appealssummary/add/", HTTP_HOST=world.region_host).status_code == 200


def console_figures(client, world, headers):
    response = client.get(f"/admin/reporting/campaign/{world.campaign.pk}/figures/", HTTP_HOST=world.region_host)
    return response.status_code == 200 and "42.00" in response.content.decode()


def console_export(client, world, headers):
    response = client.get(f"/admin/reporting/campaign/{world.campaign.pk}/export.csv", HTTP_HOST=world.region_host)
    return response.status_code == 200 and "42.00" in b"".join(response.streaming_content).decode()


def console_add_campaign(client, world, headers):
    return client.get("/admin/reporting/campaign/add/", HTTP_HOST=world.region_host).status_code == 200


TENANT_API = {"graphql my reports": (gql_my_reports, VIEW), "graphql save draft": (gql_save, FILL)}
TENANT_STAFF = {**TENANT_API, "back-office list": (office_list, VIEW), "back-office fill": (office_fill, FILL)}
REGION_API = {"graphql campaign": (region_campaign, REGION_READ), "graphql review": (region_review, REGION_MANAGE),
              "graphql extend": (region_extend, REGION_MANAGE),
              "graphql appeals summary": (region_summary, REGION_READ)}
REGION_STAFF = {**REGION_API, "console figures": (console_figures, REGION_READ),
                "console export": (console_export, REGION_READ),
                "console new campaign": (console_add_campaign, REGION_MANAGE),
                "console appeals summary": (console_summary, REGION_READ)}


def role_expected(role: str, action: str) -> bool:
    return role in {str(r) for r in RULES[action].roles}


def scopes_expected(scopes, action: str) -> bool:
    return bool(RULES[action].scopes) and RULES[action].scopes <= set(scopes)


def run(client, world, surfaces: dict[str, tuple[Callable, str]], headers, expect: Callable[[str], bool]):
    got = {name: surface(client, world, headers) for name, (surface, _action) in surfaces.items()}
    assert got == {name: expect(action) for name, (_surface, action) in surfaces.items()}


def test_the_table_is_least_privilege():
    assert role_expected("reporter", FILL) and not role_expected("viewer", FILL) and role_expected("viewer", VIEW)
    assert not any(role_expected(role, action) for role in ("appeals_officer", "asset_manager")
                   for action in RULES)
    assert RULES[REGION_MANAGE].scopes == frozenset({"reports:manage"})
    assert not role_expected("regional_analyst", REGION_MANAGE)
    from gorodok_platform.modules import module_scopes

    assert next(s for s in module_scopes() if s.code == "reports:manage").regional_only


@pytest.mark.parametrize("role", [*municipal_roles(), "no role"])
def test_every_municipal_staff_surface_follows_the_table(client, world, role):
    roles = [role] if role != "no role" else []
    email = staff(world.tenant, f"rmatrix-{role.replace(' ', '-')}@alpha.example.ru", *roles)
    login(client, world.tenant.host, email)
    run(client, world, TENANT_STAFF, {}, lambda action: role_expected(role, action))


@pytest.mark.parametrize("role", [str(r) for r in REGIONAL_ROLES])
def test_every_regional_staff_surface_follows_the_table(client, world, role):
    email = f"rmatrix-{role}@region.example.ru"
    with schema_context("public"):
        staff_user_create(email=email, password=ADMIN_PASSWORD, roles=[role], full_name=role)
    login(client, world.region_host, email)
    run(client, world, REGION_STAFF, {}, lambda action: role_expected(role, action))


TENANT_SCOPES = [("reports:write",), ("appeals:read",), ("webhooks",)]
REGION_SCOPES = [("reports:read",), ("region:read",), ("reports:read", "region:read"), ("reports:manage",),
                 ("reports:read", "reports:manage")]


@pytest.mark.parametrize("scopes", TENANT_SCOPES, ids=["+".join(s) for s in TENANT_SCOPES])
def test_every_municipal_client_surface_follows_the_table(client, world, scopes):
    with schema_context(world.tenant.schema_name):
        _c, token = api_client_create(name="matrix", scopes=list(scopes))
    run(client, world, TENANT_API, {"HTTP_AUTHORIZATION": f"Bearer {token}"},
        lambda action: scopes_expected(scopes, action))


@pytest.mark.parametrize("scopes", REGION_SCOPES, ids=["+".join(s) for s in REGION_SCOPES])
def test_every_regional_client_surface_follows_the_table(client, world, scopes):
    with schema_context("public"):
        _c, token = api_client_create(name="matrix", scopes=list(scopes), municipalities=[world.tenant.schema_name])
    run(client, world, REGION_API, {"HTTP_AUTHORIZATION": f"Bearer {token}"},
        lambda action: scopes_expected(scopes, action))
