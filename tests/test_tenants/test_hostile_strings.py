"""Everything a citizen or an integrator sends is hostile until escaped, on every back-office and
console page.

Hostile strings go in through the public surfaces (the tenant API as an integrator with
``appeals:write``, Open311, the regional API, webhook subscriptions, a file a citizen sent that an
officer attaches), then every page of both admin sites is walked: each list (also searched with a
hostile term), each object's page and history, each appeal action page. No page may carry the markup
unescaped; every HTML page carries a Content-Security-Policy without inline scripts, and none of the
admin's own pages needs one (no inline script, no inline event handler)."""

from __future__ import annotations

import json
import re
import uuid
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from gorodok_platform.integrations.models import WebhookDelivery, WebhookSubscription
from gorodok_services.appeals.admin import ACTIONS
from gorodok_services.appeals.models import Appeal
from gorodok_tenants.console import admin as _registrations  # noqa: F401  (registers the models)
from gorodok_tenants.console.sites import back_office, region_console
from tests.conftest import graphql, login
from tests.support.open311 import ROAD, api_client
from tests.support.open311 import post as open311_post

RAW_MARKERS = ("<script>hostile(", "<img src=x onerror=hostile(", "<svg onload=hostile(")
ESCAPED_MARKER = "&lt;script&gt;hostile("


def hostile(tag: str, limit: int = 1000) -> str:
    """A string that runs ``hostile(tag)`` in a browser if it ever reaches a page unescaped."""
    full = f"<script>hostile('{tag}')</script><img src=x onerror=hostile('{tag}')>\"'<svg onload=hostile(1)>"
    return full if len(full) <= limit else f"<script>hostile({tag[:limit - 27]})</script>"[:limit]


RECEIVE = """mutation ($input: ReceiveAppealInput!, $key: String) {
  receiveAppeal(input: $input, idempotencyKey: $key) { appeal { id } errors { field code message } } }"""


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _ok(body: dict, field: str) -> dict:
    assert "errors" not in body, body
    payload = body["data"][field]
    assert payload["errors"] == [], payload["errors"]
    return payload


def _seed_municipality(alpha, officer: Client) -> None:
    api = Client(HTTP_ACCEPT_LANGUAGE="en")
    token = api_client(alpha, scopes=("appeals:write", "appeals:read", "reports:write", "webhooks"))
    for number, channel in enumerate(("FEEDBACK_PLATFORM", "INTEGRATOR")):
        status, body = graphql(api, alpha.host, RECEIVE, {"key": hostile("idempotency", 128), "input": {
            "channel": channel, "subject": hostile("subject", 300), "text": hostile("text"),
            "questions": [{"classifierCode": ROAD, "text": hostile("question")},
                          {"classifierCode": ROAD, "text": hostile("question2")}],
            "applicantType": "LEGAL_ENTITY" if number else "PERSON", "applicantName": hostile("applicant", 300),
            "applicantInn": "7707083893" if number else None, "applicantAddress": hostile("address", 500),
            "problemAddress": hostile("problem", 500), "externalNumber": hostile(f"ext{number}", 64),
        }}, **_bearer(token))
        _ok(body, "receiveAppeal")
    status, body = open311_post(api, alpha, api_client(alpha), description=hostile("description"),
                                address_string=hostile("address311", 250), first_name=hostile("first", 100),
                                last_name=hostile("last", 100), media_url="https://x.example/" + hostile("media", 60)
                                .replace(" ", "%20"))
    assert status == 201 or status == 200, body
    query = 'mutation ($url: String!) { createWebhookSubscription(url: $url, events: []) { errors { code } } }'
    status, body = graphql(api, alpha.host, query, {"url": "https://hooks.example.com/" + hostile("hook", 100)
                                                    .replace(" ", "")}, **_bearer(token))
    _ok(body, "createWebhookSubscription")
    with schema_context(alpha.schema_name):
        # What the integrator's server answered: stored in the delivery log as it came.
        subscription = WebhookSubscription.objects.get()
        WebhookDelivery.objects.create(subscription=subscription, event_type="appeal.registered",
                                       event_schema=alpha.schema_name, event_uuid=uuid.uuid4(), attempt=1,
                                       status_code=500,
                                       error=hostile("error"), response_excerpt=hostile("response"))
    # The municipality's administrator names a client as the integrator asked.
    query = 'mutation ($name: String!) { createApiClient(name: $name, scopes: [APPEALS_READ]) { errors { code } } }'
    status, body = graphql(officer, alpha.host, query, {"name": hostile("clientname", 200)})
    _ok(body, "createApiClient")
    # An officer registers the appeals and attaches the file a citizen sent, under the citizen's file name.
    with schema_context(alpha.schema_name):
        appeals = list(Appeal.objects.order_by("pk"))
    for appeal in appeals:
        if appeal.status == "received":
            response = officer.post(f"/admin/appeals/appeal/{appeal.pk}/act/register/", HTTP_HOST=alpha.host)
            assert response.status_code == 200 and b"access" in response.content.lower()  # the code, shown once
            assert not any(marker.encode() in response.content for marker in RAW_MARKERS)
        upload = SimpleUploadedFile(hostile("file", 90).replace("/", "") + ".pdf", b"%PDF-1.4 hostile",
                                    content_type="application/pdf")
        response = officer.post(f"/admin/appeals/appeal/{appeal.pk}/act/attach/", {"file": upload},
                                HTTP_HOST=alpha.host)
        assert response.status_code == 302, response.content[-2000:]


