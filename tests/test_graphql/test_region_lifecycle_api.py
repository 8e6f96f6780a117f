"""Creating municipalities and switching modules through the regional API."""

import pytest
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_graphql.core.permissions import ModuleDisabled, check_module
from gorodok_platform.accounts.models import User
from gorodok_tenants.models import Municipality
from gorodok_tenants.modules import ModuleInfo, register_module, unregister_module
from tests.conftest import graphql, login

CREATE = """mutation ($input: CreateMunicipalityInput!) {
  createMunicipality(input: $input) {
    municipality { name oktmo kind status domain parent { oktmo } }
    signInLink
    errors { field code message }
  }
}"""

SET_MODULE = """mutation ($id: ID!, $module: String!, $enabled: Boolean!) {
  setMunicipalityModule(id: $id, module: $module, enabled: $enabled) {
    municipality { modules { code enabled } } errors { field code }
  }
}"""


@pytest.fixture
def admin_client(client, regional_admin, region_host, db):
    login(client, region_host, regional_admin.email)
    return client


@pytest.fixture
def demo_module():
    register_module(ModuleInfo(code="demo", name="Demo"))
    yield "demo"
    unregister_module("demo")


def _input(**overrides):
    return {"name": "Бейский район", "nameEn": "Beysky District", "slug": "beysky-t", "oktmo": "95612001",
            "kind": "MUNICIPAL_DISTRICT", **overrides}


def test_create_municipality_and_settlement(admin_client, region_host):
    status, body = graphql(admin_client, region_host, CREATE, {"input": _input(adminEmail="head@beysky.example.ru")})
    result = body["data"]["createMunicipality"]
    assert result["errors"] == []
    assert result["municipality"] == {"name": "Бейский район", "oktmo": "95612001", "kind": "MUNICIPAL_DISTRICT",
                                      "status": "ACTIVE", "domain": "beysky-t.localhost", "parent": None}
    assert result["signInLink"] is None  # e-mailed outside development, never returned
    district = Municipality.objects.get(slug="beysky-t")
    with schema_context(district.schema_name):
        assert User.objects.filter(email="head@beysky.example.ru").exists()

    status, body = graphql(admin_client, region_host, CREATE, {"input": _input(
        name="Бея", nameEn="Beya", slug="beya-t", oktmo="95612401101", kind="RURAL_SETTLEMENT",
        parentOktmo="95612001")})
    assert body["data"]["createMunicipality"]["municipality"]["parent"] == {"oktmo": "95612001"}
    assert status == 200
    status, body = graphql(admin_client, "beya-t.localhost", "{ municipality { name kind } }")
    assert body["data"]["municipality"] == {"name": "Бея", "kind": "RURAL_SETTLEMENT"}


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"oktmo": "123"}, "oktmo", "INVALID_OKTMO"),
    ({"oktmo": "95000001"}, "oktmo", "UNIQUE"),
    ({"slug": "alpha"}, "slug", "UNIQUE"),
    ({"slug": "Not a slug"}, "slug", "INVALID_SLUG"),
    ({"name": ""}, "name", "REQUIRED"),
    ({"timezone": "Mars/Olympus"}, "timezone", "INVALID_TIMEZONE"),
    ({"kind": "RURAL_SETTLEMENT"}, "parentOktmo", "PARENT_REQUIRED"),
    ({"kind": "RURAL_SETTLEMENT", "parentOktmo": "99999999"}, "parentOktmo", "UNKNOWN_PARENT"),
    ({"parentOktmo": "95000001"}, "parentOktmo", "INVALID_PARENT"),
    ({"adminEmail": "nope"}, "adminEmail", "INVALID"),
    ({"name": "Сорск\x00"}, "name", "INVALID"),
])
def test_create_rejects_bad_input_as_typed_errors(admin_client, region_host, alpha, overrides, field, code):
    before = Municipality.objects.count()
    status, body = graphql(admin_client, region_host, CREATE, {"input": _input(**overrides)})
    assert status == 200, body
    result = body["data"]["createMunicipality"]
    assert result["municipality"] is None
    assert (field, code) in {(e["field"], e["code"]) for e in result["errors"]}, result["errors"]
    assert Municipality.objects.count() == before


def test_create_needs_a_regional_admin(client, region_host, alpha):
    status, body = graphql(client, region_host, CREATE, {"input": _input()})
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    login(client, alpha.host, alpha.admin_email)  # a municipal admin, on the region host: nobody
    status, body = graphql(client, region_host, CREATE, {"input": _input()})
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert not Municipality.objects.filter(slug="beysky-t").exists()


def test_switch_a_module(admin_client, region_host, alpha, demo_module):
    gid = to_global_id("RegionMunicipality", alpha.municipality.pk)
    status, body = graphql(admin_client, region_host, SET_MODULE, {"id": gid, "module": "demo", "enabled": False})
    result = body["data"]["setMunicipalityModule"]
    assert result["errors"] == []
    assert {"code": "demo", "enabled": False} in result["municipality"]["modules"]
    alpha.municipality.refresh_from_db()

    class Request:
        tenant = alpha.municipality

    with pytest.raises(ModuleDisabled) as raised:
        check_module(Request, "demo")
    assert raised.value.extensions == {"code": "MODULE_DISABLED", "module": "demo"}

    status, body = graphql(admin_client, region_host, SET_MODULE, {"id": gid, "module": "nonsense", "enabled": True})
    assert body["data"]["setMunicipalityModule"]["errors"] == [{"field": "module", "code": "UNKNOWN_MODULE"}]
    graphql(admin_client, region_host, SET_MODULE, {"id": gid, "module": "demo", "enabled": True})
    alpha.municipality.refresh_from_db()
    check_module(Request, "demo")  # on again: no error
