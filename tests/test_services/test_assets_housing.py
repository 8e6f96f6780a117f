"""The housing stock and the utility networks: every rule of a profile (bad input as typed errors and
nothing written), history and the ``asset.changed`` event, the condition scale, the report sources'
figures at a period's end, the console counter, the demo data, and the back office (lists with filters in
Russian, profile pages through the services, the object page, another municipality's profiles not found,
and the access matrix of the new pages)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django_tenants.utils import schema_context

from gorodok_platform.accounts.roles import municipal_roles
from gorodok_platform.integrations.models import OutboxEvent
from gorodok_platform.modules import registered_modules
from gorodok_services.assets.housing import error_codes as codes
from gorodok_services.assets.housing import services
from gorodok_services.assets.housing.models import HousingProfile, HousingSettings, UtilityProfile
from gorodok_services.assets.models import Asset, AssetChange
from gorodok_services.assets.permissions import CHANGE, READ, RULES, SETTINGS
from gorodok_services.assets.services import register_today
from tests.conftest import login
from tests.support import matrix
from tests.support.assets import vehicle
from tests.support.housing import (
    APARTMENT_BUILDING,
    BOILER_HOUSE,
    HEAT_NETWORK,
    apartment_building,
    network,
    real_estate,
    remove,
)
from tests.test_tenants.test_admin_russian import english_texts

HOUSING = "/admin/assets_housing/housingprofile/"
UTILITY = "/admin/assets_housing/utilityprofile/"
SCALE = "/admin/assets_housing/housingsettings/"


def codes_of(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}


def nothing_written(tenant) -> bool:
    with schema_context(tenant.schema_name):
        return (not HousingProfile.objects.exists() and not UtilityProfile.objects.exists()
                and not AssetChange.objects.filter(action__in=("housing_set", "utility_set")).exists()
                and not OutboxEvent.objects.filter(event_type="asset.changed").exists())


# --- housing profiles ------------------------------------------------------------------------------------

def test_a_housing_profile_is_recorded_in_the_history_and_announced(alpha):
    asset = apartment_building(alpha)
    with schema_context(alpha.schema_name):
        profile = HousingProfile.objects.get(asset=asset)
        assert (profile.floors, profile.apartments, profile.total_area, profile.wear_percent) == (
            5, 60, Decimal("2870.00"), 52)
        entry = AssetChange.objects.get(asset=asset, action="housing_set")
        assert entry.changes["housing.wear_percent"] == [None, 52]
        assert entry.changes["housing.total_area"] == [None, "2870.00"]
        assert "housing.emergency" not in entry.changes  # nothing to say about what is empty
        event = OutboxEvent.objects.get(event_type="asset.changed").payload["data"]
        assert "housing.wear_percent" in event["changed"] and event["housing"]["wear_percent"] == 52
        # Replacing it records and announces only what differs; the same values again change nothing.
        services.housing_profile_set(asset=asset, values={**APARTMENT_BUILDING, "wear_percent": 64})
        services.housing_profile_set(asset=asset, values={**APARTMENT_BUILDING, "wear_percent": 64})
        entries = list(AssetChange.objects.filter(asset=asset, action="housing_set").order_by("pk"))
        assert len(entries) == 2 and entries[1].changes == {"housing.wear_percent": [52, 64]}
        events = list(OutboxEvent.objects.filter(event_type="asset.changed").order_by("created_at", "id"))
        assert len(events) == 2 and events[1].payload["data"]["changed"] == ["housing.wear_percent"]


TODAY = date.today()


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"wear_percent": 101}, {"wear_percent": {codes.WEAR_OUT_OF_RANGE}}),
    ({"wear_percent": -1}, {"wear_percent": {codes.WEAR_OUT_OF_RANGE}}),
    ({"wear_percent": None}, {"wear_percent": {"required"}}),
    ({"year_built": 1699}, {"year_built": {codes.YEAR_OUT_OF_RANGE}}),
    ({"year_built": TODAY.year + 1}, {"year_built": {codes.YEAR_OUT_OF_RANGE}}),
    ({"living_area": Decimal("2870.01")}, {"living_area": {codes.LIVING_ABOVE_TOTAL}}),
    ({"total_area": Decimal("-5")}, {"total_area": {codes.NEGATIVE_VALUE}}),
    ({"total_area": "много"}, {"total_area": {"invalid"}}),
    ({"total_area": "Infinity"}, {"total_area": {"invalid"}}),
    ({"floors": 0, "apartments": 0, "entrances": 0},
     {"floors": {codes.BELOW_ONE}, "apartments": {codes.BELOW_ONE}, "entrances": {codes.BELOW_ONE}}),
    ({"floors": None}, {"floors": {"required"}}),
    ({"emergency": True}, {"emergency_decision_number": {codes.DECISION_REQUIRED},
                           "emergency_decision_date": {codes.DECISION_REQUIRED}}),
    ({"emergency": True, "emergency_decision_number": "118-п", "emergency_decision_date": TODAY + timedelta(days=30)},
     {"emergency_decision_date": {codes.FUTURE_DATE}}),
    ({"emergency": True, "emergency_decision_number": "118-п", "emergency_decision_date": date(2023, 11, 20),
      "resettlement_planned_on": date(2023, 1, 1)}, {"resettlement_planned_on": {codes.INVALID_DATES}}),
    ({"emergency_decision_number": "118-п", "planned_action": "demolition"},
     {"emergency_decision_number": {codes.NOT_EMERGENCY}, "planned_action": {codes.NOT_EMERGENCY}}),
    ({"wear_assessed_on": TODAY + timedelta(days=2)}, {"wear_assessed_on": {codes.FUTURE_DATE}}),
    ({"housing_kind": "municipal_premises", "floors": None, "apartments": None},
     {"asset": {codes.WRONG_ASSET_KIND}}),
    ({"housing_kind": "castle"}, {"housing_kind": {"invalid_choice"}}),
    ({"wall_material": "glass"}, {"wall_material": {"invalid_choice"}}),
])
def test_bad_housing_values_are_typed_errors_and_nothing_is_written(alpha, overrides, expected):
    asset = real_estate(alpha, "building", "Многоквартирный дом")
    with schema_context(alpha.schema_name), pytest.raises(ValidationError) as caught:
        services.housing_profile_set(asset=asset, values={**APARTMENT_BUILDING, **overrides})
    assert codes_of(caught.value) == expected
    assert nothing_written(alpha)


def test_a_profile_only_on_an_object_of_the_right_kind_still_in_the_register(alpha):
    plot = real_estate(alpha, "land_plot", "Участок")
    bus = vehicle(alpha)
    flat = real_estate(alpha, "premises", "Квартира № 14")
    torn_down = real_estate(alpha, "building", "Барак")
    remove(alpha, torn_down, date(2024, 5, 1))
    with schema_context(alpha.schema_name):
        for asset in (plot, bus, flat):
            with pytest.raises(ValidationError) as caught:
                services.housing_profile_set(asset=asset, values=APARTMENT_BUILDING)
            assert codes_of(caught.value) == {"asset": {codes.WRONG_ASSET_KIND}}
        with pytest.raises(ValidationError) as caught:
            services.housing_profile_set(asset=torn_down, values=APARTMENT_BUILDING)
        assert codes_of(caught.value) == {"asset": {codes.ALREADY_REMOVED}}
        for asset in (plot, bus, flat):
            with pytest.raises(ValidationError) as caught:
                services.utility_profile_set(asset=asset, values=HEAT_NETWORK)
            assert codes_of(caught.value) == {"asset": {codes.WRONG_ASSET_KIND}}
        assert not HousingProfile.objects.exists() and not UtilityProfile.objects.exists()


def test_municipal_premises_point_to_a_building(alpha):
    house = apartment_building(alpha)
    flat = real_estate(alpha, "premises", "Квартира № 14")
    plot = real_estate(alpha, "land_plot", "Участок")
    torn_down = real_estate(alpha, "building", "Барак")
    remove(alpha, torn_down, date(2024, 5, 1))
    premises = {"housing_kind": "municipal_premises", "total_area": Decimal("48.6"), "wear_percent": 52}
    with schema_context(alpha.schema_name):
        for target, code in ((plot, codes.NOT_A_BUILDING), (flat, codes.NOT_A_BUILDING),
                             (torn_down, codes.ALREADY_REMOVED)):
            with pytest.raises(ValidationError) as caught:
                services.housing_profile_set(asset=flat, values={**premises, "building": target})
            assert codes_of(caught.value) == {"building": {code}}
        with pytest.raises(ValidationError) as caught:  # a building's own profile names no building
            services.housing_profile_set(asset=house, values={**APARTMENT_BUILDING, "building": house})
        assert codes_of(caught.value) == {"building": {"invalid"}}
        with pytest.raises(ValidationError) as caught:  # the building is recognised in disrepair, not a flat
            services.housing_profile_set(asset=flat, values={**premises, "building": house, "emergency": True,
                                                             "emergency_decision_number": "1",
                                                             "emergency_decision_date": date(2024, 1, 1)})
        assert codes_of(caught.value) == {"emergency": {"invalid"}}
        services.housing_profile_set(asset=flat, values={**premises, "building": house})
        assert HousingProfile.objects.get(asset=flat).building == house
        assert list(house.housing_premises.values_list("asset__name", flat=True)) == ["Квартира № 14"]


def test_a_refused_change_leaves_the_profile_as_it_was(alpha):
    asset = apartment_building(alpha)
    with schema_context(alpha.schema_name):
        with pytest.raises(ValidationError) as caught:
            services.housing_profile_set(asset=asset, values={**APARTMENT_BUILDING, "wear_percent": 70,
                                                              "living_area": Decimal("9999")})
        assert codes_of(caught.value) == {"living_area": {codes.LIVING_ABOVE_TOTAL}}
        profile = HousingProfile.objects.get(asset=asset)
        assert (profile.wear_percent, profile.living_area) == (52, Decimal("2010.00"))
        assert AssetChange.objects.filter(asset=asset, action="housing_set").count() == 1


def test_the_database_refuses_what_the_service_refuses(alpha):
    asset = apartment_building(alpha)
    with schema_context(alpha.schema_name):
        for update in ({"wear_percent": 101}, {"living_area": Decimal("3000")}, {"emergency": True}):
            with pytest.raises(IntegrityError), transaction.atomic():
                HousingProfile.objects.filter(asset=asset).update(**update)


# --- utility profiles ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "expected"), [
    ({**BOILER_HOUSE, "length_m": Decimal("10"), "diameter_mm": 100, "year_laid": 1990},
     {name: {codes.NETWORK_FIELDS_ON_FACILITY} for name in ("length_m", "diameter_mm", "year_laid")}),
    ({**HEAT_NETWORK, "capacity": Decimal("3"), "capacity_unit": "gcal_h"},
     {"capacity": {codes.FACILITY_FIELDS_ON_NETWORK}, "capacity_unit": {codes.FACILITY_FIELDS_ON_NETWORK}}),
    ({**HEAT_NETWORK, "length_m": None}, {"length_m": {"required"}}),
    ({**HEAT_NETWORK, "length_m": Decimal("0")}, {"length_m": {codes.NEGATIVE_VALUE}}),
    ({**HEAT_NETWORK, "diameter_mm": 0}, {"diameter_mm": {codes.BELOW_ONE}}),
    ({**HEAT_NETWORK, "year_laid": TODAY.year + 1}, {"year_laid": {codes.YEAR_OUT_OF_RANGE}}),
    ({**HEAT_NETWORK, "year_laid": 1600}, {"year_laid": {codes.YEAR_OUT_OF_RANGE}}),
    ({**HEAT_NETWORK, "wear_percent": 150}, {"wear_percent": {codes.WEAR_OUT_OF_RANGE}}),
    ({**BOILER_HOUSE, "capacity_unit": ""}, {"capacity_unit": {codes.UNIT_REQUIRED}}),
    ({**BOILER_HOUSE, "capacity": Decimal("-1")}, {"capacity": {codes.NEGATIVE_VALUE}}),
    ({**HEAT_NETWORK, "kind": "pipeline"}, {"kind": {"invalid_choice"}}),
])
def test_bad_utility_values_are_typed_errors_and_nothing_is_written(alpha, values, expected):
    asset = real_estate(alpha, "structure", "Сооружение")
    with schema_context(alpha.schema_name), pytest.raises(ValidationError) as caught:
        services.utility_profile_set(asset=asset, values=values)
    assert codes_of(caught.value) == expected
    assert nothing_written(alpha)


def test_networks_and_facilities_on_their_kinds_of_object(alpha):
    boiler = real_estate(alpha, "building", "Котельная № 2")
    pipe = network(alpha)
    with schema_context(alpha.schema_name):
        with pytest.raises(ValidationError) as caught:  # a network is a structure, not a building
            services.utility_profile_set(asset=boiler, values=HEAT_NETWORK)
        assert codes_of(caught.value) == {"asset": {codes.WRONG_ASSET_KIND}}
        services.utility_profile_set(asset=boiler, values=BOILER_HOUSE)
        assert UtilityProfile.objects.get(asset=boiler).capacity == Decimal("12.500")
        services.utility_profile_set(asset=pipe, values={**HEAT_NETWORK, "wear_percent": 75})
        assert AssetChange.objects.filter(asset=pipe, action="utility_set").last().changes == {
            "utility.wear_percent": [72, 75]}
        event = OutboxEvent.objects.filter(event_type="asset.changed").order_by("created_at", "id").last()
        assert event.payload["data"]["changed"] == ["utility.wear_percent"]
        assert event.payload["data"]["utility"]["length_m"] == "1350.00"


# --- the condition scale -----------------------------------------------------------------------------------

def test_the_condition_band_follows_the_municipalitys_scale(alpha):
    with schema_context(alpha.schema_name):
        scale = HousingSettings.current()
        assert [scale.band_of(w) for w in (0, 20, 21, 40, 41, 60, 61, 80, 81, 100)] == [
            "good", "good", "satisfactory", "satisfactory", "unsatisfactory", "unsatisfactory", "dilapidated",
            "dilapidated", "unusable", "unusable"]
        with pytest.raises(ValidationError) as caught:
            services.housing_settings_update(values={"good_max": 50, "satisfactory_max": 40})
        assert codes_of(caught.value) == {"good_max": {codes.INVALID_BANDS}}
        with pytest.raises(ValidationError):
            services.housing_settings_update(values={"dilapidated_max": 100})
        services.housing_settings_update(values={"good_max": 10, "satisfactory_max": 30, "unsatisfactory_max": 50,
                                                 "dilapidated_max": 70})
        scale = HousingSettings.current()
        assert [scale.band_of(w) for w in (10, 11, 52, 71)] == ["good", "satisfactory", "dilapidated", "unusable"]


# --- report sources and the counter ------------------------------------------------------------------------

def test_report_sources_at_the_periods_end(alpha):
    year = (date(2024, 1, 1), date(2024, 12, 31))
    apartment_building(alpha, "Дом 1", wear_percent=12, total_area=Decimal("1000.00"), living_area=None)
    apartment_building(alpha, "Дом 2", wear_percent=20, total_area=Decimal("500.50"), living_area=None)
    apartment_building(alpha, "Дом 3", wear_percent=38, total_area=Decimal("300.00"), living_area=None)
    apartment_building(alpha, "Дом 4", wear_percent=84, total_area=Decimal("690.00"), living_area=None,
                       emergency=True, emergency_decision_number="118-п", emergency_decision_date=date(2023, 11, 20),
                       planned_action="demolition")
    apartment_building(alpha, "Дом 5", wear_percent=90, total_area=Decimal("400.00"), living_area=None,
                       emergency=True, emergency_decision_number="7-п", emergency_decision_date=date(2025, 2, 1))
    gone = apartment_building(alpha, "Дом 6", wear_percent=70, total_area=Decimal("800.00"), living_area=None)
    remove(alpha, gone, date(2024, 6, 1))
    apartment_building(alpha, "Дом 7", wear_percent=70, total_area=Decimal("250.00"), living_area=None)
    late = real_estate(alpha, "building", "Дом 8", included_on=date(2025, 3, 1))
    with schema_context(alpha.schema_name):
        services.housing_profile_set(asset=late, values={**APARTMENT_BUILDING, "wear_percent": 5})
        house = Asset.objects.get(name="Дом 1")
    counted = real_estate(alpha, "premises", "Квартира в чужом доме")
    inside = real_estate(alpha, "premises", "Квартира в доме 1")
    with schema_context(alpha.schema_name):
        premises = {"housing_kind": "municipal_premises", "total_area": Decimal("45.25"), "wear_percent": 30}
        services.housing_profile_set(asset=counted, values=premises)
        services.housing_profile_set(asset=inside, values={**premises, "building": house})  # in Дом 1's area
    network(alpha, "Теплосеть 1", length_m=Decimal("1350.00"), wear_percent=72)
    network(alpha, "Теплосеть 2", length_m=Decimal("820.00"), wear_percent=28)
    network(alpha, "Водопровод", kind="water_supply", length_m=Decimal("2100.00"), wear_percent=63)
    network(alpha, "Газопровод", kind="gas", length_m=Decimal("100.00"), wear_percent=10)
    boiler = real_estate(alpha, "building", "Котельная")
    with schema_context(alpha.schema_name):
        services.utility_profile_set(asset=boiler, values=BOILER_HOUSE)

    sources = {source.key: source for source in registered_modules()["assets"].report_sources}
    with schema_context(alpha.schema_name):
        figures = {key: sources[key].compute(*year) for key in sources
                   if key.startswith(("housing_area_", "emergency_", "network_length_"))}
    assert figures == {
        "housing_area_good": Decimal("1500.50"),
        "housing_area_satisfactory": Decimal("345.25"),
        "housing_area_unsatisfactory": Decimal("0"),
        "housing_area_dilapidated": Decimal("250.00"),
        "housing_area_unusable": Decimal("1090.00"),
        "emergency_buildings": 1,
        "emergency_buildings_area": Decimal("690.00"),
        "network_length_good": Decimal("100.00"),
        "network_length_satisfactory": Decimal("820.00"),
        "network_length_unsatisfactory": Decimal("0"),
        "network_length_dilapidated": Decimal("3450.00"),
        "network_length_unusable": Decimal("0"),
        "network_length_heat_network": Decimal("2170.00"),
        "network_length_water_supply": Decimal("2100.00"),
        "network_length_sewer": Decimal("0"),
        "network_length_electricity": Decimal("0"),
        "network_length_gas": Decimal("100.00"),
    }
    with schema_context(alpha.schema_name):
        assert sources["emergency_buildings"].compute(date(2025, 1, 1), register_today()) == 2
        assert sources["housing_area_good"].compute(date(2025, 1, 1), register_today()) == Decimal("4370.50")
        assert sources["housing_area_dilapidated"].compute(date(2023, 1, 1), date(2023, 12, 31)) == Decimal("1050")
        counters = {counter.key: counter for counter in registered_modules()["assets"].counters}
        assert counters["emergency_buildings"].compute() == 2
        assert sources["emergency_buildings"].label  # every source is labelled for the report's author


def test_demo_data_are_made_once(alpha):
    call_command("seed_demo", schema=alpha.schema_name, modules=["assets"], quiet=True)
    with schema_context(alpha.schema_name):
        counts = (HousingProfile.objects.count(), UtilityProfile.objects.count(), Asset.objects.count())
        assert counts[0] >= 5 and counts[1] >= 4
        bands = {HousingSettings.current().band_of(w) for w in HousingProfile.objects.values_list("wear_percent",
                                                                                                   flat=True)}
        assert {"good", "satisfactory", "unsatisfactory", "dilapidated", "unusable"} <= bands
        emergency = HousingProfile.objects.get(emergency=True)
        assert emergency.emergency_decision_number and emergency.emergency_decision_date
        kinds = set(UtilityProfile.objects.values_list("kind", flat=True))
        assert {"heat_network", "water_supply", "boiler_house"} <= kinds
        assert HousingProfile.objects.get(housing_kind="municipal_premises").building.kind == "building"
    call_command("seed_demo", schema=alpha.schema_name, modules=["assets"], quiet=True)
    with schema_context(alpha.schema_name):
        assert (HousingProfile.objects.count(), UtilityProfile.objects.count(), Asset.objects.count()) == counts


# --- the back office ----------------------------------------------------------------------------------------

@pytest.fixture
def signed_in(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    return client


def test_the_lists_filter_by_band_kind_and_disrepair_in_russian(alpha):
    apartment_building(alpha, "Дом на Космонавтов", wear_percent=12)
    apartment_building(alpha, "Дом на Шахтёрской", wear_percent=84, emergency=True,
                       emergency_decision_number="118-п", emergency_decision_date=date(2023, 11, 20))
    remove(alpha, apartment_building(alpha, "Снесённый барак"), date(2024, 5, 1))
    network(alpha, "Теплосеть")
    network(alpha, "Водопровод", kind="water_supply", wear_percent=10)
    russian = Client(HTTP_ACCEPT_LANGUAGE="ru")
    login(russian, alpha.host, alpha.admin_email)

    def names(url, **params):
        response = russian.get(url, params, HTTP_HOST=alpha.host)
        assert response.status_code == 200
        page = response.content.decode()
        assert english_texts(page) == [], english_texts(page)
        return {name for name in ("Дом на Космонавтов", "Дом на Шахтёрской", "Снесённый барак", "Теплосеть",
                                  "Водопровод") if name in page}

    assert names(HOUSING) == {"Дом на Космонавтов", "Дом на Шахтёрской"}
    assert names(HOUSING, band="unusable") == {"Дом на Шахтёрской"}
    assert names(HOUSING, band="good") == {"Дом на Космонавтов"}
    assert names(HOUSING, emergency__exact="1") == {"Дом на Шахтёрской"}
    assert names(HOUSING, register="removed") == {"Снесённый барак"}
    with schema_context(alpha.schema_name):
        gone = HousingProfile.objects.get(asset__name="Снесённый барак")
    page = russian.get(f"{HOUSING}{gone.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    assert "Снесённый барак" in page and 'name="wear_percent"' not in page  # read-only: the object left
    assert names(UTILITY) == {"Теплосеть", "Водопровод"}
    assert names(UTILITY, kind__exact="water_supply") == {"Водопровод"}
    assert names(UTILITY, band="dilapidated") == {"Теплосеть"}
    assert "Жилищный фонд" in russian.get(HOUSING, HTTP_HOST=alpha.host).content.decode()
    with schema_context(alpha.schema_name):
        profile = HousingProfile.objects.get(asset__name="Дом на Шахтёрской")
        pipe = UtilityProfile.objects.get(asset__name="Теплосеть")
    for url in (f"{HOUSING}{profile.pk}/change/", f"{UTILITY}{pipe.pk}/change/", f"{HOUSING}add/", f"{UTILITY}add/",
                f"/admin/assets/asset/{profile.asset_id}/change/", f"/admin/assets/asset/{pipe.asset_id}/change/"):
        page = russian.get(url, HTTP_HOST=alpha.host).content.decode()
        # The register's history table has untranslated headers of its own (not the profiles' concern).
        assert english_texts(page) == [], (url, english_texts(page))
    page = russian.get(f"/admin/assets/asset/{profile.asset_id}/change/", HTTP_HOST=alpha.host).content.decode()
    assert "Жилищные характеристики" in page and "118-п" in page and "негодное" in page
    assert "Характеристики коммунальной инфраструктуры" not in page  # a house has no network profile


def test_profile_pages_save_through_the_services(signed_in, alpha):
    house = real_estate(alpha, "building", "Многоквартирный дом")
    form = {"asset": house.pk, "housing_kind": "apartment_building", "year_built": "1974", "floors": "0",
            "apartments": "60", "total_area": "2870", "living_area": "3000", "wear_percent": "52",
            "emergency": "on", "emergency_decision_number": "", "wall_material": "brick"}
    response = signed_in.post(f"{HOUSING}add/", form, HTTP_HOST=alpha.host)
    assert response.status_code == 200
    page = response.content.decode()
    for message in ("At least 1.", "The living area cannot exceed the total area.",
                    "A building recognised in disrepair needs the decision&#x27;s number."):
        assert message in page, message
    assert nothing_written(alpha)
    form.update(floors="5", living_area="2010", emergency_decision_number="118-п",
                emergency_decision_date="2023-11-20", planned_action="demolition")
    response = signed_in.post(f"{HOUSING}add/", form, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(alpha.schema_name):
        profile = HousingProfile.objects.get(asset=house)
        assert profile.emergency and profile.floors == 5
        entry = AssetChange.objects.get(asset=house, action="housing_set")
        assert entry.source == "back_office" and entry.actor_email == alpha.admin_email
    form.update(wear_percent="61")
    response = signed_in.post(f"{HOUSING}{profile.pk}/change/", form, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(alpha.schema_name):
        assert AssetChange.objects.filter(asset=house, action="housing_set").last().changes == {
            "housing.wear_percent": [52, 61]}
    # The object's page shows the profile and links to it; the history reads what changed.
    page = signed_in.get(f"/admin/assets/asset/{house.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    assert "118-п" in page and f"{HOUSING}{profile.pk}/change/" in page
    assert "housing.wear_percent: 52 → 61" in page
    # A network page refuses capacity on a network.
    pipe = real_estate(alpha, "structure", "Теплосеть")
    response = signed_in.post(f"{UTILITY}add/", {"asset": pipe.pk, "kind": "heat_network", "length_m": "100",
                                                 "capacity": "5", "capacity_unit": "gcal_h", "wear_percent": "30"},
                              HTTP_HOST=alpha.host)
    assert response.status_code == 200 and "Capacity is for facilities, not networks." in response.content.decode()
    page = signed_in.get(f"/admin/assets/asset/{pipe.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    assert f"{UTILITY}add/?asset={pipe.pk}" in page


def test_the_scale_page_refuses_falling_bounds(signed_in, alpha):
    response = signed_in.get(SCALE, HTTP_HOST=alpha.host, follow=True)
    assert response.status_code == 200
    with schema_context(alpha.schema_name):
        pk = HousingSettings.current().pk
    url = f"{SCALE}{pk}/change/"
    response = signed_in.post(url, {"good_max": "50", "satisfactory_max": "40", "unsatisfactory_max": "60",
                                    "dilapidated_max": "80"}, HTTP_HOST=alpha.host)
    assert response.status_code == 200 and "must rise" in response.content.decode()
    response = signed_in.post(url, {"good_max": "25", "satisfactory_max": "45", "unsatisfactory_max": "65",
                                    "dilapidated_max": "85"}, HTTP_HOST=alpha.host)
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        assert HousingSettings.current().band_of(25) == "good"


def test_another_municipalitys_profiles_are_not_found(signed_in, alpha, beta):
    theirs = apartment_building(beta, "Их дом")
    their_pipe = network(beta, "Их теплосеть")
    with schema_context(beta.schema_name):
        housing_pk = HousingProfile.objects.get(asset=theirs).pk
        utility_pk = UtilityProfile.objects.get(asset=their_pipe).pk
    mine = real_estate(alpha, "building", "Наш дом")
    for url in (f"{HOUSING}{housing_pk}/change/", f"{UTILITY}{utility_pk}/change/"):
        response = signed_in.get(url, HTTP_HOST=alpha.host, follow=True)
        assert "Их " not in response.content.decode()
    for url in (HOUSING, UTILITY):
        assert "Их " not in signed_in.get(url, HTTP_HOST=alpha.host).content.decode()
    # Their object cannot get a profile from here either: it is not a choice of the form.
    response = signed_in.post(f"{HOUSING}add/", {**{k: str(v) for k, v in APARTMENT_BUILDING.items()},
                                                 "asset": theirs.pk}, HTTP_HOST=alpha.host)
    assert response.status_code == 200
    with schema_context(alpha.schema_name):
        assert not HousingProfile.objects.exists()
        assert Asset.objects.filter(pk=mine.pk).exists()
    with schema_context(beta.schema_name):
        assert HousingProfile.objects.get(asset=theirs).wear_percent == APARTMENT_BUILDING["wear_percent"]


# --- who may see and change the new pages (from the assets module's rule table) -------------------------------

class World:
    def __init__(self, tenant, house, profile_pk):
        self.tenant, self.house, self.profile_pk = tenant, house, profile_pk


@pytest.fixture
def world(alpha) -> World:
    house = apartment_building(alpha, "Дом на Юбилейной")
    with schema_context(alpha.schema_name):
        pk = HousingProfile.objects.get(asset=house).pk
    return World(alpha, house, pk)


def office_housing_list(client, world, headers):
    response = client.get(HOUSING, HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.house.name in response.content.decode()


def office_networks_list(client, world, headers):
    return client.get(UTILITY, HTTP_HOST=world.tenant.host).status_code == 200


def office_profile_page(client, world, headers):
    response = client.get(f"{HOUSING}{world.profile_pk}/change/", HTTP_HOST=world.tenant.host)
    return response.status_code == 200 and world.house.name in response.content.decode()


def office_profile_add(client, world, headers):
    return client.get(f"{UTILITY}add/", HTTP_HOST=world.tenant.host).status_code == 200


def office_scale(client, world, headers):
    response = client.get(SCALE, HTTP_HOST=world.tenant.host, follow=True)
    return response.status_code == 200 and "dilapidated_max" in response.content.decode()


def gql_stock(client, world, headers):
    response = client.post("/graphql/", data=json.dumps({"query": "{ housingStock(first: 5) { edges { node { "
                                                                  "name housing { wearPercent } } } } }"}),
                           content_type="application/json", HTTP_HOST=world.tenant.host, **headers)
    body = response.json()
    return not body.get("errors") and body["data"]["housingStock"]["edges"][0]["node"]["housing"]["wearPercent"] == 52


def gql_set(client, world, headers):
    from graphql_relay import to_global_id

    query = ('mutation ($id: ID!) { setHousingProfile(assetId: $id, input: {housingKind: APARTMENT_BUILDING, '
             'floors: 5, apartments: 60, totalArea: "2870", wearPercent: 52}) { errors { code } } }')
    response = client.post("/graphql/", data=json.dumps({"query": query, "variables": {
        "id": to_global_id("Asset", world.house.pk)}}), content_type="application/json",
        HTTP_HOST=world.tenant.host, **headers)
    body = response.json()
    return not body.get("errors") and body["data"]["setHousingProfile"] == {"errors": []}


API_SURFACES = {"graphql housing stock": (gql_stock, READ), "graphql set housing profile": (gql_set, CHANGE)}
STAFF_SURFACES = {
    **API_SURFACES,
    "back-office housing stock": (office_housing_list, READ),
    "back-office networks": (office_networks_list, READ),
    "back-office housing profile": (office_profile_page, READ),
    "back-office new utility profile": (office_profile_add, CHANGE),
    "back-office condition scale": (office_scale, SETTINGS),
}
SCOPE_SETS = [("assets:read",), ("assets:write",), ("assets:read", "assets:write"), ("appeals:read",)]


@pytest.mark.parametrize("role", [*municipal_roles(), "no role"])
def test_every_staff_surface_follows_the_table(client, world, role):
    got, expected = matrix.staff_answers(client, world, role, STAFF_SURFACES, RULES, label="housing")
    assert got == expected


@pytest.mark.parametrize("scopes", SCOPE_SETS, ids=["+".join(s) for s in SCOPE_SETS])
def test_every_client_surface_follows_the_table(client, world, scopes):
    got, expected = matrix.client_answers(client, world, scopes, API_SURFACES, RULES)
    assert got == expected