def _seed_region(region_host, console: Client, alpha) -> None:
    query = """mutation ($name: String!) { createApiClient(name: $name,
                scopes: [REGION_READ, WEBHOOKS, APPEALS_READ, REPORTS_WRITE],
                municipalities: ["alpha"]) { token errors { code } } }"""
    status, body = graphql(console, region_host, query, {"name": hostile("regionalclient", 200)})
    token = _ok(body, "createApiClient")["token"]
    query = 'mutation ($url: String!) { createWebhookSubscription(url: $url, events: []) { errors { code } } }'
    status, body = graphql(Client(), region_host, query, {"url": "https://hooks.example.com/" + hostile(
        "regionhook", 100).replace(" ", "")}, **_bearer(token))
    _ok(body, "createWebhookSubscription")


SAVE_REPORT = """mutation ($c: Int!, $v: JSONString!) {
  saveReportDraft(campaignId: $c, values: $v) { submission { status } errors { field code } } }"""
SUBMIT_REPORT = "mutation ($c: Int!) { submitReport(campaignId: $c) { submission { status } errors { code } } }"


def _seed_reporting(alpha):
    """A report template whose title, labels, help texts and choices are hostile (the help text is a form's
    help_text, which Django does not escape), a campaign named so, the municipality's answers sent as an
    integrator would, a second report returned with a hostile comment, and a region-wide appeals summary.
    Returns the campaigns."""
    from datetime import timedelta

    from django.utils import timezone

    from gorodok_services.reporting import services as reporting
    from gorodok_services.reporting.summaries import appeals_summary_request

    definition = {"sections": [{"title": hostile("section", 200), "fields": [
        {"code": "note", "type": "text", "label": hostile("label", 200), "help": hostile("help", 300)},
        {"code": "topic", "type": "choice", "label": hostile("choicefield", 200),
         "choices": [{"value": "a", "label": hostile("choice", 200)}, {"value": "b", "label": "Б"}]},
        {"code": "amount", "type": "money", "unit": "rub", "label": hostile("money", 200)},
        {"code": "rows", "type": "table", "label": hostile("table", 200), "columns": [
            {"code": "item", "type": "text", "label": hostile("column", 200)}]},
    ]}]}
    version = reporting.template_create(code="hostile", title=hostile("template", 300), definition=definition)
    version = reporting.template_version_publish(version=version)
    today = timezone.localdate()
    campaigns = []
    for number in range(2):
        campaigns.append(reporting.campaign_open(campaign=reporting.campaign_create(
            version=version, title=hostile(f"campaign{number}", 300), period_start=today.replace(day=1),
            period_end=today, deadline=today + timedelta(days=3), audience="list",
            municipalities=[alpha.municipality])))
    api = Client(HTTP_ACCEPT_LANGUAGE="en")
    token = api_client(alpha, scopes=("reports:write",))
    values = json.dumps({"note": hostile("answer", 2000), "topic": "a", "amount": "10.50",
                         "rows": [{"item": hostile("row", 500)}]})
    for campaign in campaigns:
        _status, body = graphql(api, alpha.host, SAVE_REPORT, {"c": campaign.pk, "v": values}, **_bearer(token))
        _ok(body, "saveReportDraft")
        _status, body = graphql(api, alpha.host, SUBMIT_REPORT, {"c": campaign.pk}, **_bearer(token))
        _ok(body, "submitReport")
    reporting.submission_return(campaign=campaigns[1], municipality=alpha.municipality,
                                comment=hostile("returncomment", 2000))
    appeals_summary_request(date_from=today.replace(day=1), date_to=today)
    return campaigns


