"""Encumbrances corrected and ended through their services (history, events, typed errors), in the back
office and through the API; whether an object is listed in the register extract."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.integrations.models import OutboxEvent
from gorodok_platform.integrations.services import api_client_create
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets import services
from gorodok_services.assets.models import AssetChange, Encumbrance
from tests.conftest import graphql, login
from tests.support.assets import asset_gid, building, vehicle

LIST = "/admin/assets/asset/"


def lease(tenant, asset=None):
    asset = asset or building(tenant)
    with schema_context(tenant.schema_name):
        return services.asset_encumbrance_add(asset=asset, kind="lease", basis="договор аренды № 5",
                                              beneficiary="ИП Иванов", starts_on=date(2023, 1, 1))


def codes_of(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}


def test_update_and_end_record_history_and_events(alpha):
    row = lease(alpha)
    with schema_context(alpha.schema_name):
        before = OutboxEvent.objects.filter(event_type="asset.changed").count()
        services.asset_encumbrance_update(encumbrance=row, values={"beneficiary": "ООО «Аренда»",
                                                                   "ends_on": date(2030, 1, 1)})
        services.asset_encumbrance_end(encumbrance=row, ended_on=date(2024, 6, 30), basis="соглашение о расторжении")
        row.refresh_from_db()
        assert (row.beneficiary, row.ends_on, row.ended_on, row.end_basis) == (
            "ООО «Аренда»", date(2030, 1, 1), date(2024, 6, 30), "соглашение о расторжении")
        changed, ended = AssetChange.objects.filter(asset=row.asset, action__startswith="encumbrance_").exclude(
            action="encumbrance_added").order_by("pk")
        assert changed.action == "encumbrance_changed"
        assert changed.changes["encumbrance.beneficiary"] == ["ИП Иванов", "ООО «Аренда»"]
        assert changed.changes["encumbrance.ends_on"] == [None, "2030-01-01"]
        assert ended.action == "encumbrance_ended" and ended.changes["ended_on"] == [None, "2024-06-30"]
        events = OutboxEvent.objects.filter(event_type="asset.changed").order_by("pk")
        assert events.count() == before + 2
        assert events.last().payload["data"]["changed"] == ["encumbrances"]


def test_ending_is_checked(alpha):
    row = lease(alpha)
    with schema_context(alpha.schema_name):
        cases = [
            ({"ended_on": date(2022, 12, 31), "basis": "x"}, "ended_on", codes.INVALID_DATES),
            ({"ended_on": services.register_today() + timedelta(days=1), "basis": "x"}, "ended_on",
             codes.FUTURE_DATE),
            ({"ended_on": date(2024, 1, 1), "basis": "  "}, "basis", codes.BASIS_REQUIRED),
        ]
        for arguments, field, code in cases:
            with pytest.raises(ValidationError) as caught:
                services.asset_encumbrance_end(encumbrance=row, **arguments)
            assert code in codes_of(caught.value)[field]
        services.asset_encumbrance_end(encumbrance=row, ended_on=row.starts_on, basis="решение суда")
        for call in (lambda: services.asset_encumbrance_end(encumbrance=row, ended_on=date(2024, 1, 1), basis="y"),
                     lambda: services.asset_encumbrance_update(encumbrance=row, values={"basis": "z"})):
            with pytest.raises(ValidationError) as caught:
                call()
            assert caught.value.code == codes.ENCUMBRANCE_ENDED
        with pytest.raises(ValidationError) as caught:
            services.asset_encumbrance_update(encumbrance=lease(alpha, row.asset), values={"ends_on": date(2022, 1, 1)})
        assert codes.INVALID_DATES in codes_of(caught.value)["ends_on"]


def test_a_removed_object_refuses_changes_to_its_encumbrances(alpha):
    row = lease(alpha)
    with schema_context(alpha.schema_name):
        services.asset_remove(asset=row.asset, removed_on=date(2024, 5, 1), reason="снесено",
                              document=services.DocumentInput(kind="write_off", date=date(2024, 5, 1)))
        for call in (lambda: services.asset_encumbrance_end(encumbrance=row, ended_on=date(2024, 1, 1), basis="y"),
                     lambda: services.asset_encumbrance_update(encumbrance=row, values={"basis": "z"})):
            with pytest.raises(ValidationError) as caught:
                call()
            assert caught.value.code == codes.ALREADY_REMOVED
        assert Encumbrance.objects.get(pk=row.pk).ended_on is None


def test_back_office_changes_and_ends_an_encumbrance(client, alpha, beta):
    row = lease(alpha)
    login(client, alpha.host, alpha.admin_email)
    page = client.get(f"{LIST}{row.asset_id}/change/", HTTP_HOST=alpha.host).content.decode()
    base = f"{LIST}{row.asset_id}/encumbrances/{row.pk}/"
    assert f"{base}change/" in page and f"{base}end/" in page
    response = client.post(f"{base}change/", {"kind": "lease", "basis": "договор аренды № 5/1",
                                              "beneficiary": "ИП Иванов", "starts_on": "2023-01-01"},
                           HTTP_HOST=alpha.host)
    assert response.status_code == 302
    response = client.post(f"{base}end/", {"ended_on": "2022-01-01", "basis": "соглашение"}, HTTP_HOST=alpha.host)
    assert "An encumbrance cannot end before it starts." in response.content.decode()
    response = client.post(f"{base}end/", {"ended_on": "2024-01-01", "basis": "соглашение"}, HTTP_HOST=alpha.host)
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        row.refresh_from_db()
        assert row.basis == "договор аренды № 5/1" and row.ended_on == date(2024, 1, 1)
    page = client.get(f"{LIST}{row.asset_id}/change/", HTTP_HOST=alpha.host).content.decode()
    assert f"{base}end/" not in page  # ended: no more actions
    # another municipality's encumbrance, by URL (beta's second one: alpha has one only)
    lease(beta)
    other = lease(beta)
    with schema_context(alpha.schema_name):
        assert not Encumbrance.objects.filter(pk=other.pk).exists()
    assert client.get(f"{LIST}{row.asset_id}/encumbrances/{other.pk}/end/", HTTP_HOST=alpha.host).status_code == 404


UPDATE = """mutation ($id: ID!, $input: AssetEncumbranceChangeInput!) { updateAssetEncumbrance(id: $id, input: $input) {
  encumbrance { id beneficiary endsOn isActive } errors { field code } } }"""
END = """mutation ($id: ID!, $on: Date!, $basis: String!) { endAssetEncumbrance(id: $id, endedOn: $on, basis: $basis) {
  encumbrance { id endedOn endBasis isActive } asset { encumbrances { id isActive } history { action } }
  errors { field code } } }"""


def test_api_mutations_with_typed_errors_and_isolation(client, alpha, beta):
    row = lease(alpha)
    lease(beta)
    other = lease(beta)  # beta's second encumbrance: alpha has one only
    with schema_context(alpha.schema_name):
        _client, token = api_client_create(name="ЕГРН", scopes=["assets:read", "assets:write"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    gid = to_global_id("AssetEncumbrance", row.pk)
    _status, data = graphql(client, alpha.host, UPDATE, {"id": gid, "input": {"beneficiary": "ООО «Аренда»"}},
                            **headers)
    assert data["data"]["updateAssetEncumbrance"] == {
        "encumbrance": {"id": gid, "beneficiary": "ООО «Аренда»", "endsOn": None, "isActive": True}, "errors": []}
    _status, data = graphql(client, alpha.host, END, {"id": gid, "on": "2099-01-01", "basis": "x"}, **headers)
    assert data["data"]["endAssetEncumbrance"]["errors"] == [{"field": "endedOn", "code": "FUTURE_DATE"}]
    _status, data = graphql(client, alpha.host, END, {"id": gid, "on": "2024-02-01", "basis": "соглашение"}, **headers)
    payload = data["data"]["endAssetEncumbrance"]
    assert payload["errors"] == [] and payload["encumbrance"]["endedOn"] == "2024-02-01"
    assert payload["asset"]["encumbrances"] == [{"id": gid, "isActive": False}]
    assert payload["asset"]["history"][-1]["action"] == "encumbrance_ended"
    _status, data = graphql(client, alpha.host, END, {"id": gid, "on": "2024-03-01", "basis": "ещё раз"}, **headers)
    assert data["data"]["endAssetEncumbrance"]["errors"] == [{"field": None, "code": "ENCUMBRANCE_ENDED"}]
    with schema_context(alpha.schema_name):
        assert not Encumbrance.objects.filter(pk=other.pk).exists()
    for wrong in (to_global_id("AssetEncumbrance", other.pk), to_global_id("AssetEncumbrance", 999999),
                  to_global_id("Asset", row.asset_id)):
        _status, data = graphql(client, alpha.host, END, {"id": wrong, "on": "2024-02-01", "basis": "x"}, **headers)
        assert data["data"]["endAssetEncumbrance"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    read_only = {"HTTP_AUTHORIZATION": "Bearer " + api_client_create_in(alpha, ["assets:read"])}
    _status, data = graphql(client, alpha.host, UPDATE, {"id": gid, "input": {"basis": "y"}}, **read_only)
    assert data["errors"][0]["extensions"]["requiredScope"] == "assets:write"


def api_client_create_in(tenant, scopes) -> str:
    with schema_context(tenant.schema_name):
        return api_client_create(name="Только чтение", scopes=scopes)[1]


LISTED = """query { assets(first: 10) { edges { node { name listedInExtract } } } }"""


def test_listed_in_extract_follows_the_register_condition(client, alpha):
    building(alpha)  # real estate: always listed
    vehicle(alpha)  # 3,200,000 roubles: above the default threshold
    vehicle(alpha, name="Принтер", kind="equipment", vin="", plate="", make="", model="", year=None,
            balance_value=Decimal("15000"), residual_value=Decimal("0"))
    vehicle(alpha, name="Сервер", kind="equipment", vin="", plate="", make="", model="", year=None,
            balance_value=Decimal("15000"), residual_value=Decimal("0"), especially_valuable=True)
    removed = building(alpha, name="Снесённый склад", cadastral_number="19:01:010203:216")
    with schema_context(alpha.schema_name):
        services.asset_remove(asset=removed, removed_on=date(2024, 5, 1), reason="снесено",
                              document=services.DocumentInput(kind="write_off", date=date(2024, 5, 1)))
    headers = {"HTTP_AUTHORIZATION": "Bearer " + api_client_create_in(alpha, ["assets:read"])}
    _status, data = graphql(client, alpha.host, LISTED, **headers)
    listed = {edge["node"]["name"]: edge["node"]["listedInExtract"] for edge in data["data"]["assets"]["edges"]}
    assert listed == {"Здание школы № 1": True, "Школьный автобус": True, "Принтер": False, "Сервер": True,
                      "Снесённый склад": False}
    _status, data = graphql(client, alpha.host, "query ($id: ID!) { asset(id: $id) { listedInExtract } }",
                            {"id": asset_gid(removed)}, **headers)
    assert data["data"]["asset"]["listedInExtract"] is False
    login(client, alpha.host, alpha.admin_email)
    page = client.get(LIST, {"o": "10"}, HTTP_HOST=alpha.host).content.decode()
    assert "column-listed" in page
