"""The reporting API: the municipality fills and submits over the tenant API; the committee reads
progress, the comparison and the aggregates and reviews reports over the regional API; a regional
client sees only the municipalities it is given; bad input is a typed error with nothing written."""

from __future__ import annotations

from decimal import Decimal

from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.integrations.services import api_client_create
from gorodok_services.reporting.models import SubmissionCopy
from gorodok_services.reporting.submissions.models import Submission
from tests.conftest import graphql, login
from tests.support.appeals import staff
from tests.test_services.reporting_common import fill_and_submit, open_campaign

SAVE = """mutation ($c: Int!, $v: JSONString!, $r: JSONString) {
  saveReportDraft(campaignId: $c, values: $v, reasons: $r) { submission { status values } errors { field code } }
}"""
SUBMIT = "mutation ($c: Int!) { submitReport(campaignId: $c) { submission { status } errors { field code } } }"
MY = "{ myReports { campaignId title status deadline submission { values history { kind } } } }"
CAMPAIGN = """query ($id: ID!) { reportCampaign(id: $id) {
  title progress { total submitted notStarted }
  comparison { columns { code } rows { municipality status values } }
  aggregates { code overall { count sum mean median min max } byKind { kind sum } choices { value count } } } }"""


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_municipality_fills_and_submits_over_the_tenant_api(client, alpha):
    campaign = open_campaign([alpha])
    with schema_context(alpha.schema_name):
        _c, token = api_client_create(name="reports", scopes=["reports:write"])
    values = '{"spent": "1000.10", "planned": "10.005"}'
    status, body = graphql(client, alpha.host, SAVE, {"c": campaign.pk, "v": values}, **bearer(token))
    assert status == 200
    assert body["data"]["saveReportDraft"]["errors"] == [{"field": "planned", "code": "FRACTION_OF_KOPECK"}]
    with schema_context(alpha.schema_name):
        assert not Submission.objects.exists()  # nothing half written, not even the started draft
    _s, body = graphql(client, alpha.host, SAVE, {"c": campaign.pk, "v": '{"spent": "1000.10", "planned": "10"}'},
                       **bearer(token))
    assert body["data"]["saveReportDraft"]["errors"] == []
    _s, body = graphql(client, alpha.host, SUBMIT, {"c": campaign.pk}, **bearer(token))
    assert body["data"]["submitReport"] == {"submission": {"status": "submitted"}, "errors": []}
    _s, body = graphql(client, alpha.host, MY, **bearer(token))
    (row,) = body["data"]["myReports"]
    assert row["status"] == "submitted" and '"1000.10"' in row["submission"]["values"]
    assert [entry["kind"] for entry in row["submission"]["history"]] == ["started", "saved", "submitted"]
    _s, body = graphql(client, alpha.host, SAVE, {"c": campaign.pk, "v": '{"spent": "1"}'}, **bearer(token))
    assert body["data"]["saveReportDraft"]["errors"] == [{"field": None, "code": "READ_ONLY"}]


def test_another_municipality_cannot_reach_the_report(client, alpha, beta):
    campaign = open_campaign([alpha])
    fill_and_submit(alpha, campaign, {"spent": "5"})
    with schema_context(beta.schema_name):
        _c, token = api_client_create(name="reports", scopes=["reports:write"])
    _s, body = graphql(client, beta.host, MY, **bearer(token))
    assert body["data"]["myReports"] == []
    _s, body = graphql(client, beta.host, SAVE, {"c": campaign.pk, "v": '{"spent": "1"}'}, **bearer(token))
    assert body["data"]["saveReportDraft"]["errors"] == [{"field": None, "code": "NOT_ASKED"}]
    # The campaign's regional API is not served on a municipality's host.
    _s, body = graphql(client, beta.host, CAMPAIGN, {"id": to_global_id("ReportCampaign", campaign.pk)},
                       **bearer(token))
    assert "errors" in body and not (body.get("data") or {}).get("reportCampaign")


