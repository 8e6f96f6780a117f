"""The regional reporting API for the committee's work: campaigns created from a template and extended
(typed errors, nothing half written, ``reports:manage`` for API clients, staff roles for people), and
the region-wide appeals summary asked for and read (a regional client sees only its municipalities)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.integrations.services import api_client_create
from gorodok_services.reporting.models import AppealsSummary, Campaign, SubmissionCopy
from tests.conftest import graphql, login
from tests.test_graphql.test_reporting_api import bearer
from tests.test_services.reporting_common import open_campaign, published
from tests.test_services.test_reporting_summary import make_appeals

TODAY = timezone.localdate()
CREATE = """mutation ($t: String!, $title: String!, $s: Date!, $e: Date!, $d: Date!, $a: String, $m: [String!],
  $v: Int) {
  createReportCampaign(template: $t, version: $v, title: $title, periodStart: $s, periodEnd: $e, deadline: $d,
    audience: $a, municipalities: $m) {
    campaign { id title deadline status progress { total notStarted } } errors { field code } } }"""
EXTEND = """mutation ($id: ID!, $d: Date!) {
  extendReportCampaign(id: $id, deadline: $d) { campaign { deadline } errors { field code } } }"""
TEMPLATES = "{ reportTemplates { number title publishedAt sections { fields { code } } } }"
SUMMARY = """mutation ($f: Date!, $t: Date!) { requestAppealsSummary(dateFrom: $f, dateTo: $t) {
  summary { id status percent total done columns { key label } rows { municipality values } totalRow xlsxUrl }
  errors { field code } } }"""
READ_SUMMARY = """query ($id: ID!) {
  appealsSummary(id: $id) { status rows { municipality values } totalRow xlsxUrl } }"""


def variables(**overrides):
    return {"t": "test-template", "title": "Годовой отчёт", "s": f"{TODAY.year - 1}-01-01",
            "e": f"{TODAY.year - 1}-12-31", "d": (TODAY + timedelta(days=20)).isoformat(), "a": "list", **overrides}


def manager(*tenants) -> str:
    with schema_context("public"):
        _c, token = api_client_create(name="committee-tools", scopes=["reports:read", "reports:manage"],
                                      municipalities=[t.schema_name for t in tenants])
    return token


def test_the_committee_creates_a_campaign_from_a_template_and_extends_it(client, alpha, beta, region_host):
    published()
    token = manager(alpha, beta)
    _s, body = graphql(client, region_host, TEMPLATES, **bearer(token))
    assert body["data"]["reportTemplates"][0]["publishedAt"]
    _s, body = graphql(client, region_host, CREATE, variables(m=[alpha.municipality.slug, beta.municipality.slug]),
                       **bearer(token))
    result = body["data"]["createReportCampaign"]
    assert result["errors"] == [] and result["campaign"]["status"] == "open"
    assert result["campaign"]["progress"] == {"total": 2, "notStarted": 2}
    campaign = Campaign.objects.get(title="Годовой отчёт")
    assert set(SubmissionCopy.objects.filter(campaign=campaign).values_list("municipality__slug", flat=True)) == {
        alpha.municipality.slug, beta.municipality.slug}
    later = (campaign.deadline + timedelta(days=7)).isoformat()
    _s, body = graphql(client, region_host, EXTEND, {"id": result["campaign"]["id"], "d": later}, **bearer(token))
    assert body["data"]["extendReportCampaign"] == {"campaign": {"deadline": later}, "errors": []}
    _s, body = graphql(client, region_host, EXTEND, {"id": result["campaign"]["id"], "d": TODAY.isoformat()},
                       **bearer(token))
    assert body["data"]["extendReportCampaign"]["errors"] == [{"field": "deadline", "code": "INVALID_DEADLINE"}]
    assert Campaign.objects.get(pk=campaign.pk).deadline.isoformat() == later


def test_bad_campaigns_are_typed_errors_and_nothing_is_written(client, alpha, region_host):
    published()
    token = manager(alpha)
    cases = [
        (variables(t="no-such-template", m=[alpha.municipality.slug]), "template", "VERSION_NOT_PUBLISHED"),
        (variables(v=99, m=[alpha.municipality.slug]), "template", "VERSION_NOT_PUBLISHED"),
        (variables(m=["nowhere"]), "municipalities", "INVALID_AUDIENCE"),
        (variables(m=[]), "audience", "INVALID_AUDIENCE"),
        (variables(e=f"{TODAY.year - 2}-01-01", m=[alpha.municipality.slug]), "periodEnd", "INVALID_PERIOD"),
        (variables(d=f"{TODAY.year - 2}-01-01", m=[alpha.municipality.slug]), "deadline", "INVALID_DEADLINE"),
        (variables(title=" ", m=[alpha.municipality.slug]), "title", "INVALID"),
    ]
    for values, field, code in cases:
        _s, body = graphql(client, region_host, CREATE, values, **bearer(token))
        assert body["data"]["createReportCampaign"]["errors"] == [{"field": field, "code": code}], values
    assert not Campaign.objects.exists()
    _s, body = graphql(client, region_host, CREATE, variables(d="0001-01-01"), **bearer(token))
    assert body["errors"][0]["extensions"]["code"] == "VALUE_OUT_OF_RANGE"
    # A closed campaign cannot be extended; an ID of another type is not found.
    closed = open_campaign([alpha], code="closing")
    from gorodok_services.reporting.services import campaign_close

    campaign_close(campaign=closed)
    _s, body = graphql(client, region_host, EXTEND, {"id": to_global_id("ReportCampaign", closed.pk),
                                                     "d": (closed.deadline + timedelta(days=1)).isoformat()},
                       **bearer(token))
    assert body["data"]["extendReportCampaign"]["errors"] == [{"field": None, "code": "INVALID_TRANSITION"}]
    _s, body = graphql(client, region_host, EXTEND, {"id": to_global_id("AppealsSummary", closed.pk),
                                                     "d": TODAY.isoformat()}, **bearer(token))
    assert body["data"]["extendReportCampaign"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]


def test_who_may_create_and_extend(client, alpha, region_host, regional_admin):
    published()
    with schema_context("public"):
        _c, reader = api_client_create(name="reader", scopes=["reports:read"])
    _s, body = graphql(client, region_host, CREATE, variables(m=[alpha.municipality.slug]), **bearer(reader))
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    with schema_context(alpha.schema_name):
        _c, municipal = api_client_create(name="municipal", scopes=["reports:write"])
    _s, body = graphql(client, alpha.host, CREATE, variables(m=[alpha.municipality.slug]), **bearer(municipal))
    assert "errors" in body  # not served on a municipality's host
    assert not Campaign.objects.exists()
    login(client, region_host, regional_admin.email)
    _s, body = graphql(client, region_host, CREATE, variables(m=[alpha.municipality.slug]))
    assert body["data"]["createReportCampaign"]["errors"] == []


def test_the_appeals_summary_over_the_regional_api(client, alpha, beta, region_host, regional_admin):
    make_appeals(alpha, beta)
    window = {"f": (TODAY - timedelta(days=1)).isoformat(), "t": (TODAY + timedelta(days=1)).isoformat()}
    with schema_context("public"):
        _c, only_alpha = api_client_create(name="alpha-dwh", scopes=["reports:read"],
                                           municipalities=[alpha.schema_name])
    _s, body = graphql(client, region_host, SUMMARY, window, **bearer(only_alpha))
    result = body["data"]["requestAppealsSummary"]
    assert result["errors"] == [] and result["summary"]["status"] == "done" and result["summary"]["percent"] == 100
    summary = result["summary"]
    received = [c["key"] for c in summary["columns"]].index("appeals.received")
    assert [row["municipality"] for row in summary["rows"]] == [alpha.municipality.name]
    assert summary["rows"][0]["values"][received] == 3 and summary["totalRow"][received] == 3
    assert summary["xlsxUrl"] is None  # files are for people signed in to the console
    login(client, region_host, regional_admin.email)
    _s, body = graphql(client, region_host, READ_SUMMARY, {"id": summary["id"]})
    data = body["data"]["appealsSummary"]
    assert {alpha.municipality.name, beta.municipality.name} <= {row["municipality"] for row in data["rows"]}
    assert data["totalRow"][received] >= 4 and data["xlsxUrl"].endswith("/file.xlsx")
    _s, body = graphql(client, region_host, SUMMARY, {"f": window["t"], "t": window["f"]})
    assert body["data"]["requestAppealsSummary"]["errors"] == [{"field": "dateTo", "code": "INVALID_PERIOD"}]
    assert AppealsSummary.objects.count() == 1
    # A municipality's client cannot read the region's summary, by ID or at all.
    with schema_context(alpha.schema_name):
        _c, municipal = api_client_create(name="municipal", scopes=["reports:write"])
    _s, body = graphql(client, alpha.host, READ_SUMMARY, {"id": summary["id"]}, **bearer(municipal))
    assert not (body.get("data") or {}).get("appealsSummary")
    with schema_context("public"):
        _c, outsider = api_client_create(name="outsider", scopes=["region:read"])
    _s, body = graphql(client, region_host, READ_SUMMARY, {"id": summary["id"]}, **bearer(outsider))
    assert not (body.get("data") or {}).get("appealsSummary")


def test_summary_rows_are_read_one_summary_at_a_time(client, alpha, region_host):
    with schema_context("public"):
        _c, token = api_client_create(name="dwh", scopes=["reports:read"], municipalities=[alpha.schema_name])
    many = "{ appealsSummaries(first: 100) { edges { node { status rows { municipality values } } } } }"
    _s, body = graphql(client, region_host, many, **bearer(token))
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    few = "{ appealsSummaries(first: 10) { edges { node { status periodStart rows { municipality } } } } }"
    _s, body = graphql(client, region_host, few, **bearer(token))
    assert "errors" not in body and body["data"]["appealsSummaries"]["edges"] == []
