"""The working life of a register object: every allowed and every refused move of the lifecycle table,
through the service, the back office and the API; dates, basis, history, events, and isolation."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.integrations.models import OutboxEvent
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets import services
from gorodok_services.assets.lifecycle import ALLOWED_TRANSITIONS, allowed_next, asset_transition
from gorodok_services.assets.models import Asset, AssetChange, AssetTransition, LifecycleStatus
from tests.conftest import graphql, login
from tests.support.assets import asset_gid, building, vehicle

S = LifecycleStatus

# The table as the municipality's asset manager reads it: from -> the statuses it may become.
EXPECTED = {
    S.IN_USE: {S.IN_RESERVE, S.UNDER_REPAIR, S.TRANSFERRED, S.LEASED, S.WRITTEN_OFF},
    S.IN_RESERVE: {S.IN_USE, S.UNDER_REPAIR, S.TRANSFERRED, S.LEASED, S.WRITTEN_OFF},
    S.UNDER_REPAIR: {S.IN_USE, S.IN_RESERVE, S.WRITTEN_OFF},
    S.TRANSFERRED: {S.IN_USE, S.IN_RESERVE},
    S.LEASED: {S.IN_USE, S.IN_RESERVE},
    S.WRITTEN_OFF: {S.DISPOSED},
    S.DISPOSED: set(),
}
PAIRS = [(a, b) for a, b in product(S.values, S.values) if a != b]
ON = date(2024, 3, 1)


def codes_of(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}


def test_the_table_is_the_one_the_module_documents():
    assert {k: set(v) for k, v in ALLOWED_TRANSITIONS.items()} == EXPECTED
    assert set(ALLOWED_TRANSITIONS) == set(S.values)


@pytest.fixture
def one(alpha):
    return building(alpha)


def _put(alpha, asset, status: str) -> None:
    """Place the object in ``status`` directly (the table is what is under test, not the way there)."""
    with schema_context(alpha.schema_name):
        Asset.objects.filter(pk=asset.pk).update(lifecycle_status=status)


@pytest.mark.parametrize(("current", "wanted"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_move_is_allowed_or_refused_by_the_table(alpha, one, current, wanted):
    _put(alpha, one, current)
    with schema_context(alpha.schema_name):
        before = (AssetTransition.objects.count(), AssetChange.objects.count(), OutboxEvent.objects.count())
        if wanted in EXPECTED[current]:
            row = asset_transition(asset=one, to_status=wanted, on=ON, basis="распоряжение № 12")
            assert (row.from_status, row.to_status, row.on) == (current, wanted, ON)
            assert Asset.objects.get(pk=one.pk).lifecycle_status == wanted
        else:
            with pytest.raises(ValidationError) as caught:
                asset_transition(asset=one, to_status=wanted, on=ON, basis="распоряжение № 12")
            assert codes_of(caught.value) == {"to_status": {codes.TRANSITION_NOT_ALLOWED}}
            assert Asset.objects.get(pk=one.pk).lifecycle_status == current
            assert (AssetTransition.objects.count(), AssetChange.objects.count(),
                    OutboxEvent.objects.count()) == before


def test_a_move_records_who_when_why_and_tells_subscribers(alpha, one, django_user_model):
    with schema_context(alpha.schema_name):
        actor = django_user_model.objects.get(email=alpha.admin_email)
        asset_transition(asset=one, to_status=S.UNDER_REPAIR, on=ON, basis="акт осмотра № 3", actor=actor,
                         source="back_office")
        asset_transition(asset=one, to_status=S.IN_USE, on=ON + timedelta(days=40), basis="акт приёмки № 4")
        rows = list(AssetTransition.objects.filter(asset=one).values_list("from_status", "to_status", "basis",
                                                                          "actor_email"))
        assert rows == [(S.IN_USE, S.UNDER_REPAIR, "акт осмотра № 3", alpha.admin_email),
                        (S.UNDER_REPAIR, S.IN_USE, "акт приёмки № 4", "")]
        entry = AssetChange.objects.filter(asset=one, action="status_changed").order_by("pk").first()
        assert entry.changes["lifecycle_status"] == ["in_use", "under_repair"]
        assert entry.actor_email == alpha.admin_email and entry.source == "back_office"
        events = OutboxEvent.objects.filter(event_type="asset.status_changed").order_by("created_at", "id")
        data = events.first().payload["data"]
        assert (data["from_status"], data["to_status"], data["basis"]) == ("in_use", "under_repair", "акт осмотра № 3")
        assert data["register_number"] == one.register_number and events.count() == 2


@pytest.mark.parametrize(("on", "basis", "field", "code"), [
    (None, "приказ", "on", "required"),
    (date(2999, 1, 1), "приказ", "on", codes.FUTURE_DATE),
    (date(2014, 1, 1), "приказ", "on", codes.INVALID_DATES),  # the building was included in 2015
    (ON, "   ", "basis", codes.BASIS_REQUIRED),
    (ON, "x" * 501, "basis", "max_length"),
])
def test_bad_dates_and_a_missing_basis_are_typed_errors(alpha, one, on, basis, field, code):
    with schema_context(alpha.schema_name), pytest.raises(ValidationError) as caught:
        asset_transition(asset=one, to_status=S.IN_RESERVE, on=on, basis=basis)
    assert codes_of(caught.value) == {field: {code}}
    with schema_context(alpha.schema_name):
        assert not AssetTransition.objects.exists()


def test_a_move_cannot_be_dated_before_the_last_one(alpha, one):
    with schema_context(alpha.schema_name):
        asset_transition(asset=one, to_status=S.LEASED, on=ON, basis="договор аренды № 5")
        with pytest.raises(ValidationError) as caught:
            asset_transition(asset=one, to_status=S.IN_USE, on=ON - timedelta(days=1), basis="возврат")
    assert codes_of(caught.value) == {"on": {codes.INVALID_DATES}}


def test_leaving_the_register_ends_the_working_life(alpha, one):
    with schema_context(alpha.schema_name):
        services.asset_remove(asset=one, removed_on=date(2024, 6, 1), reason="снос",
                              document=services.DocumentInput(kind="write_off", number="7", date=date(2024, 6, 1)))
        one.refresh_from_db()
        assert one.lifecycle_status == S.DISPOSED
        assert list(one.transitions.values_list("to_status", "on")) == [(S.DISPOSED, date(2024, 6, 1))]
        assert allowed_next(one.lifecycle_status) == []
        with pytest.raises(ValidationError) as caught:
            asset_transition(asset=one, to_status=S.IN_USE, on=date(2024, 6, 2), basis="ошибка")
        assert caught.value.code == codes.ALREADY_REMOVED


def test_written_off_then_removed_records_one_disposal(alpha, one):
    with schema_context(alpha.schema_name):
        asset_transition(asset=one, to_status=S.WRITTEN_OFF, on=ON, basis="акт списания № 2")
        asset_transition(asset=one, to_status=S.DISPOSED, on=ON, basis="акт утилизации № 2")
        services.asset_remove(asset=one, removed_on=ON, reason="утилизирован",
                              document=services.DocumentInput(kind="write_off", number="2", date=ON))
        assert list(one.transitions.values_list("to_status", flat=True)) == [S.WRITTEN_OFF, S.DISPOSED]


# --- the back office ---------------------------------------------------------------------------------------

LIST = "/admin/assets/asset/"


def test_the_back_office_offers_only_allowed_moves_and_shows_the_status(client, alpha, one):
    login(client, alpha.host, alpha.admin_email)
    url = f"{LIST}{one.pk}/act/status/"
    page = client.get(url, HTTP_HOST=alpha.host).content.decode()
    assert 'value="under_repair"' in page and 'value="disposed"' not in page
    response = client.post(url, {"to_status": "disposed", "on": "2024-03-01", "basis": "x"}, HTTP_HOST=alpha.host)
    assert response.status_code == 200  # not offered: the form refuses it
    response = client.post(url, {"to_status": "leased", "on": "2024-03-01", "basis": "договор аренды № 9"},
                           HTTP_HOST=alpha.host)
    assert response.status_code == 302
    listing = client.get(f"{LIST}?lifecycle_status__exact=leased", HTTP_HOST=alpha.host).content.decode()
    assert one.register_number in listing
    page = client.get(f"{LIST}{one.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    assert "договор аренды № 9" in page
    with schema_context(alpha.schema_name):
        assert Asset.objects.get(pk=one.pk).lifecycle_status == S.LEASED


def test_the_back_office_refuses_another_municipalitys_object(client, alpha, beta):
    theirs = building(beta)
    building(alpha, name="Наш объект")
    login(client, alpha.host, alpha.admin_email)
    response = client.post(f"{LIST}{theirs.pk + 1000}/act/status/", {"to_status": "leased", "on": "2024-03-01",
                                                                    "basis": "x"}, HTTP_HOST=alpha.host)
    assert response.status_code == 404
    with schema_context(beta.schema_name):
        assert Asset.objects.get(pk=theirs.pk).lifecycle_status == S.IN_USE


# --- the API ---------------------------------------------------------------------------------------------------

CHANGE = """mutation ($id: ID!, $to: AssetLifecycleStatus!, $on: Date!, $basis: String!) {
  changeAssetStatus(id: $id, toStatus: $to, on: $on, basis: $basis) {
    asset { lifecycleStatus allowedStatuses transitions { fromStatus toStatus on basis } }
    errors { field code } } }"""


def _token(tenant, *scopes):
    from gorodok_platform.integrations.services import api_client_create

    with schema_context(tenant.schema_name):
        _client, token = api_client_create(name="Учёт ИКТ", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_api_moves_an_object_and_refuses_a_move_off_the_table(client, alpha, beta):
    bus = vehicle(alpha)
    headers = _token(alpha, "assets:read", "assets:write")
    status, body = graphql(client, alpha.host, CHANGE, {"id": asset_gid(bus), "to": "UNDER_REPAIR",
                                                        "on": "2024-03-01", "basis": "акт дефектовки № 1"}, **headers)
    result = body["data"]["changeAssetStatus"]
    assert result["errors"] == []
    assert result["asset"]["lifecycleStatus"] == "UNDER_REPAIR"
    assert result["asset"]["allowedStatuses"] == ["IN_USE", "IN_RESERVE", "WRITTEN_OFF"]
    assert result["asset"]["transitions"] == [{"fromStatus": "IN_USE", "toStatus": "UNDER_REPAIR",
                                               "on": "2024-03-01", "basis": "акт дефектовки № 1"}]
    status, body = graphql(client, alpha.host, CHANGE, {"id": asset_gid(bus), "to": "LEASED", "on": "2024-03-02",
                                                        "basis": "договор"}, **headers)
    assert status == 200
    assert body["data"]["changeAssetStatus"]["errors"] == [{"field": "toStatus", "code": "TRANSITION_NOT_ALLOWED"}]
    theirs = vehicle(beta)
    status, body = graphql(client, alpha.host, CHANGE, {"id": to_global_id("Asset", theirs.pk + 1000), "to": "LEASED",
                                                        "on": "2024-03-02", "basis": "x"}, **headers)
    assert body["data"]["changeAssetStatus"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    read_only = _token(alpha, "assets:read")
    status, body = graphql(client, alpha.host, CHANGE, {"id": asset_gid(bus), "to": "IN_USE", "on": "2024-03-02",
                                                        "basis": "x"}, **read_only)
    assert body["data"]["changeAssetStatus"] is None or body["data"]["changeAssetStatus"]["errors"]
    with schema_context(beta.schema_name):
        assert Asset.objects.get(pk=theirs.pk).lifecycle_status == S.IN_USE


def test_the_list_filters_by_status(client, alpha):
    bus = vehicle(alpha)
    building(alpha)
    with schema_context(alpha.schema_name):
        asset_transition(asset=bus, to_status=S.IN_RESERVE, on=ON, basis="приказ № 1")
    headers = _token(alpha, "assets:read")
    query = "query { assets(first: 10, lifecycleStatus: IN_RESERVE) { edges { node { registerNumber } } } }"
    status, body = graphql(client, alpha.host, query, **headers)
    assert [e["node"]["registerNumber"] for e in body["data"]["assets"]["edges"]] == [bus.register_number]
