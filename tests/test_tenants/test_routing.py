"""Host → municipality routing: cached, isolated, and clear about refusals."""

import json

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from gorodok_tenants.lifecycle.services import municipality_resume, municipality_suspend
from gorodok_tenants.models import Domain
from gorodok_tenants.routing import TenantRoutingMiddleware
from tests.conftest import graphql


def _route(host: str):
    seen = {}

    def view(request):
        seen["schema"] = connection.schema_name
        seen["tenant"] = getattr(request, "tenant", None)
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_HOST=host)
    with CaptureQueriesContext(connection) as queries:
        response = TenantRoutingMiddleware(view)(request)
    return response, seen, len(queries)


def test_warm_routing_spends_no_query(alpha):
    _, seen, cold = _route(alpha.host)
    assert seen["schema"] == alpha.schema_name
    assert cold >= 1
    connection.set_schema_to_public()
    response, seen, warm = _route(alpha.host)
    assert response.status_code == 200
    assert seen["schema"] == alpha.schema_name
    assert warm == 0


def test_host_with_port_and_case_routes_to_the_same_municipality(alpha):
    _, seen, _ = _route(alpha.host.upper() + ":8000")
    assert seen["schema"] == alpha.schema_name


def test_each_host_gets_its_own_schema(alpha, beta):
    _, seen_a, _ = _route(alpha.host)
    _, seen_b, _ = _route(beta.host)
    assert (seen_a["schema"], seen_b["schema"]) == (alpha.schema_name, beta.schema_name)


def test_region_host_is_the_public_schema(region_host, db):
    response, seen, queries = _route(region_host)
    assert response.status_code == 200
    assert seen["schema"] == "public"
    assert queries == 0


def test_unknown_host_is_404_json(client, db):
    response = client.get("/graphql/", HTTP_HOST="nowhere.localhost")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "UNKNOWN_HOST"


def test_unknown_host_is_cached_but_forgotten_when_the_host_is_added(alpha):
    response, _, _ = _route("new-host.localhost")
    assert response.status_code == 404
    _, _, warm = _route("new-host.localhost")
    assert warm == 0
    Domain.objects.create(domain="new-host.localhost", tenant=alpha.municipality, is_primary=False)
    response, seen, _ = _route("new-host.localhost")
    assert response.status_code == 200
    assert seen["schema"] == alpha.schema_name


def test_disallowed_host_is_refused_without_routing(client, db):
    response = client.get("/graphql/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "HOST_NOT_ALLOWED"


def test_suspended_municipality_answers_503_and_resumes(client, alpha, regional_admin):
    _route(alpha.host)  # warm the cache: suspension must still take effect at once
    municipality_suspend(municipality=alpha.municipality)
    response = client.post("/graphql/", data=json.dumps({"query": "{ municipality { name } }"}),
                           content_type="application/json", HTTP_HOST=alpha.host, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 503
    body = response.json()
    assert body["error"]["code"] == "MUNICIPALITY_SUSPENDED"
    assert "приостановлен" in body["error"]["message"]
    assert response["Retry-After"]
    municipality_resume(municipality=alpha.municipality)
    status, body = graphql(client, alpha.host, "{ municipality { name } }")
    assert status == 200
    assert body["data"]["municipality"]["name"] == "Альфа"


def test_suspension_message_in_english_on_request(client, alpha):
    municipality_suspend(municipality=alpha.municipality)
    response = client.get("/graphql/", HTTP_HOST=alpha.host, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "suspended" in response.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/admin/login/", "/graphql/"])
def test_region_and_tenant_hosts_serve_their_own_urls(client, alpha, region_host, path):
    assert client.get(path, HTTP_HOST=alpha.host).status_code in (200, 400)
    assert client.get(path, HTTP_HOST=region_host).status_code in (200, 400)