class _Scripts(HTMLParser):
    """The inline scripts and inline event handlers of a page, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append(f"inline <script> {attrs}")
        self.found += [f"<{tag} {name}=...>" for name, _value in attrs if name.startswith("on")]


def inline_code(page: str) -> list[str]:
    parser = _Scripts()
    parser.feed(page)
    return parser.found


class Walk:
    def __init__(self, client: Client, host: str):
        self.client, self.host = client, host
        self.pages: list[str] = []
        self.escaped_seen = 0

    def check(self, url: str, **params):
        response = self.client.get(url, params, HTTP_HOST=self.host)
        assert response.status_code in (200, 302, 403, 404, 405), (url, response.status_code)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            return response
        page = response.content.decode()
        for marker in RAW_MARKERS:
            assert marker not in page, f"{url}: unescaped {marker!r} near " + page[max(0, page.find(marker) - 300):
                                                                                page.find(marker) + 100]
        assert inline_code(page) == [], url
        policy = response.get("Content-Security-Policy", "")
        script_src = next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")
        assert script_src and "'unsafe-inline'" not in script_src, (url, policy)
        self.escaped_seen += page.count(ESCAPED_MARKER)
        self.pages.append(url)
        return response

    def site(self, site, *, appeal_actions: bool = False):
        """Every page of ``site``: each of its URL patterns (lists, change pages, history, the custom
        pages a ModelAdmin adds), with the ids of the objects that exist."""
        self.check("/admin/")
        for model, model_admin in site._registry.items():
            base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            if model_admin.search_fields:
                self.check(base, q=hostile("search", 100))
            with schema_context(self.schema):
                pks = [str(pk) for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:25]]
            for route in _routes(model_admin.urls):
                if "<str:code>" in route and not (appeal_actions and model is Appeal):
                    continue
                for url in _fill(base + route, pks):
                    self.check(url)
        assert any(url.endswith("/history/") for url in self.pages)


def _routes(patterns, prefix: str = "") -> list[str]:
    from django.urls import URLPattern, URLResolver

    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


def _fill(route: str, pks: list[str]) -> list[str]:
    """Concrete URLs for a route: each existing object for ``object_id``, each appeal action for ``code``."""
    if "<path:object_id>/<path:" in route or "attachments" in route or "download" in route:
        return []  # files (checked elsewhere) and the admin's redirect of old URLs
    urls = [route]
    if "<path:object_id>" in route:
        urls = [url.replace("<path:object_id>", pk) for url in urls for pk in pks]
    if "<str:code>" in route:
        urls = [url.replace("<str:code>", code) for url in urls for code in ACTIONS]
    urls = [re.sub(r"<int:\w+>", "1", url) for url in urls]
    return [url for url in urls if "<" not in url]


def test_hostile_strings_are_escaped_on_every_back_office_page(client, alpha, media_root):
    login(client, alpha.host, alpha.admin_email)
    _seed_municipality(alpha, client)
    campaigns = _seed_reporting(alpha)
    walk = Walk(client, alpha.host)
    walk.schema = alpha.schema_name
    walk.site(back_office, appeal_actions=True)
    first = walk.check("/admin/").content.decode()
    assert "&lt;script&gt;hostile(&#x27;campaign0&#x27;)" in first  # the reports panel names the campaigns
    for campaign in campaigns:
        page = walk.check(f"/admin/reporting_submissions/submission/fill/{campaign.pk}/").content.decode()
        assert "&lt;script&gt;hostile(&#x27;help&#x27;)" in page and "&lt;script&gt;hostile(&#x27;answer" in page
    assert "hostile(&#x27;returncomment" in walk.check(
        f"/admin/reporting_submissions/submission/fill/{campaigns[1].pk}/").content.decode()
    with schema_context(alpha.schema_name):
        appeal = Appeal.objects.order_by("pk").first()
    answer = walk.check(f"/admin/appeals/appeal/{appeal.pk}/act/answer/")
    assert answer.status_code == 200 and "&lt;script&gt;hostile(&#x27;question&#x27;)" in answer.content.decode()
    assert len(walk.pages) > 40, walk.pages
    assert walk.escaped_seen > 50  # the strings are there, escaped


def test_hostile_strings_are_escaped_on_every_console_page(client, alpha, regional_admin, region_host, media_root):
    officer = Client(HTTP_ACCEPT_LANGUAGE="en")
    login(officer, alpha.host, alpha.admin_email)
    _seed_municipality(alpha, officer)
    campaigns = _seed_reporting(alpha)
    login(client, region_host, regional_admin.email)
    _seed_region(region_host, client, alpha)
    walk = Walk(client, region_host)
    walk.schema = "public"
    walk.site(region_console)
    assert "hostile(&#x27;campaign0&#x27;)" in walk.check("/admin/").content.decode()  # campaign progress
    for campaign in campaigns:
        figures = walk.check(f"/admin/reporting/campaign/{campaign.pk}/figures/").content.decode()
        assert "hostile(&#x27;choice&#x27;)" in figures and "hostile(&#x27;label&#x27;)" in figures
        walk.check(f"/admin/reporting/campaign/{campaign.pk}/extend/")
    submitted = walk.check(f"/admin/reporting/campaign/{campaigns[0].pk}/figures/").content.decode()
    assert "hostile(&#x27;answer" in submitted  # the returned one shows no values
    assert len(walk.pages) > 25, walk.pages
    assert walk.escaped_seen > 5


def test_the_answer_page_shows_a_question_as_text(client, alpha, media_root):
    """The original hole: a question's text was the answer form's help text, which Django does not escape."""
    login(client, alpha.host, alpha.admin_email)
    api = Client(HTTP_ACCEPT_LANGUAGE="en")
    token = api_client(alpha, scopes=("appeals:write",))
    status, body = graphql(api, alpha.host, RECEIVE, {"input": {
        "channel": "INTEGRATOR", "subject": "Яма", "text": "Яма у дома", "applicantType": "ANONYMOUS",
        "questions": [{"classifierCode": ROAD, "text": "<script>hostile('q')</script>"}]}}, **_bearer(token))
    _ok(body, "receiveAppeal")
    with schema_context(alpha.schema_name):
        appeal = Appeal.objects.get()
    client.post(f"/admin/appeals/appeal/{appeal.pk}/act/register/", HTTP_HOST=alpha.host)
    page = client.get(f"/admin/appeals/appeal/{appeal.pk}/act/answer/", HTTP_HOST=alpha.host).content.decode()
    assert "<script>hostile(" not in page
    assert "&lt;script&gt;hostile(&#x27;q&#x27;)&lt;/script&gt;" in page


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_every_response_of_both_sites_carries_the_policy(client, alpha, regional_admin, region_host):
    """The admin pages allow their theme's Alpine.js to evaluate its attribute expressions
    ('unsafe-eval'), never an inline script nor a script from elsewhere; every other page allows only
    our own script files."""
    for host in (alpha.host, region_host):
        directives = _directives(Client().get("/admin/login/", HTTP_HOST=host))
        assert directives["script-src"] == ["'self'", "'unsafe-eval'"], directives
        assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
        response = Client().post("/graphql/", data=json.dumps({"query": "{ __typename }"}),
                                 content_type="application/json", HTTP_HOST=host)
        assert _directives(response)["script-src"] == ["'self'"]
        assert response.json()


def test_graphiql_alone_gets_a_wider_policy(client, alpha, settings):
    from gorodok_graphql.core.views import GorodokGraphQLView
    from gorodok_graphql.tenant_schema import schema

    view = GorodokGraphQLView.as_view(schema=schema, graphiql=True)
    from django.test import RequestFactory

    request = RequestFactory().get("/graphql/", HTTP_ACCEPT="text/html", HTTP_HOST=alpha.host)
    from csp.middleware import CSPMiddleware

    middleware = CSPMiddleware(lambda r: view(r))
    response = middleware(request)
    policy = response["Content-Security-Policy"]
    assert "https://cdn.jsdelivr.net" in policy and "'unsafe-inline'" in policy.split("script-src")[1].split(";")[0]
