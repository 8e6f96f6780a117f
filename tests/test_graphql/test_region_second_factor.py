"""The regional second factor holds on every surface, not only on the console's pages.

A regional administrator who signed in with the password but not the second factor is anonymous
everywhere: the regional API (every field, every mutation), downloads, support links and every other
URL of the region host. The walks below enumerate the schema and the URL configuration, so a field
or a page added later is checked without anyone remembering to."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context

from gorodok_graphql.region_schema import schema as region_schema
from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create
from gorodok_platform.integrations.models import ApiClient
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)
from tests.conftest import ADMIN_PASSWORD, graphql, login

EMAIL = "password-only@example.ru"


@pytest.fixture
def password_only(region_host, settings, db):
    """A regional administrator's browser after the password step, before the second factor."""
    settings.REQUIRE_REGIONAL_2FA = True
    with schema_context("public"):
        user = staff_user_create(email=EMAIL, password=ADMIN_PASSWORD, roles=[Role.REGIONAL_ADMIN])
        from gorodok_platform.accounts.two_factor import recovery_codes_issue

        recovery_codes_issue(user=user)  # enrolled: only this session's second factor is missing
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = browser.post("/admin/login/", {"username": EMAIL, "password": ADMIN_PASSWORD, "next": "/admin/"},
                            HTTP_HOST=region_host)
    assert response.status_code == 302
    return browser


@pytest.fixture
def anonymous():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def test_viewer_is_nobody_before_the_second_factor(password_only, region_host, regional_admin, client):
    status, body = graphql(password_only, region_host, "{ viewer { email roles } }")
    assert status == 200 and body["data"]["viewer"] is None, body
    login(client, region_host, regional_admin.email)  # with the second factor: the administrator
    status, body = graphql(client, region_host, "{ viewer { roles } }")
    assert body["data"]["viewer"]["roles"] == ["REGIONAL_ADMIN"], body


def test_no_api_client_is_issued_before_the_second_factor(password_only, region_host, alpha):
    query = """mutation { createApiClient(name: "exfil", scopes: [APPEALS_READ, APPEALS_PERSONAL_DATA],
                                          municipalities: ["alpha"]) { token errors { code } } }"""
    status, body = graphql(password_only, region_host, query)
    assert not (body.get("data") or {}).get("createApiClient"), body
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED", body
    with schema_context("public"):
        assert not ApiClient.objects.filter(name="exfil").exists()
    status, body = graphql(password_only, region_host, "{ apiClients(first: 5) { totalCount } }")
    assert body["data"]["apiClients"] is None and body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


def test_introspection_follows_the_anonymous_policy(password_only, anonymous, region_host, settings):
    settings.GRAPHQL_PUBLIC_INTROSPECTION = False
    query = "{ __schema { queryType { name } } }"
    assert graphql(password_only, region_host, query) == graphql(anonymous, region_host, query)


# --- Every field of the regional API ---------------------------------------------------------------

def _literal(type_) -> str:
    """A syntactically valid value for a required argument (the value itself does not matter)."""
    if isinstance(type_, GraphQLNonNull):
        return _literal(type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{_literal(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        fields = [f"{name}: {_literal(field.type)}" for name, field in type_.fields.items()
                  if isinstance(field.type, GraphQLNonNull)]
        return "{" + ", ".join(fields) + "}"
    if isinstance(type_, GraphQLScalarType):
        return {"Int": "1", "Float": "1.0", "Boolean": "false", "DateTime": '"2030-01-01T00:00:00+00:00"',
                "Date": '"2030-01-01"', "Decimal": '"1"', "JSONString": '"{}"', "UUID":
                '"00000000-0000-0000-0000-000000000000"'}.get(type_.name, '"x"')
    raise AssertionError(f"no literal for {type_}")


def _operation(kind: str, name: str, field) -> str:
    args = [f"{arg_name}: {_literal(arg.type)}" for arg_name, arg in field.args.items()
            if isinstance(arg.type, GraphQLNonNull)]
    arguments = f"({', '.join(args)})" if args else ""
    selection = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
    return f"{kind} {{ {name}{arguments}{selection} }}"


def _root_fields():
    graphql_schema = region_schema.graphql_schema
    for kind, root in (("query", graphql_schema.query_type), ("mutation", graphql_schema.mutation_type)):
        for name, field in root.fields.items():
            yield pytest.param(_operation(kind, name, field), id=f"{kind}.{name}")


@pytest.mark.parametrize("operation", list(_root_fields()))
def test_every_regional_field_answers_as_to_an_anonymous_caller(password_only, anonymous, region_host,
                                                                 operation):
    assert graphql(password_only, region_host, operation) == graphql(anonymous, region_host, operation)


def test_the_field_walk_covers_the_staff_fields():
    names = {param.id for param in _root_fields()}
    assert {"query.viewer", "query.apiClients", "mutation.createApiClient", "mutation.createMunicipality",
            "query.webhookSubscriptions"} <= names, names


# --- Every URL of the region host ------------------------------------------------------------------

SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "1", "uuid": "00000000-0000-0000-0000-000000000000"}


def _urls(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _urls(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield prefix + route


def _concrete(route: str) -> str:
    import re

    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", "x", route)  # a regex route (the admin's app index)
    return "/" + route


def _region_urls() -> list[str]:
    from django.conf import settings

    return sorted({_concrete(route) for route in _urls(get_resolver(settings.PUBLIC_SCHEMA_URLCONF))})


def test_the_url_walk_covers_downloads_and_support(region_host):
    urls = _region_urls()
    assert "/graphql/" in urls
    assert "/admin/gorodok_tenants/municipalityarchive/1/download/" in urls
    assert "/admin/gorodok_tenants/supportsession/add/" in urls
    assert len(urls) > 50


def _answer(response) -> tuple:
    return response.status_code, response.get("Location"), response.content if response.status_code < 300 else b""


def test_every_region_url_treats_the_password_only_session_as_anonymous(password_only, anonymous, region_host):
    checked = 0
    for url in _region_urls():
        for method in ("get", "post"):
            own = getattr(password_only, method)(url, HTTP_HOST=region_host)
            if url.startswith("/admin/two-factor/"):
                continue  # the second factor's own pages: the one place the session is known
            if own.status_code == 302 and own["Location"].startswith("/admin/two-factor/"):
                checked += 1
                continue  # sent to the second-factor step
            other = getattr(anonymous, method)(url, HTTP_HOST=region_host)
            assert _answer(own) == _answer(other), (method, url, own.status_code, own.get("Location"))
            checked += 1
    assert checked > 100


def test_a_verified_session_still_works_everywhere_it_did(client, regional_admin, region_host, db):
    login(client, region_host, regional_admin.email)
    assert client.get("/admin/gorodok_tenants/municipality/", HTTP_HOST=region_host).status_code == 200
    status, body = graphql(client, region_host, "{ apiClients(first: 1) { totalCount } }")
    assert "errors" not in body, body
    with schema_context("public"):
        assert User.objects.get(email=regional_admin.email).is_active


def test_the_console_login_page_sends_a_password_only_session_to_the_second_factor(password_only, region_host):
    response = password_only.get("/admin/login/?next=/admin/audit/auditentry/", HTTP_HOST=region_host)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/two-factor/?next=%2Fadmin%2Faudit%2Fauditentry%2F")


def test_json_body_is_kept(password_only, region_host):
    """The walk posts empty bodies; a real mutation body answers the same refusal."""
    response = password_only.post("/graphql/", data=json.dumps({"query": "{ viewer { email } }"}),
                                  content_type="application/json", HTTP_HOST=region_host)
    assert response.json()["data"]["viewer"] is None
