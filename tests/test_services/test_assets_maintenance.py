"""Maintenance: the log with its documents, bad input as typed errors with nothing written, preventive
schedules for an object or a category with due and overdue work, the webhooks `maintenance.due` and
`maintenance.overdue` emitted once per occurrence, the operating-cost report sources and counters, and
the back office's pages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from gorodok_platform.integrations.models import OutboxEvent
from gorodok_platform.modules import registered_modules
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets.fleet import services as fleet
from gorodok_services.assets.maintenance import selectors, services
from gorodok_services.assets.maintenance.models import MaintenanceRecord, MaintenanceSchedule
from gorodok_services.assets.maintenance.sweep import maintenance_sweep
from gorodok_services.assets.models import AssetChange
from gorodok_services.assets.services import DocumentInput, asset_document_add, register_today
from tests.conftest import login
from tests.support.assets import building, vehicle
from tests.support.operations import equipment


def codes_of(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}


def work(**overrides) -> dict:
    return {"work_type": "repair", "cost": Decimal("1250000"), "contractor": "ООО «СтройМонтаж»",
            "started_on": date(2024, 5, 6), "finished_on": date(2024, 6, 20), "description": "Ремонт кровли",
            **overrides}


def test_a_record_with_documents_goes_to_the_history_and_an_event(alpha):
    town_hall = building(alpha)
    with schema_context(alpha.schema_name):
        record = services.maintenance_record(asset=town_hall, values=work(), documents=[
            services.WorkDocument(title="Акт КС-2", number="14", date=date(2024, 6, 20))])
        assert record.cost == Decimal("1250000.00") and record.documents.get().title == "Акт КС-2"
        assert AssetChange.objects.filter(asset=town_hall, action="maintenance_recorded").count() == 1
        event = OutboxEvent.objects.filter(event_type="asset.changed").order_by("-pk").first()
        assert event.payload["data"]["changed"] == ["maintenance"]
        assert event.payload["data"]["maintenance"]["cost"] == "1250000.00"


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"started_on": date(2015, 3, 11), "finished_on": None}, "started_on", codes.BEFORE_ACQUISITION),
    ({"finished_on": date(2024, 5, 5)}, "finished_on", codes.INVALID_DATES),
    ({"cost": Decimal("-1")}, "cost", codes.NEGATIVE_VALUE),
    ({"started_on": "tomorrow", "finished_on": None}, "started_on", codes.FUTURE_DATE),
    ({"finished_on": "tomorrow"}, "finished_on", codes.FUTURE_DATE),
    ({"work_type": "painting"}, "work_type", "invalid_choice"),
])
def test_bad_records_are_typed_errors_and_nothing_is_written(alpha, overrides, field, code):
    town_hall = building(alpha)  # included on 12.03.2015
    overrides = {k: register_today() + timedelta(days=1) if v == "tomorrow" else v for k, v in overrides.items()}
    with schema_context(alpha.schema_name):
        before = (OutboxEvent.objects.count(), AssetChange.objects.count())
        with pytest.raises(ValidationError) as caught:
            services.maintenance_record(asset=town_hall, values=work(**overrides),
                                        documents=[services.WorkDocument(title="Акт")])
        assert code in codes_of(caught.value)[field]
        assert not MaintenanceRecord.objects.exists()
        assert (OutboxEvent.objects.count(), AssetChange.objects.count()) == before


def test_acquisition_is_the_earliest_of_inclusion_and_the_acquisition_documents(alpha):
    town_hall = building(alpha)  # included on 12.03.2015
    with schema_context(alpha.schema_name):
        asset_document_add(asset=town_hall, role="acquisition",
                           document=DocumentInput(kind="contract", number="1", date=date(2010, 1, 15)))
        assert services.acquired_on(town_hall) == date(2010, 1, 15)
        services.maintenance_record(asset=town_hall, values=work(started_on=date(2012, 1, 1),
                                                                 finished_on=date(2012, 2, 1)))
        with pytest.raises(ValidationError) as caught:
            services.maintenance_record(asset=town_hall, values=work(started_on=date(2010, 1, 14), finished_on=None))
        assert codes_of(caught.value) == {"started_on": {codes.BEFORE_ACQUISITION}}


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"every_months": 0}, "every_months", codes.INVALID_INTERVAL),
    ({"asset": None}, "asset", codes.SCHEDULE_TARGET),
    ({"asset_kind": "building"}, "asset", codes.SCHEDULE_TARGET),
    ({"work_type": None}, "work_type", "invalid_choice"),
])
def test_bad_schedules_are_typed_errors(alpha, values, field, code):
    town_hall = building(alpha)
    with schema_context(alpha.schema_name):
        base = {"title": "Осмотр", "asset": town_hall, "work_type": "inspection", "every_months": 12}
        with pytest.raises(ValidationError) as caught:
            services.maintenance_schedule_create(values={**base, **values})
        assert code in codes_of(caught.value)[field]
        assert not MaintenanceSchedule.objects.exists()


def test_due_and_overdue_work_follows_the_last_record_for_objects_and_categories(alpha):
    today = register_today()
    town_hall = building(alpha)
    school = building(alpha, name="Здание школы", cadastral_number="19:01:010203:216")
    server = equipment(alpha)
    bus = vehicle(alpha)
    with schema_context(alpha.schema_name):
        fleet.ict_profile_set(asset=server, values={"category": "server"})
        # The town hall was inspected 11 months and 20 days ago: due in 10 days; the school never: overdue.
        last = today - timedelta(days=355)
        services.maintenance_record(asset=town_hall, values=work(work_type="inspection", started_on=last,
                                                                 finished_on=last, cost=0))
        services.maintenance_schedule_create(values={"title": "Осмотр зданий", "asset_kind": "building",
                                                     "work_type": "inspection", "every_months": 12,
                                                     "starts_on": today - timedelta(days=5)})
        services.maintenance_schedule_create(values={"title": "ТО серверов", "ict_category": "server",
                                                     "work_type": "maintenance", "every_months": 6,
                                                     "starts_on": today + timedelta(days=60)})
        services.maintenance_schedule_create(values={"title": "ТО автобуса", "asset": bus, "work_type": "maintenance",
                                                     "every_months": 1, "starts_on": today + timedelta(days=20)})
        due = selectors.maintenance_due(today=today, window_days=30)
        got = {(item.schedule.title, item.asset.name): (item.due_on, item.overdue) for item in due}
        expected_hall = selectors.add_months(last, 12)
        assert got == {("Осмотр зданий", school.name): (today - timedelta(days=5), True),
                       ("Осмотр зданий", town_hall.name): (expected_hall, expected_hall < today),
                       ("ТО автобуса", bus.name): (today + timedelta(days=20), False)}
        assert [i.asset.name for i in selectors.maintenance_due(today=today, window_days=30, overdue_only=True)] == [
            school.name]
        # Work done moves the next date by the interval.
        services.maintenance_record(asset=school, values=work(work_type="inspection", started_on=today,
                                                              finished_on=today, cost=0))
        assert selectors.maintenance_overdue_count() == 0
        counter = {c.key: c for c in registered_modules()["assets"].counters}["maintenance_overdue"]
        assert counter.compute() == 0
    assert selectors.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert selectors.add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)


def test_due_and_overdue_webhooks_are_emitted_once_per_occurrence(alpha):
    from datetime import UTC, datetime

    now = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    today = now.date()
    town_hall = building(alpha)
    school = building(alpha, name="Здание школы", cadastral_number="19:01:010203:216")
    with schema_context(alpha.schema_name):
        services.maintenance_schedule_create(values={"title": "Осмотр", "asset": town_hall, "work_type": "inspection",
                                                     "every_months": 12, "starts_on": today + timedelta(days=10)})
        services.maintenance_schedule_create(values={"title": "Промывка", "asset": school, "work_type": "maintenance",
                                                     "every_months": 12, "starts_on": today - timedelta(days=3)})

        def events(kind):
            return [e.payload["data"] for e in OutboxEvent.objects.filter(event_type=kind).order_by("pk")]

        report = maintenance_sweep(now=now)
        assert (report.due, report.overdue) == (1, 1)
        assert [d["asset"]["name"] for d in events("maintenance.due")] == [town_hall.name]
        overdue = events("maintenance.overdue")
        assert [(d["asset"]["name"], d["due_on"], d["overdue"]) for d in overdue] == [
            (school.name, str(today - timedelta(days=3)), True)]
        again = maintenance_sweep(now=now + timedelta(hours=1))
        assert (again.due, again.overdue) == (0, 0)
        # The due occurrence becomes overdue: announced once more, as overdue.
        later = maintenance_sweep(now=now + timedelta(days=11))
        assert (later.due, later.overdue) == (0, 1)
        assert len(events("maintenance.overdue")) == 2 and len(events("maintenance.due")) == 1
        assert maintenance_sweep(now=now + timedelta(days=12)).overdue == 0


def test_operating_costs_of_ict_and_buildings(alpha):
    town_hall = building(alpha)
    server = equipment(alpha)
    bus = vehicle(alpha)
    with schema_context(alpha.schema_name):
        fleet.ict_profile_set(asset=server, values={"category": "server", "building": town_hall})
        services.maintenance_record(asset=server, values=work(cost="18000", started_on=date(2024, 12, 20),
                                                              finished_on=date(2025, 1, 10)))  # counts in 2025
        services.maintenance_record(asset=server, values=work(cost="96000", started_on=date(2025, 3, 1),
                                                              finished_on=date(2025, 3, 2)))
        services.maintenance_record(asset=town_hall, values=work(cost="1250000", started_on=date(2025, 5, 6),
                                                                 finished_on=date(2025, 6, 20)))
        services.maintenance_record(asset=town_hall, values=work(cost="5000", started_on=date(2024, 5, 6),
                                                                 finished_on=date(2024, 5, 7)))
        services.maintenance_record(asset=bus, values=work(cost="24500", started_on=date(2025, 4, 1),
                                                           finished_on=date(2025, 4, 1)))
        fleet.licence_create(values={"product": "Kaspersky", "valid_from": date(2024, 7, 1),
                                     "valid_until": date(2025, 6, 30), "yearly_cost": Decimal("86500")})
        fleet.licence_create(values={"product": "1С", "valid_from": date(2020, 1, 1), "yearly_cost": Decimal("48600")})
        fleet.licence_create(values={"product": "Astra", "valid_from": date(2025, 7, 1),
                                     "valid_until": date(2026, 6, 30), "yearly_cost": Decimal("124000")})
        year = (date(2025, 1, 1), date(2025, 12, 31))
        # 181 of 365 days of Kaspersky, the whole year of 1C, 184 of 365 days of Astra.
        licences = (Decimal("86500") * 181 / 365 + Decimal("48600") + Decimal("124000") * 184 / 365).quantize(
            Decimal("0.01"))
        assert selectors.licence_cost(*year) == licences
        assert selectors.ict_operating_cost(*year) == Decimal("114000.00") + licences
        assert selectors.buildings_operating_cost(*year) == Decimal("1250000.00")
        sources = {s.key: s for s in registered_modules()["assets"].report_sources}
        assert sources["ict_operating_cost"].compute(*year) == Decimal("114000.00") + licences
        assert sources["ict_operating_cost"].unit == "roubles"
        assert sources["buildings_operating_cost"].compute(date(2024, 1, 1), date(2024, 12, 31)) == Decimal("5000")
        rows = list(selectors.building_operating_costs(2025))
        assert [(r.name, r.upkeep, r.ict, r.total) for r in rows] == [
            (town_hall.name, Decimal("1250000.00"), Decimal("114000.00"), Decimal("1364000.00"))]


def test_the_back_office_pages_of_maintenance(client, alpha, beta):
    today = register_today()
    town_hall = building(alpha)
    theirs = building(beta, name="Чужое здание")
    with schema_context(alpha.schema_name):
        services.maintenance_record(asset=town_hall, values=work(cost="700", started_on=date(today.year, 1, 1),
                                                                 finished_on=date(today.year, 1, 1)))
        overdue = services.maintenance_schedule_create(values={
            "title": "Проверка сигнализации", "asset": town_hall, "work_type": "inspection", "every_months": 6,
            "starts_on": today - timedelta(days=3)})
        later = services.maintenance_schedule_create(values={
            "title": "Промывка отопления", "asset_kind": "building", "work_type": "maintenance", "every_months": 12,
            "starts_on": today + timedelta(days=300)})
    with schema_context(beta.schema_name):
        their_record = services.maintenance_record(asset=theirs, values=work(started_on=date(2020, 1, 1),
                                                                             finished_on=None))
        their_schedule = services.maintenance_schedule_create(values={
            "title": "Чужой график", "asset": theirs, "work_type": "inspection", "every_months": 1})
    login(client, alpha.host, alpha.admin_email)
    page = client.get("/admin/assets_maintenance/maintenancerecord/due/", HTTP_HOST=alpha.host).content.decode()
    assert "Проверка сигнализации" in page and "Промывка отопления" not in page
    page = client.get("/admin/assets_maintenance/maintenanceschedule/?work=overdue",
                      HTTP_HOST=alpha.host).content.decode()
    assert overdue.title in page and later.title not in page
    page = client.get(f"/admin/assets_maintenance/maintenancerecord/buildings/?year={today.year}",
                      HTTP_HOST=alpha.host).content.decode()
    assert town_hall.name in page and "700" in page and "Чужое" not in page
    page = client.get(f"/admin/assets/asset/{town_hall.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    assert "ООО «СтройМонтаж»" in page
    for url in (f"/admin/assets_maintenance/maintenancerecord/{their_record.pk}/change/",
                f"/admin/assets_maintenance/maintenanceschedule/{their_schedule.pk}/change/"):
        # Keys are per schema: the same number may name one of ours, never theirs.
        response = client.get(url, HTTP_HOST=alpha.host, follow=True)
        assert response.status_code == 200 and "Чуж" not in response.content.decode()
    # Recording through the back office: a date before acquisition is refused on the form.
    form = {"asset": town_hall.pk, "work_type": "repair", "cost": "100", "started_on": "2001-01-01",
            "document_title": "Акт"}
    response = client.post("/admin/assets_maintenance/maintenancerecord/add/", form, HTTP_HOST=alpha.host)
    assert response.status_code == 200 and "errornote" in response.content.decode()
    form["started_on"] = form["finished_on"] = str(today)
    response = client.post("/admin/assets_maintenance/maintenancerecord/add/", form, HTTP_HOST=alpha.host)
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        record = MaintenanceRecord.objects.get(started_on=today)
        assert record.documents.get().title == "Акт" and record.actor_email == alpha.admin_email


def test_the_demo_has_a_fleet_licences_a_maintenance_history_and_overdue_work(alpha):
    from django.core.management import call_command

    from gorodok_services.assets.fleet.models import IctProfile, Licence
    from gorodok_services.assets.fleet.selectors import licences_expiring_count

    call_command("seed_demo", schema=alpha.schema_name, modules=["assets"], quiet=True)
    with schema_context(alpha.schema_name):
        counts = (IctProfile.objects.count(), Licence.objects.count(), MaintenanceRecord.objects.count(),
                  MaintenanceSchedule.objects.count())
        assert counts[0] >= 5 and counts[1] == 4 and counts[2] >= 10 and counts[3] == 4
        assert selectors.maintenance_overdue_count() > 0 and licences_expiring_count() >= 1
        assert selectors.ict_operating_cost(date(2000, 1, 1), register_today()) > 0
    call_command("seed_demo", schema=alpha.schema_name, modules=["assets"], quiet=True)
    with schema_context(alpha.schema_name):
        assert (IctProfile.objects.count(), Licence.objects.count(), MaintenanceRecord.objects.count(),
                MaintenanceSchedule.objects.count()) == counts


def test_the_first_page_shows_overdue_maintenance_and_expiring_licences(client, alpha):
    from gorodok_services.assets.fleet import services as fleet_services

    today = register_today()
    town_hall = building(alpha)
    with schema_context(alpha.schema_name):
        services.maintenance_schedule_create(values={"title": "Осмотр", "asset": town_hall, "work_type": "inspection",
                                                     "every_months": 12, "starts_on": today - timedelta(days=2)})
        fleet_services.licence_create(values={"product": "Kaspersky", "valid_from": today - timedelta(days=300),
                                              "valid_until": today + timedelta(days=5), "yearly_cost": 1})
    assert registered_modules()["assets"].dashboard.endswith("assets_today")
    login(client, alpha.host, alpha.admin_email)
    page = client.get("/admin/", HTTP_HOST=alpha.host).content.decode()
    assert "Maintenance overdue" in page and "/admin/assets_maintenance/maintenancerecord/due/?overdue=1" in page
    assert "/admin/assets_fleet/licence/?term=expiring" in page