def test_the_region_reads_progress_comparison_and_aggregates(client, alpha, beta, region_host):
    campaign = open_campaign([alpha, beta])
    fill_and_submit(alpha, campaign, {"spent": "100.50", "topic": "housing"})
    fill_and_submit(beta, campaign, {"spent": "200", "topic": "housing"})
    with schema_context("public"):
        _c, everyone = api_client_create(name="dwh", scopes=["reports:read"],
                                         municipalities=[alpha.schema_name, beta.schema_name])
        _c, only_alpha = api_client_create(name="alpha-only", scopes=["reports:read"],
                                           municipalities=[alpha.schema_name])
    gid = to_global_id("ReportCampaign", campaign.pk)
    _s, body = graphql(client, region_host, CAMPAIGN, {"id": gid}, **bearer(everyone))
    data = body["data"]["reportCampaign"]
    assert data["progress"] == {"total": 2, "submitted": 2, "notStarted": 0}
    spent = next(a for a in data["aggregates"] if a["code"] == "spent")
    assert Decimal(spent["overall"]["sum"]) == Decimal("300.50")
    assert Decimal(spent["overall"]["median"]) == Decimal("150.25")
    topic = next(a for a in data["aggregates"] if a["code"] == "topic")
    assert {"value": "housing", "count": 2} in topic["choices"]
    _s, body = graphql(client, region_host, CAMPAIGN, {"id": gid}, **bearer(only_alpha))
    data = body["data"]["reportCampaign"]
    assert [row["municipality"] for row in data["comparison"]["rows"]] == [alpha.municipality.name]
    assert Decimal(next(a for a in data["aggregates"] if a["code"] == "spent")["overall"]["sum"]) == Decimal("100.50")


def test_the_committee_returns_and_accepts_over_the_regional_api(client, alpha, regional_admin, region_host):
    campaign = open_campaign([alpha])
    fill_and_submit(alpha, campaign, {"spent": "5"})
    login(client, region_host, regional_admin.email)
    review = """mutation ($c: ID!, $m: String!, $a: Boolean!, $t: String) {
      reviewReport(campaign: $c, municipality: $m, accept: $a, comment: $t) { status errors { field code } } }"""
    gid = to_global_id("ReportCampaign", campaign.pk)
    _s, body = graphql(client, region_host, review, {"c": gid, "m": alpha.municipality.slug, "a": False, "t": ""})
    assert body["data"]["reviewReport"]["errors"] == [{"field": "comment", "code": "COMMENT_REQUIRED"}]
    _s, body = graphql(client, region_host, review, {"c": gid, "m": alpha.municipality.slug, "a": False,
                                                     "t": "Проверьте сумму"})
    assert body["data"]["reviewReport"] == {"status": "returned", "errors": []}
    assert SubmissionCopy.objects.get(campaign=campaign).comment == "Проверьте сумму"
    with schema_context(alpha.schema_name):
        assert Submission.objects.get().comment == "Проверьте сумму"


def test_a_reporter_may_fill_and_a_viewer_may_only_look(client, alpha):
    campaign = open_campaign([alpha])
    email = staff(alpha, "viewer-reports@alpha.example.ru", "viewer")
    login(client, alpha.host, email)
    _s, body = graphql(client, alpha.host, MY)
    assert body["data"]["myReports"][0]["campaignId"] == campaign.pk
    _s, body = graphql(client, alpha.host, SAVE, {"c": campaign.pk, "v": '{"spent": "1"}'})
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_lists_cost_the_same_queries_at_two_page_sizes(client, alpha, region_host):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        open_campaign([alpha], code=f"list-{_}")
    with schema_context("public"):
        _c, token = api_client_create(name="dwh", scopes=["reports:read"], municipalities=[alpha.schema_name])
    query = ("query ($n: Int) { reportCampaigns(first: $n) { edges { node { title deadline "
             "version { number title } } } } }")
    graphql(client, region_host, query, {"n": 1}, **bearer(token))  # the client's record is cached from here on
    counts = []
    for first in (1, 3):
        with CaptureQueriesContext(connection) as captured:
            _s, body = graphql(client, region_host, query, {"n": first}, **bearer(token))
        assert len(body["data"]["reportCampaigns"]["edges"]) == first
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with schema_context(alpha.schema_name):
        _c, tenant_token = api_client_create(name="reports", scopes=["reports:write"])
    mine = "{ myReports { title status template { title sections { title } } submission { status } } }"
    graphql(client, alpha.host, mine, **bearer(tenant_token))
    counts = []
    for more in (0, 2):
        for n in range(more):
            fill_and_submit(alpha, open_campaign([alpha], code=f"more-{n}"), {"spent": "1"})
        with CaptureQueriesContext(connection) as captured:
            _s, body = graphql(client, alpha.host, mine, **bearer(tenant_token))
        assert len(body["data"]["myReports"]) == 3 + more
        counts.append(len(captured))
    assert counts[0] == counts[1]
