"""The property register's services: numbering, the register's rules (bad input as typed errors and
nothing written), history, removal only with a basis, webhook events, counters, report sources and
the demo data."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from gorodok_platform.accounts.roles import CORE_ROLES, municipal_roles
from gorodok_platform.integrations.models import OutboxEvent
from gorodok_platform.modules import registered_modules
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets import services
from gorodok_services.assets.models import Asset, AssetChange, AssetsSettings, AssetStatus, Holder
from gorodok_services.assets.selectors import asset_register_balance_total, asset_register_count
from tests.support.assets import SCHOOL_INN, building, building_values, holder, vehicle


def codes_of(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}


def test_the_asset_manager_role_belongs_to_the_module():
    assert "asset_manager" not in {role.code for role in CORE_ROLES}
    assert "asset_manager" in municipal_roles()
    module = registered_modules()["assets"]
    assert [role.code for role in module.roles] == ["asset_manager"]
    assert {scope.code for scope in module.scopes} == {"assets:read", "assets:write"}
    assert {event.name for event in module.events} == {"asset.created", "asset.changed", "asset.removed",
                                                       "asset.status_changed", "maintenance.due",
                                                       "maintenance.overdue", "stocktaking.closed"}


def test_numbers_follow_the_section_and_the_settings(alpha):
    first = building(alpha)
    second = building(alpha, name="Здание детского сада", cadastral_number="19:01:010305:77")
    bus = vehicle(alpha)
    assert (first.register_number, second.register_number) == ("1.000001", "1.000002")
    assert bus.register_number == "2.000001"
    with schema_context(alpha.schema_name):
        services.assets_settings_update(values={"number_prefix": "РМИ-", "number_digits": 4})
        third = services.asset_create(values=building_values(holder(alpha), name="Котельная"))
    assert third.register_number == "РМИ-1.0003"


def test_a_given_register_number_must_be_free(alpha):
    building(alpha)
    with schema_context(alpha.schema_name), pytest.raises(ValidationError) as caught:
        services.asset_create(values=building_values(holder(alpha)), register_number="1.000001")
    assert codes_of(caught.value) == {"register_number": {codes.DUPLICATE}}


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"cadastral_number": "19-01-010203-215"}, "cadastral_number", codes.INVALID_CADASTRAL_NUMBER),
    ({"balance_value": Decimal("-1")}, "balance_value", codes.NEGATIVE_VALUE),
    ({"residual_value": Decimal("70000000")}, "residual_value", codes.RESIDUAL_ABOVE_BALANCE),
    ({"included_on": date.today() + timedelta(days=3)}, "included_on", codes.FUTURE_DATE),
    ({"kind": "vehicle", "section": "real_estate"}, "kind", codes.KIND_NOT_IN_SECTION),
    ({"latitude": Decimal("95")}, "latitude", codes.INVALID_COORDINATES),
    ({"holder": None}, "holder", codes.HOLDER_REQUIRED),
])
def test_bad_values_are_typed_errors_and_nothing_is_written(alpha, overrides, field, code):
    owner = holder(alpha)
    with schema_context(alpha.schema_name):
        before = (Asset.objects.count(), OutboxEvent.objects.count(), AssetChange.objects.count())
        with pytest.raises(ValidationError) as caught:
            services.asset_create(values=building_values(owner, **overrides))
        assert code in codes_of(caught.value)[field]
        assert (Asset.objects.count(), OutboxEvent.objects.count(), AssetChange.objects.count()) == before


def test_the_database_refuses_residual_above_balance_even_without_the_service(alpha):
    asset = building(alpha)
    with schema_context(alpha.schema_name), pytest.raises(IntegrityError), transaction.atomic():
        Asset.objects.filter(pk=asset.pk).update(residual_value=Decimal("99999999999"))


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"inn": "1901000031"}, "inn", codes.INVALID_INN),
    ({"inn": "19010000З3"}, "inn", codes.INVALID_INN),
    ({"ogrn": "1021901000031"}, "ogrn", codes.INVALID_OGRN),
])
def test_holders_inn_and_ogrn_are_checked(alpha, values, field, code):
    with schema_context(alpha.schema_name), pytest.raises(ValidationError) as caught:
        services.holder_create(values={"kind": "institution", "name": "МБОУ", "inn": SCHOOL_INN, **values})
    assert code in codes_of(caught.value)[field]


def test_a_holder_inn_is_unique(alpha):
    holder(alpha)
    with schema_context(alpha.schema_name), pytest.raises(ValidationError) as caught:
        services.holder_create(values={"kind": "institution", "name": "Другая", "inn": SCHOOL_INN})
    assert codes_of(caught.value) == {"inn": {codes.DUPLICATE}}


def test_changes_are_history_with_before_and_after_and_an_event(alpha):
    asset = building(alpha)
    with schema_context(alpha.schema_name):
        services.asset_update(asset=asset, values={"residual_value": Decimal("30000000.00"), "name": asset.name})
        entries = list(AssetChange.objects.filter(asset=asset).order_by("at", "pk"))
        assert [e.action for e in entries] == ["created", "changed"]
        assert entries[1].changes == {"residual_value": ["31000000.00", "30000000.00"]}
        events = list(OutboxEvent.objects.order_by("created_at", "id").values_list("event_type", "payload"))
    assert [e[0] for e in events] == ["asset.created", "asset.changed"]
    assert events[1][1]["data"]["changed"] == ["residual_value"]
    assert events[1][1]["data"]["residual_value"] == "30000000.00"


def test_removal_needs_a_basis_and_keeps_the_object(alpha):
    asset = building(alpha)
    with schema_context(alpha.schema_name):
        with pytest.raises(ValidationError) as caught:
            services.asset_remove(asset=asset, removed_on=date(2024, 5, 1), reason="", document=None)
        assert codes_of(caught.value) == {"document": {codes.BASIS_REQUIRED}, "reason": {codes.BASIS_REQUIRED}}
        with pytest.raises(ValidationError) as caught:
            services.asset_remove(asset=asset, removed_on=date(2010, 1, 1), reason="снос",
                                  document=services.DocumentInput(kind="write_off", date=date(2024, 5, 1)))
        assert codes_of(caught.value) == {"removed_on": {codes.INVALID_DATES}}
        services.asset_remove(asset=asset, removed_on=date(2024, 5, 1), reason="снос ветхого здания",
                              document=services.DocumentInput(kind="write_off", number="12", date=date(2024, 5, 1)))
        asset.refresh_from_db()
        assert asset.status == AssetStatus.REMOVED and asset.removed_on == date(2024, 5, 1)
        assert asset.documents.get().role == "termination"
        assert OutboxEvent.objects.filter(event_type="asset.removed").get().payload["data"]["basis"]["number"] == "12"
        with pytest.raises(ValidationError) as caught:
            services.asset_update(asset=asset, values={"name": "x"})
        assert caught.value.code == codes.ALREADY_REMOVED
        assert asset_register_count() == 0


def test_the_register_lists_movables_by_threshold_and_counts_values(alpha):
    building(alpha)
    vehicle(alpha)  # 3.2 million: listed
    vehicle(alpha, name="Ноутбук", kind="equipment", make="", model="", year=None, vin="", plate="",
            balance_value=Decimal("68000"), residual_value=Decimal("0"))
    vehicle(alpha, name="Проектор", kind="equipment", make="", model="", year=None, vin="", plate="",
            balance_value=Decimal("90000"), residual_value=Decimal("0"), especially_valuable=True)
    with schema_context(alpha.schema_name):
        assert asset_register_count() == 3
        assert asset_register_balance_total() == Decimal("67290000.00")
        AssetsSettings.objects.update(movable_threshold=Decimal("50000"))
        assert asset_register_count() == 4


def test_counters_and_report_sources(alpha):
    building(alpha)
    vehicle(alpha)
    module = registered_modules()["assets"]
    sources = {source.key: source for source in module.report_sources}
    counters = {counter.key: counter for counter in module.counters}
    with schema_context(alpha.schema_name):
        assert counters["in_register"].compute() == 2
        assert counters["balance_total"].compute() == Decimal("67200000.00")
        assert sources["real_estate_objects"].compute(date(2024, 1, 1), date(2024, 12, 31)) == 1
        assert sources["movable_objects"].compute(date(2024, 1, 1), date(2024, 12, 31)) == 1
        assert sources["movable_objects"].compute(date(2019, 1, 1), date(2019, 12, 31)) == 0
        assert sources["operational_management_objects"].compute(date(2024, 1, 1), date(2024, 12, 31)) == 2
        assert sources["balance_value"].compute(date(2024, 1, 1), date(2024, 12, 31)) == Decimal("67200000.00")
        assert sources["residual_value"].compute(date(2024, 1, 1), date(2024, 12, 31)) == Decimal("32280000.00")
        assert sources["included"].compute(date(2015, 1, 1), date(2015, 12, 31)) == 1


def test_demo_data_are_made_once_through_the_services(alpha, media_root):
    call_command("seed_demo", schema=alpha.schema_name, modules=["assets"], quiet=True)
    with schema_context(alpha.schema_name):
        counts = (Asset.objects.count(), Holder.objects.count(), AssetChange.objects.count())
        assert counts[0] >= 15 and counts[1] == 5
        assert Asset.objects.filter(kind="vehicle").exists() and Asset.objects.filter(kind="land_plot").exists()
        assert OutboxEvent.objects.filter(event_type="asset.created").count() == counts[0]
    call_command("seed_demo", schema=alpha.schema_name, modules=["assets"], quiet=True)
    with schema_context(alpha.schema_name):
        assert (Asset.objects.count(), Holder.objects.count(), AssetChange.objects.count()) == counts
