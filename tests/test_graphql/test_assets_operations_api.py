"""The ICT fleet and maintenance in the tenant API: list fields with equal query counts at two page
sizes, the mutations through the services with typed error codes, the scopes, and isolation between
municipalities (another municipality's IDs are not found)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from gorodok_services.assets.fleet import services as fleet
from gorodok_services.assets.fleet.models import IctProfile, Licence
from gorodok_services.assets.maintenance import services as maintenance
from gorodok_services.assets.maintenance.models import MaintenanceRecord, MaintenanceSchedule
from gorodok_services.assets.services import register_today
from tests.conftest import graphql
from tests.support.assets import asset_gid, building, holder
from tests.support.operations import equipment, gid
from tests.test_graphql.test_assets_api import token_for

LISTS = {
    "ictProfiles": "ictProfiles(first: $first) { edges { node { id category room warrantyUntil "
                   "asset { name holder { inn } } building { name } } } }",
    "licences": "licences(first: $first) { edges { node { id product seats validUntil assets { name "
                "holder { inn } documents { number } ictProfile { category } } } } }",
    "maintenanceRecords": "maintenanceRecords(first: $first) { edges { node { id workType cost "
                          "asset { name holder { inn } } documents { title } } } }",
    "maintenanceSchedules": "maintenanceSchedules(first: $first) { edges { node { id title workType everyMonths "
                            "asset { name holder { inn } } } } }",
}


def many(tenant, count: int) -> None:
    today = register_today()
    town_hall = building(tenant)
    with schema_context(tenant.schema_name):
        for n in range(count):
            server = equipment(tenant, name=f"Компьютер {n}", inventory_number=f"МЦ-{n}")
            fleet.ict_profile_set(asset=server, values={"category": "computer", "building": town_hall,
                                                        "room": str(n), "warranty_until": today})
            fleet.licence_create(values={"product": f"Лицензия {n}", "valid_from": date(2024, 1, 1),
                                         "yearly_cost": n, "assets": [server]})
            maintenance.maintenance_record(asset=server, values={
                "work_type": "repair", "cost": n, "started_on": date(2024, 1, 1)},
                documents=[maintenance.WorkDocument(title=f"Акт {n}")])
            maintenance.maintenance_schedule_create(values={"title": f"ТО {n}", "asset": server,
                                                            "work_type": "maintenance", "every_months": 6})


@pytest.mark.parametrize("field", list(LISTS))
def test_each_list_costs_the_same_queries_at_any_page_size(client, alpha, field):
    many(alpha, 8)
    headers = token_for(alpha, "assets:read")
    query = f"query ($first: Int) {{ {LISTS[field]} }}"
    graphql(client, alpha.host, query, {"first": 1}, **headers)  # warm: the client's token is cached
    counts = []
    for first in (2, 8):
        with CaptureQueriesContext(connection) as queries:
            status, body = graphql(client, alpha.host, query, {"first": first}, **headers)
        assert status == 200 and "errors" not in body, body
        assert len(body["data"][field]["edges"]) == first
        counts.append(len([q for q in queries if not q["sql"].startswith("SET search_path")]))
    assert counts[0] == counts[1], counts


def test_due_work_and_building_costs_cost_the_same_queries_for_more_objects(client, alpha):
    headers = token_for(alpha, "assets:read")
    today = register_today()
    query = """{ maintenanceDue(withinDays: 400) { dueOn overdue asset { name holder { inn } } schedule { title } }
                 buildingOperatingCosts { building { name } upkeep ict total } }"""
    graphql(client, alpha.host, query, **headers)  # warm: the client's token is cached
    counts = []
    for size in (2, 8):
        with schema_context(alpha.schema_name):
            MaintenanceSchedule.objects.all().delete()
        owner = holder(alpha)
        with schema_context(alpha.schema_name):
            for n in range(size - MaintenanceSchedule.objects.count()):
                from gorodok_services.assets.services import asset_create

                asset_create(values={"kind": "building", "name": f"Здание {size}-{n}", "right_type": "ownership",
                                     "holder": owner, "included_on": date(2020, 1, 1)})
            maintenance.maintenance_schedule_create(values={"title": "Осмотр", "asset_kind": "building",
                                                            "work_type": "inspection", "every_months": 12,
                                                            "starts_on": today - timedelta(days=1)})
        with CaptureQueriesContext(connection) as queries:
            status, body = graphql(client, alpha.host, query, **headers)
        assert "errors" not in body, body
        assert all(item["overdue"] for item in body["data"]["maintenanceDue"])
        counts.append((len(body["data"]["maintenanceDue"]),
                       len([q for q in queries if not q["sql"].startswith("SET search_path")])))
    assert counts[0][0] < counts[1][0] and counts[0][1] == counts[1][1], counts


SET_PROFILE = """mutation ($id: ID!, $input: IctProfileInput!) { setIctProfile(id: $id, input: $input) {
  ictProfile { id category room building { name } asset { name ictProfile { category } } } errors { field code } } }"""
CREATE_LICENCE = """mutation ($input: LicenceInput!) { createLicence(input: $input) {
  licence { id product seats validUntil yearlyCost assets { name } } errors { field code } } }"""
UPDATE_LICENCE = """mutation ($id: ID!, $input: LicenceInput!) { updateLicence(id: $id, input: $input) {
  licence { seats assets { name } } errors { field code } } }"""
RECORD = """mutation ($id: ID!, $input: MaintenanceRecordInput!) { recordMaintenance(assetId: $id, input: $input) {
  maintenanceRecord { id workType cost finishedOn documents { title number } } errors { field code } } }"""
SCHEDULE = """mutation ($input: MaintenanceScheduleInput!) { createMaintenanceSchedule(input: $input) {
  maintenanceSchedule { id title everyMonths ictCategory assetKind asset { name } } errors { field code } } }"""


def test_the_mutations_work_through_the_services(client, alpha):
    server = equipment(alpha)
    town_hall = building(alpha)
    headers = token_for(alpha, "assets:read", "assets:write")
    status, body = graphql(client, alpha.host, SET_PROFILE, {"id": asset_gid(server), "input": {
        "category": "SERVER", "buildingId": asset_gid(town_hall), "room": "104"}}, **headers)
    result = body["data"]["setIctProfile"]
    assert result["errors"] == [] and result["ictProfile"]["building"]["name"] == town_hall.name
    assert result["ictProfile"]["asset"]["ictProfile"]["category"] == "SERVER"
    status, body = graphql(client, alpha.host, CREATE_LICENCE, {"input": {
        "product": "Astra Linux", "seats": 20, "validFrom": "2025-07-01", "yearlyCost": "124000",
        "assetIds": [asset_gid(server)]}}, **headers)
    result = body["data"]["createLicence"]
    assert result["errors"] == [] and result["licence"]["validUntil"] is None
    assert result["licence"]["assets"] == [{"name": server.name}]
    status, body = graphql(client, alpha.host, UPDATE_LICENCE, {"id": result["licence"]["id"], "input": {
        "seats": 25, "assetIds": []}}, **headers)
    assert body["data"]["updateLicence"] == {"licence": {"seats": 25, "assets": []}, "errors": []}
    status, body = graphql(client, alpha.host, RECORD, {"id": asset_gid(server), "input": {
        "workType": "UPGRADE", "cost": "96000", "startedOn": "2025-03-01", "finishedOn": "2025-03-02",
        "documents": [{"title": "Товарная накладная", "number": "17"}]}}, **headers)
    result = body["data"]["recordMaintenance"]
    assert result["errors"] == [] and result["maintenanceRecord"]["documents"] == [
        {"title": "Товарная накладная", "number": "17"}]
    status, body = graphql(client, alpha.host, SCHEDULE, {"input": {
        "title": "ТО серверов", "ictCategory": "SERVER", "workType": "MAINTENANCE", "everyMonths": 6}}, **headers)
    result = body["data"]["createMaintenanceSchedule"]
    assert result["errors"] == [] and result["maintenanceSchedule"]["ictCategory"] == "SERVER"
    assert result["maintenanceSchedule"]["asset"] is None


@pytest.mark.parametrize(("mutation", "variables", "field", "code"), [
    (SET_PROFILE, {"id": "building", "input": {"category": "SERVER"}}, "id", "NOT_ICT_EQUIPMENT"),
    (SET_PROFILE, {"id": "server", "input": {"category": "SERVER", "buildingId": "server"}}, "buildingId",
     "NOT_REAL_ESTATE"),
    (CREATE_LICENCE, {"input": {"product": "X", "seats": 0, "validFrom": "2025-01-01"}}, "seats", "INVALID"),
    (CREATE_LICENCE, {"input": {"product": "X", "validFrom": "2025-01-01", "validUntil": "2024-01-01"}},
     "validUntil", "INVALID_DATES"),
    (CREATE_LICENCE, {"input": {"product": "X", "validFrom": "2025-01-01", "yearlyCost": "-5"}}, "yearlyCost",
     "NEGATIVE_VALUE"),
    (RECORD, {"id": "server", "input": {"workType": "REPAIR", "startedOn": "2019-12-31"}}, "startedOn",
     "BEFORE_ACQUISITION"),
    (RECORD, {"id": "server", "input": {"workType": "REPAIR", "startedOn": "2025-02-01",
                                        "finishedOn": "2025-01-01"}}, "finishedOn", "INVALID_DATES"),
    (RECORD, {"id": "server", "input": {"workType": "REPAIR", "startedOn": "2025-02-01", "cost": "-1"}}, "cost",
     "NEGATIVE_VALUE"),
    (RECORD, {"id": "server", "input": {"workType": "REPAIR", "startedOn": "2999-01-01"}}, "startedOn",
     "FUTURE_DATE"),
    (SCHEDULE, {"input": {"title": "ТО", "assetKind": "BUILDING", "workType": "MAINTENANCE", "everyMonths": 0}},
     "everyMonths", "INVALID_INTERVAL"),
    (SCHEDULE, {"input": {"title": "ТО", "workType": "MAINTENANCE", "everyMonths": 6}}, "assetId",
     "SCHEDULE_TARGET"),
])
def test_bad_input_is_a_typed_error_and_nothing_is_written(client, alpha, mutation, variables, field, code):
    objects = {"server": asset_gid(equipment(alpha)), "building": asset_gid(building(alpha))}

    def resolve(value):
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return objects.get(value, value) if isinstance(value, str) else value

    headers = token_for(alpha, "assets:write")
    status, body = graphql(client, alpha.host, mutation, resolve(variables), **headers)
    result = next(iter(body["data"].values()))
    assert {"field": field, "code": code} in result["errors"], result
    with schema_context(alpha.schema_name):
        assert not (IctProfile.objects.exists() or Licence.objects.exists() or MaintenanceRecord.objects.exists()
                    or MaintenanceSchedule.objects.exists())


def test_another_municipalitys_objects_are_not_found(client, alpha, beta):
    theirs = equipment(beta, name="Чужой сервер")
    with schema_context(beta.schema_name):
        profile = fleet.ict_profile_set(asset=theirs, values={"category": "server"})
        licence = fleet.licence_create(values={"product": "Чужая", "valid_from": date(2024, 1, 1),
                                               "yearly_cost": Decimal("1")})
        record = maintenance.maintenance_record(asset=theirs, values={"work_type": "repair",
                                                                      "started_on": date(2024, 1, 1)})
        schedule = maintenance.maintenance_schedule_create(values={"title": "Чужой график", "asset": theirs,
                                                                   "work_type": "repair", "every_months": 1})
    headers = token_for(alpha, "assets:read", "assets:write")
    for type_name, obj in (("IctProfile", profile), ("Licence", licence), ("MaintenanceRecord", record),
                           ("MaintenanceSchedule", schedule)):
        status, body = graphql(client, alpha.host, "query ($id: ID!) { node(id: $id) { id } }",
                               {"id": gid(type_name, obj)}, **headers)
        assert (body.get("data") or {}).get("node") is None, body
    status, body = graphql(client, alpha.host, UPDATE_LICENCE, {"id": gid("Licence", licence),
                                                                "input": {"seats": 2}}, **headers)
    assert body["data"]["updateLicence"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    status, body = graphql(client, alpha.host, RECORD, {"id": asset_gid(theirs), "input": {
        "workType": "REPAIR", "startedOn": "2024-02-01"}}, **headers)
    assert body["data"]["recordMaintenance"]["errors"] == [{"field": "assetId", "code": "NOT_FOUND"}]
    status, body = graphql(client, alpha.host, SET_PROFILE, {"id": asset_gid(theirs), "input": {
        "category": "SERVER"}}, **headers)
    assert body["data"]["setIctProfile"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    query = "{ ictProfiles(first: 5) { edges { node { id } } } licences(first: 5) { edges { node { id } } } " \
            "maintenanceRecords(first: 5) { edges { node { id } } } maintenanceDue(withinDays: 400) { dueOn } }"
    status, body = graphql(client, alpha.host, query, **headers)
    data = body["data"]
    assert data["ictProfiles"]["edges"] == data["licences"]["edges"] == data["maintenanceRecords"]["edges"] == []
    assert data["maintenanceDue"] == []
    with schema_context(beta.schema_name):
        licence.refresh_from_db()
        assert licence.seats == 1


def test_scopes_and_bounds(client, alpha):
    server = equipment(alpha)
    status, body = graphql(client, alpha.host, RECORD, {"id": asset_gid(server), "input": {
        "workType": "REPAIR", "startedOn": "2024-02-01"}}, **token_for(alpha, "assets:read"))
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    status, body = graphql(client, alpha.host, "{ licences(first: 1) { edges { node { id } } } }",
                           **token_for(alpha, "appeals:read"))
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    status, body = graphql(client, alpha.host, "{ maintenanceDue(withinDays: 100000) { dueOn } }",
                           **token_for(alpha, "assets:read"))
    assert body["errors"][0]["extensions"]["code"] == "VALUE_OUT_OF_RANGE"
    status, body = graphql(client, alpha.host, "{ buildingOperatingCosts(year: 99999) { total } }",
                           **token_for(alpha, "assets:read"))
    assert body["errors"][0]["extensions"]["code"] == "VALUE_OUT_OF_RANGE"
