"""Depreciation: defaults per kind and objects' own terms (bad input as typed errors, nothing written),
net book value by month for every object in one SQL query (checked against the rule computed object by
object in Python), the month's charge starting the month after commissioning and stopping at zero, the
refresh of residual values (the municipality's choice, history, events, idempotent), and the back office."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.integrations.models import OutboxEvent
from gorodok_services.assets import services as asset_services
from gorodok_services.assets.depreciation import calculation, services
from gorodok_services.assets.depreciation import error_codes as codes
from gorodok_services.assets.depreciation.models import CategoryDefault, DepreciationProfile, DepreciationSettings
from gorodok_services.assets.depreciation.selectors import depreciation_summary, net_book_values
from gorodok_services.assets.models import Asset, AssetChange
from tests.conftest import login
from tests.support.assets import building, holder, vehicle


def codes_of(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}


def figures(month, last=None, **kwargs) -> dict:
    return {(f.asset_id, f.month): (f.depreciation, f.net_book_value) for f in net_book_values(month, last, **kwargs)}


# --- bad input -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "field", "code"), [
    ({"useful_life_months": 0}, "useful_life_months", codes.INVALID_USEFUL_LIFE),
    ({"useful_life_months": -12}, "useful_life_months", codes.INVALID_USEFUL_LIFE),
    ({"useful_life_months": 1201}, "useful_life_months", codes.INVALID_USEFUL_LIFE),
    ({"useful_life_months": None}, "useful_life_months", "required"),
    ({"method": "sum_of_years"}, "method", codes.INVALID_METHOD),
    ({"kind": "spaceship"}, "kind", "invalid_choice"),
    ({"method": "reducing_balance", "coefficient": Decimal("0")}, "coefficient", codes.INVALID_COEFFICIENT),
    ({"method": "reducing_balance", "coefficient": Decimal("3.5")}, "coefficient", codes.INVALID_COEFFICIENT),
])
def test_a_bad_default_is_a_typed_error_and_nothing_is_written(alpha, values, field, code):
    with schema_context(alpha.schema_name):
        before = (CategoryDefault.objects.count(), AuditEntry.objects.count())
        with pytest.raises(ValidationError) as caught:
            services.depreciation_default_set(**({"kind": "building", "method": "linear",
                                                   "useful_life_months": 600} | values))
        assert code in codes_of(caught.value)[field]
        assert (CategoryDefault.objects.count(), AuditEntry.objects.count()) == before


def test_a_bad_profile_is_a_typed_error_and_nothing_is_written(alpha):
    school = building(alpha)
    with schema_context(alpha.schema_name):
        for values, field, code in (
            ({"useful_life_months": 0}, "useful_life_months", codes.INVALID_USEFUL_LIFE),
            ({"commissioned_on": date.today() + timedelta(days=40)}, "commissioned_on", codes.FUTURE_DATE),
            ({"method": "nonsense"}, "method", codes.INVALID_METHOD),
        ):
            with pytest.raises(ValidationError) as caught:
                services.depreciation_profile_set(asset=school, **values)
            assert code in codes_of(caught.value)[field]
        assert not DepreciationProfile.objects.exists()
        assert not AssetChange.objects.filter(action="depreciation_terms").exists()


def test_the_database_refuses_a_useful_life_of_zero_even_without_the_service(alpha):
    from django.db import IntegrityError, transaction

    with schema_context(alpha.schema_name), pytest.raises(IntegrityError), transaction.atomic():
        CategoryDefault.objects.create(kind="building", useful_life_months=0)


# --- the figures ---------------------------------------------------------------------------------------------

def test_linear_starts_the_month_after_commissioning_rounds_to_kopecks_and_stops_at_zero(alpha):
    school = building(alpha, balance_value=Decimal("1000.00"), residual_value=Decimal("1000.00"),
                      included_on=date(2024, 1, 15))
    with schema_context(alpha.schema_name):
        services.depreciation_default_set(kind="building", method="linear", useful_life_months=3)
        rows = figures(date(2023, 12, 1), date(2024, 6, 1))
    month = {m: rows.get((school.pk, date(2024, m, 1))) for m in range(1, 7)}
    assert (school.pk, date(2023, 12, 1)) not in rows  # not yet commissioned
    assert month[1] == (Decimal("0.00"), Decimal("1000.00"))  # the month of commissioning: no charge
    assert month[2] == (Decimal("333.33"), Decimal("666.67"))
    assert month[3] == (Decimal("333.34"), Decimal("333.33"))  # accumulated depreciation is what is rounded
    assert month[4] == (Decimal("333.33"), Decimal("0.00"))
    assert month[5] == month[6] == (Decimal("0.00"), Decimal("0.00"))  # stops at zero
    assert sum(month[m][0] for m in range(1, 7)) == Decimal("1000.00")


def test_reducing_balance_applies_the_rate_to_the_opening_value_and_ends_with_the_useful_life(alpha):
    bus = vehicle(alpha, balance_value=Decimal("1000.00"), residual_value=Decimal("1000.00"),
                  included_on=date(2020, 1, 31))
    with schema_context(alpha.schema_name):
        services.depreciation_default_set(kind="vehicle", method="reducing_balance", useful_life_months=10,
                                          coefficient=Decimal("2"))  # 20% a month
        rows = figures(date(2020, 1, 1), date(2020, 12, 1))
    nbv = [rows[(bus.pk, date(2020, m, 1))][1] for m in range(1, 13)]
    assert nbv[:5] == [Decimal("1000.00"), Decimal("800.00"), Decimal("640.00"), Decimal("512.00"), Decimal("409.60")]
    assert nbv[9] == Decimal("134.22")  # 1000 * 0.8^9 = 134.217728
    assert rows[(bus.pk, date(2020, 11, 1))] == (Decimal("134.22"), Decimal("0.00"))  # the last month takes the rest
    assert rows[(bus.pk, date(2020, 12, 1))] == (Decimal("0.00"), Decimal("0.00"))


def test_an_objects_own_terms_override_its_kinds_default_and_kinds_without_terms_are_left_out(alpha):
    school = building(alpha, balance_value=Decimal("1200.00"), residual_value=Decimal("1200.00"),
                      included_on=date(2020, 1, 10))
    plot = building(alpha, kind="land_plot", name="Участок", cadastral_number="19:01:010203:14",
                    included_on=date(2020, 1, 10))
    with schema_context(alpha.schema_name):
        services.depreciation_default_set(kind="building", method="linear", useful_life_months=120)
        assert figures(date(2020, 2, 1))[(school.pk, date(2020, 2, 1))] == (Decimal("10.00"), Decimal("1190.00"))
        services.depreciation_profile_set(asset=school, commissioned_on=date(2019, 12, 20), useful_life_months=12)
        assert figures(date(2020, 2, 1))[(school.pk, date(2020, 2, 1))] == (Decimal("100.00"), Decimal("1000.00"))
        history = AssetChange.objects.filter(asset=school, action="depreciation_terms").get()
        assert history.changes == {"commissioned_on": [None, "2019-12-20"], "useful_life_months": [None, 12]}
        assert (plot.pk, date(2020, 2, 1)) not in figures(date(2020, 2, 1))
        # The same terms again: nothing changes, nothing is recorded.
        services.depreciation_profile_set(asset=school, commissioned_on=date(2019, 12, 20), useful_life_months=12)
        assert AssetChange.objects.filter(asset=school, action="depreciation_terms").count() == 1


def test_a_removed_object_is_counted_until_the_month_it_left(alpha):
    school = building(alpha, included_on=date(2020, 1, 10))
    with schema_context(alpha.schema_name):
        services.depreciation_default_set(kind="building", method="linear", useful_life_months=600)
        asset_services.asset_remove(asset=school, removed_on=date(2021, 3, 15), reason="Снос",
                                    document=asset_services.DocumentInput(kind="write_off", date=date(2021, 3, 15)))
        rows = figures(date(2021, 2, 1), date(2021, 4, 1))
        assert sorted(month for _pk, month in rows) == [date(2021, 2, 1), date(2021, 3, 1)]
        with pytest.raises(ValidationError) as caught:
            services.depreciation_profile_set(asset=school, useful_life_months=12)
        assert caught.value.code == codes.ALREADY_REMOVED


def test_bulk_sql_agrees_with_the_rule_object_by_object_in_one_query(alpha):
    """Random terms, every month of three years: the SQL figures equal the Python rule to the kopeck."""
    owner = holder(alpha)
    generator = random.Random(13)
    with schema_context(alpha.schema_name):
        services.depreciation_default_set(kind="equipment", method="linear", useful_life_months=60)
        services.depreciation_default_set(kind="vehicle", method="reducing_balance", useful_life_months=84,
                                          coefficient=Decimal("1.5"))
        terms = {}
        for n in range(40):
            kind = generator.choice(["equipment", "vehicle"])
            balance = Decimal(generator.randint(100, 10_000_000_00)) / 100
            asset = asset_services.asset_create(values={
                "kind": kind, "name": f"Объект {n}", "right_type": "operational_management", "holder": owner,
                "balance_value": balance, "included_on": date(2021, 1, 1) + timedelta(days=generator.randint(0, 900))})
            method, life, coefficient = ("linear", 60, Decimal("2")) if kind == "equipment" else (
                "reducing_balance", 84, Decimal("1.5"))
            commissioned = asset.included_on
            if n % 3 == 0:
                method = generator.choice(["linear", "reducing_balance"])
                life = generator.randint(1, 48)
                coefficient = Decimal(generator.randint(50, 300)) / 100
                commissioned = asset.included_on - timedelta(days=generator.randint(0, 400))
                services.depreciation_profile_set(asset=asset, commissioned_on=commissioned, method=method,
                                                  useful_life_months=life, coefficient=coefficient)
            terms[asset.pk] = calculation.Terms(balance, method, life, coefficient, commissioned)
        with CaptureQueriesContext(connection) as queries:
            rows = net_book_values(date(2021, 1, 1), date(2023, 12, 1))
        assert len(queries) == 1
    checked = 0
    for row in rows:
        expected = calculation.month_figures(terms[row.asset_id], row.month)
        assert (row.depreciation, row.net_book_value) == expected, (row, terms[row.asset_id])
        assert row.net_book_value >= 0 and row.depreciation >= 0
        checked += 1
    assert checked > 40 * 12


def test_the_summary_adds_up_the_month(alpha):
    building(alpha, balance_value=Decimal("1200.00"), residual_value=Decimal("1200.00"), included_on=date(2020, 1, 1))
    vehicle(alpha, balance_value=Decimal("600.00"), residual_value=Decimal("600.00"), included_on=date(2020, 1, 1))
    with schema_context(alpha.schema_name):
        services.depreciation_default_set(kind="building", method="linear", useful_life_months=12)
        services.depreciation_default_set(kind="vehicle", method="linear", useful_life_months=6)
        summary = depreciation_summary(date(2020, 3, 17))
    assert (summary.month, summary.objects) == (date(2020, 3, 1), 2)
    assert summary.depreciation == Decimal("200.00")
    assert summary.net_book_value == Decimal("1000.00") + Decimal("400.00")
    assert summary.balance_value == Decimal("1800.00")


# --- refreshing residual values ---------------------------------------------------------------------------------

def test_refreshing_is_refused_while_residual_values_are_kept_from_accounting(alpha):
    building(alpha)
    with schema_context(alpha.schema_name):
        services.depreciation_default_set(kind="building", method="linear", useful_life_months=600)
        with pytest.raises(ValidationError) as caught:
            services.residual_values_refresh(month=date(2024, 1, 1))
        assert caught.value.code == codes.RESIDUAL_KEPT_FROM_ACCOUNTING
        assert Asset.objects.get().residual_value == Decimal("31000000.00")


def test_refreshing_writes_the_net_book_value_with_history_and_events_once(alpha):
    school = building(alpha, balance_value=Decimal("1200.00"), residual_value=Decimal("1200.00"),
                      included_on=date(2020, 1, 1))
    bus = vehicle(alpha, balance_value=Decimal("600.00"), residual_value=Decimal("600.00"),
                  included_on=date(2020, 1, 1))
    plot = building(alpha, kind="land_plot", name="Участок", cadastral_number="19:01:010203:14",
                    balance_value=Decimal("500.00"), residual_value=Decimal("500.00"), included_on=date(2020, 1, 1))
    with schema_context(alpha.schema_name):
        services.depreciation_default_set(kind="building", method="linear", useful_life_months=12)
        services.depreciation_default_set(kind="vehicle", method="linear", useful_life_months=6)
        services.depreciation_settings_update(residual_source="depreciation")
        events_before = OutboxEvent.objects.filter(event_type="asset.changed").count()
        with pytest.raises(ValidationError) as caught:
            services.residual_values_refresh(month=date.today().replace(day=1) + timedelta(days=40))
        assert codes_of(caught.value) == {"month": {codes.FUTURE_MONTH}}
        result = services.residual_values_refresh(month=date(2020, 3, 10), source="api")
        assert (result.month, result.values_date, result.considered, result.changed) == (
            date(2020, 3, 1), date(2020, 3, 31), 2, 2)
        values = dict(Asset.objects.values_list("pk", "residual_value"))
        assert values == {school.pk: Decimal("1000.00"), bus.pk: Decimal("400.00"), plot.pk: Decimal("500.00")}
        entry = AssetChange.objects.filter(asset=school, action="changed", source="api").get()
        assert entry.changes == {"residual_value": ["1200.00", "1000.00"], "values_date": [None, "2020-03-31"]}
        events = OutboxEvent.objects.filter(event_type="asset.changed").order_by("id")[events_before:]
        assert sorted(e.payload["data"]["residual_value"] for e in events) == ["1000.00", "400.00"]
        assert AuditEntry.objects.filter(action="asset.residual_values_refreshed").count() == 1
        # Again for the same month: nothing differs, nothing is written.
        again = services.residual_values_refresh(month=date(2020, 3, 1))
        assert (again.considered, again.changed) == (2, 0)
        assert AssetChange.objects.filter(action="changed").count() == 2
        assert OutboxEvent.objects.filter(event_type="asset.changed").count() == events_before + 2


# --- the back office --------------------------------------------------------------------------------------------

@pytest.fixture
def signed_in(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    return client


DEFAULTS = "/admin/assets_depreciation/categorydefault/"
PROFILES = "/admin/assets_depreciation/depreciationprofile/"


def test_defaults_are_edited_in_the_back_office_and_a_life_of_zero_is_refused(signed_in, alpha):
    form = {"kind": "building", "method": "linear", "useful_life_months": "0", "coefficient": "2.00"}
    response = signed_in.post(f"{DEFAULTS}add/", form, HTTP_HOST=alpha.host)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    with schema_context(alpha.schema_name):
        assert not CategoryDefault.objects.exists()
    response = signed_in.post(f"{DEFAULTS}add/", form | {"useful_life_months": "600"}, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(alpha.schema_name):
        row = CategoryDefault.objects.get()
        assert (row.kind, row.useful_life_months) == ("building", 600)
    response = signed_in.post(f"{DEFAULTS}{row.pk}/change/", form | {"useful_life_months": "480"},
                              HTTP_HOST=alpha.host)
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        assert CategoryDefault.objects.get().useful_life_months == 480


def test_the_month_page_shows_totals_and_refreshes_residual_values(signed_in, alpha):
    school = building(alpha, balance_value=Decimal("1200.00"), residual_value=Decimal("1200.00"),
                      included_on=date(2020, 1, 1))
    with schema_context(alpha.schema_name):
        services.depreciation_default_set(kind="building", method="linear", useful_life_months=12)
    page = signed_in.get(f"{DEFAULTS}month/", {"month": "2020-03"}, HTTP_HOST=alpha.host)
    assert page.status_code == 200
    assert "1000" in page.content.decode() and "200" in page.content.decode()
    response = signed_in.post(f"{DEFAULTS}month/", {"refresh-month": "2020-03"}, HTTP_HOST=alpha.host)
    assert response.status_code == 200 and "errornote" in response.content.decode()  # kept from accounting
    with schema_context(alpha.schema_name):
        services.depreciation_settings_update(residual_source="depreciation")
    response = signed_in.post(f"{DEFAULTS}month/", {"refresh-month": "2020-03"}, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(alpha.schema_name):
        assert Asset.objects.get(pk=school.pk).residual_value == Decimal("1000.00")
        assert AssetChange.objects.filter(asset=school, action="changed", source="back_office").exists()


def test_an_objects_terms_in_the_back_office(signed_in, alpha):
    school = building(alpha)
    response = signed_in.post(f"{PROFILES}add/", {"asset": school.pk, "useful_life_months": "0", "method": ""},
                              HTTP_HOST=alpha.host)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    with schema_context(alpha.schema_name):
        assert not DepreciationProfile.objects.exists()
    response = signed_in.post(f"{PROFILES}add/", {"asset": school.pk, "useful_life_months": "240", "method": "linear",
                                                  "commissioned_on": "2015-04-01"}, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(alpha.schema_name):
        ours = DepreciationProfile.objects.get()
        assert (ours.useful_life_months, ours.commissioned_on) == (240, date(2015, 4, 1))
        assert AssetChange.objects.filter(asset=school, action="depreciation_terms", source="back_office").exists()


def test_another_municipalitys_terms_are_not_found(signed_in, alpha, beta):
    theirs = building(beta, name="Здание чужой школы")
    with schema_context(beta.schema_name):
        profile = services.depreciation_profile_set(asset=theirs, useful_life_months=100)
        default = services.depreciation_default_set(kind="vehicle", method="linear", useful_life_months=50)
    for url in (f"{PROFILES}{profile.pk}/change/", f"{DEFAULTS}{default.pk}/change/"):
        response = signed_in.get(url, HTTP_HOST=alpha.host, follow=True)
        assert theirs.name not in response.content.decode()
    for url in (PROFILES, DEFAULTS, f"{DEFAULTS}month/?month=2024-01"):
        page = signed_in.get(url, HTTP_HOST=alpha.host).content.decode()
        assert theirs.name not in page
    assert signed_in.get(f"{PROFILES}{profile.pk}/change/", HTTP_HOST=alpha.host).status_code in (302, 404)
    with schema_context(alpha.schema_name):
        assert not DepreciationProfile.objects.exists() and not CategoryDefault.objects.exists()
        assert net_book_values(date(2024, 1, 1)) == []


def test_the_settings_say_where_residual_values_come_from(signed_in, alpha):
    with schema_context(alpha.schema_name):
        assert DepreciationSettings.current().residual_source == "accounting"
    response = signed_in.get("/admin/assets_depreciation/depreciationsettings/", HTTP_HOST=alpha.host)
    assert response.status_code == 302
    response = signed_in.post(response["Location"], {"residual_source": "depreciation"}, HTTP_HOST=alpha.host)
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        assert DepreciationSettings.current().residual_source == "depreciation"


def test_a_range_of_months_is_bounded(alpha):
    with schema_context(alpha.schema_name):
        for first, last in ((date(2024, 5, 1), date(2024, 4, 1)), (date(2000, 1, 1), date(2024, 1, 1))):
            with pytest.raises(ValidationError) as caught:
                net_book_values(first, last)
            assert codes_of(caught.value) == {"month": {codes.INVALID_MONTH_RANGE}}
        assert net_book_values(date(2014, 2, 1), date(2024, 1, 1)) == []  # 120 months
