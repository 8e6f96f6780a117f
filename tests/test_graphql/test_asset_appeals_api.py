"""Appeals tied to register objects in the tenant API: the object of a question (on intake, by the link and
unlink mutations, with typed errors as data), an object's appeals (a connection gated by the appeals read
right, in a fixed number of queries), "objects with the most appeals", and another municipality's
objects and appeals never reached."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_services.appeals import services
from gorodok_services.appeals.models import Question
from gorodok_services.appeals.services import QuestionInput
from gorodok_services.assets import services as asset_services
from tests.conftest import graphql
from tests.support.appeals import ROAD, gid, intake
from tests.support.assets import asset_gid, building
from tests.test_graphql.test_assets_api import token_for

HEATING = "0005.0005.0057.1153"

RECEIVE = """mutation ($input: ReceiveAppealInput!) { receiveAppeal(input: $input) {
  appeal { id questions { position classifierCode asset { registerNumber name } } history { action } }
  errors { field code message } } }"""
LINK = """mutation ($id: ID!, $asset: ID!, $position: Int) {
  linkAppealAsset(id: $id, assetId: $asset, position: $position) {
  appeal { questions { position asset { id registerNumber } } history { action } } errors { field code } } }"""
UNLINK = """mutation ($id: ID!) { unlinkAppealAsset(id: $id) {
  appeal { questions { asset { id } } history { action } } errors { field code } } }"""
QUESTION_ASSET = "query ($id: ID!) { appeal(id: $id) { questions { asset { registerNumber } } } }"
ASSET_APPEALS = """query ($id: ID!, $first: Int, $after: String) { asset(id: $id) { registerNumber
  appeals(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id subject questions { classifierCode asset { registerNumber } } } } } } }"""
ASSETS_WITH_APPEALS = """query ($first: Int) { assets(first: $first) { edges { node { registerNumber
  appeals(first: 3) { totalCount edges { node { registrationNumber subject department { name }
    questions { classifierCode asset { registerNumber } } } } } } } } }"""
TOP = """query ($from: Date!, $to: Date!, $section: String, $first: Int) {
  assetsByAppeals(dateFrom: $from, dateTo: $to, classifierSection: $section, first: $first) {
    registerNumber name address questions appeals asset { id name holder { name } } } }"""


def received(tenant, *questions: QuestionInput, days_ago: int = 2, **overrides):
    with schema_context(tenant.schema_name):
        appeal, _ = services.appeal_receive(data=intake(
            questions=list(questions), received_at=timezone.now() - timedelta(days=days_ago), **overrides))
        return appeal


def remove(tenant, asset) -> None:
    with schema_context(tenant.schema_name):
        asset_services.asset_remove(asset=asset, removed_on=date(2024, 6, 1), reason="снос",
                                    document=asset_services.DocumentInput(kind="write_off", number="3",
                                                                          date=date(2024, 6, 1)))


@pytest.fixture
def school(alpha):
    return building(alpha)


@pytest.fixture
def everything(alpha):
    return token_for(alpha, "appeals:read", "appeals:write", "assets:read")


def test_receive_with_an_object_and_the_question_shows_it(client, alpha, school, everything):
    question = {"classifierCode": HEATING, "text": "холодно", "assetId": asset_gid(school)}
    variables = {"input": {"channel": "INTEGRATOR", "subject": "Холодно в школе", "text": "Батареи холодные.",
                           "applicantName": "Иванов И. И.", "questions": [question, {"classifierCode": ROAD}]}}
    status, body = graphql(client, alpha.host, RECEIVE, variables, **everything)
    result = body["data"]["receiveAppeal"]
    assert result["errors"] == []
    assert [q["asset"] for q in result["appeal"]["questions"]] == [
        {"registerNumber": school.register_number, "name": school.name}, None]
    assert "asset_linked" in [h["action"] for h in result["appeal"]["history"]]
    # Without the register's read scope the question's object is not shown.
    status, body = graphql(client, alpha.host, QUESTION_ASSET, {"id": result["appeal"]["id"]},
                           **token_for(alpha, "appeals:read"))
    assert body["data"]["appeal"]["questions"][0]["asset"] is None


def test_receive_with_a_removed_or_foreign_object_is_refused_as_data(client, alpha, beta, school, everything):
    theirs = building(beta, name="Чужая котельная", cadastral_number="19:02:010101:7")
    remove(alpha, school)
    for asset_id, code in ((asset_gid(school), "ASSET_REMOVED"), (asset_gid(theirs), "NOT_FOUND"),
                           ("bm9uc2Vuc2U=", "NOT_FOUND")):
        if asset_id == asset_gid(theirs):
            with schema_context(alpha.schema_name):
                from gorodok_services.assets.models import Asset

                assert not Asset.objects.filter(pk=theirs.pk).exists()
        variables = {"input": {"channel": "INTEGRATOR", "subject": "Холодно", "text": "Батареи холодные.",
                               "applicantName": "Иванов И. И.",
                               "questions": [{"classifierCode": HEATING, "assetId": asset_id}]}}
        status, body = graphql(client, alpha.host, RECEIVE, variables, **everything)
        result = body["data"]["receiveAppeal"]
        assert result["appeal"] is None and [e["code"] for e in result["errors"]] == [code], result
    with schema_context(alpha.schema_name):
        assert not Question.objects.exists()


def test_link_and_unlink_with_typed_errors(client, alpha, beta, school, everything):
    theirs = building(beta, name="Чужая котельная", cadastral_number="19:02:010101:7")
    boiler = building(alpha, name="Котельная № 2", cadastral_number="19:01:030101:18")
    appeal = received(alpha, QuestionInput(HEATING), QuestionInput(ROAD))
    status, body = graphql(client, alpha.host, LINK, {"id": gid(appeal), "asset": asset_gid(school), "position": 2},
                           **everything)
    result = body["data"]["linkAppealAsset"]
    assert result["errors"] == []
    assert [q["asset"] and q["asset"]["registerNumber"] for q in result["appeal"]["questions"]] == [
        None, school.register_number]
    remove(alpha, boiler)
    cases = [({"asset": asset_gid(boiler)}, "assetId", "ASSET_REMOVED"),
             ({"asset": asset_gid(theirs)}, "assetId", "NOT_FOUND"),
             ({"asset": gid(appeal)}, "assetId", "NOT_FOUND"),
             ({"position": 3}, "position", "NOT_FOUND"),
             ({"position": 2**31 - 1}, "position", "NOT_FOUND")]
    for variables, field, code in cases:
        status, body = graphql(client, alpha.host, LINK, {"id": gid(appeal), "asset": asset_gid(school),
                                                          **variables}, **everything)
        result = body["data"]["linkAppealAsset"]
        assert result["appeal"] is None and result["errors"] == [{"field": field, "code": code}], (variables, body)
    with schema_context(alpha.schema_name):
        assert list(Question.objects.filter(appeal=appeal).order_by("position")
                    .values_list("asset_id", flat=True)) == [None, school.pk]
    # Another municipality's appeal is not found either.
    foreign = received(beta, QuestionInput(HEATING))
    status, body = graphql(client, alpha.host, LINK, {"id": gid(foreign), "asset": asset_gid(school)}, **everything)
    assert body["data"]["linkAppealAsset"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    # Unlinking the first question (which names nothing) changes nothing; a writer-only client sees no appeal.
    status, body = graphql(client, alpha.host, UNLINK, {"id": gid(appeal)}, **token_for(alpha, "appeals:write"))
    assert body["data"]["unlinkAppealAsset"] == {"appeal": None, "errors": []}
    status, body = graphql(client, alpha.host, LINK, {"id": gid(appeal), "asset": asset_gid(school)},
                           **token_for(alpha, "appeals:read", "assets:read"))
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_an_objects_appeals_are_a_connection_for_those_who_read_appeals(client, alpha, school, everything):
    appeals = [received(alpha, QuestionInput(HEATING, asset_id=school.pk), QuestionInput(HEATING, asset_id=school.pk),
                        subject=f"Холодно {n}", days_ago=10 - n) for n in range(5)]
    received(alpha, QuestionInput(HEATING), subject="Без объекта")
    status, body = graphql(client, alpha.host, ASSET_APPEALS, {"id": asset_gid(school), "first": 2}, **everything)
    connection_ = body["data"]["asset"]["appeals"]
    assert connection_["totalCount"] == 5 and connection_["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["subject"] for e in connection_["edges"]] == ["Холодно 4", "Холодно 3"]  # newest first
    seen = [e["node"]["id"] for e in connection_["edges"]]
    after = connection_["pageInfo"]["endCursor"]
    while after:
        status, body = graphql(client, alpha.host, ASSET_APPEALS, {"id": asset_gid(school), "first": 2,
                                                                    "after": after}, **everything)
        page = body["data"]["asset"]["appeals"]
        seen += [e["node"]["id"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert seen == [gid(a) for a in reversed(appeals)]
    status, body = graphql(client, alpha.host, ASSET_APPEALS, {"id": asset_gid(school)},
                           **token_for(alpha, "assets:read"))
    assert body["data"]["asset"] == {"registerNumber": school.register_number, "appeals": None}
    for variables, code in (({"first": 101}, "PAGE_SIZE_EXCEEDED"), ({"first": -1}, "INVALID_PAGE_SIZE"),
                            ({"after": "bm9wZQ"}, "INVALID_CURSOR")):
        status, body = graphql(client, alpha.host, ASSET_APPEALS, {"id": asset_gid(school), **variables},
                               **everything)
        assert body["errors"][0]["extensions"]["code"] == code, body


def test_a_page_of_objects_with_their_appeals_costs_the_same_queries_at_any_size(client, alpha, everything):
    assets = [building(alpha, name=f"Дом {n}", cadastral_number=f"19:01:040101:{n}") for n in range(12)]
    for n, asset in enumerate(assets):
        for k in range(n % 4 + 1):
            received(alpha, QuestionInput(HEATING, asset_id=asset.pk), QuestionInput(ROAD, asset_id=asset.pk),
                     subject=f"Дом {n}, обращение {k}", days_ago=k + 1)
    graphql(client, alpha.host, ASSETS_WITH_APPEALS, {"first": 1}, **everything)  # warm: the token is cached
    counts = []
    for first in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            status, body = graphql(client, alpha.host, ASSETS_WITH_APPEALS, {"first": first}, **everything)
        assert status == 200 and "errors" not in body, body
        edges = body["data"]["assets"]["edges"]
        assert len(edges) == first
        by_number = {e["node"]["registerNumber"]: e["node"]["appeals"] for e in edges}
        third = by_number[assets[1].register_number]
        assert third["totalCount"] == 2 and len(third["edges"]) == 2
        assert third["edges"][0]["node"]["subject"] == "Дом 1, обращение 0"
        assert third["edges"][0]["node"]["questions"][0]["asset"] == {"registerNumber": assets[1].register_number}
        counts.append(len([q for q in queries if not q["sql"].startswith("SET search_path")]))
    assert counts[0] == counts[1], counts


def test_objects_with_the_most_appeals(client, alpha, beta, school, everything):
    boiler = building(alpha, name="Котельная № 2", cadastral_number="19:01:030101:18", address="ул. Котельная, 2")
    for _ in range(3):
        received(alpha, QuestionInput(HEATING, asset_id=boiler.pk))
    received(alpha, QuestionInput(HEATING, asset_id=school.pk), QuestionInput(ROAD, asset_id=school.pk))
    theirs = building(beta, name="Чужая котельная", cadastral_number="19:02:010101:7")
    for _ in range(5):
        received(beta, QuestionInput(HEATING, asset_id=theirs.pk))
    today = timezone.localdate()
    period = {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}
    status, body = graphql(client, alpha.host, TOP, period, **everything)
    rows = body["data"]["assetsByAppeals"]
    assert [(r["registerNumber"], r["questions"], r["appeals"]) for r in rows] == [
        (boiler.register_number, 3, 3), (school.register_number, 2, 1)]
    assert rows[0]["asset"] == {"id": asset_gid(boiler), "name": "Котельная № 2",
                                "holder": {"name": boiler.holder.name}}
    assert rows[0]["address"] == "ул. Котельная, 2"
    status, body = graphql(client, alpha.host, TOP, {**period, "section": "0003"}, **everything)
    assert [(r["registerNumber"], r["questions"]) for r in body["data"]["assetsByAppeals"]] == [
        (school.register_number, 1)]
    for variables, code in (({"first": 101}, "INVALID_INPUT"), ({"section": "дом"}, "INVALID_INPUT"),
                            ({"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()},
                             "INVALID_PERIOD"),
                            ({"from": "2000-01-01", "to": "2020-01-01"}, "INVALID_PERIOD")):
        status, body = graphql(client, alpha.host, TOP, {**period, **variables}, **everything)
        assert body["errors"][0]["extensions"]["code"] == code, body
    for scopes, missing in ((("appeals:read",), "assets:read"), (("assets:read",), "appeals:read")):
        status, body = graphql(client, alpha.host, TOP, period, **token_for(alpha, *scopes))
        assert body["errors"][0]["extensions"]["requiredScope"] == missing


def test_another_municipalitys_object_and_its_appeals_are_not_reached(client, alpha, beta, everything):
    theirs = building(beta, name="Чужая котельная", cadastral_number="19:02:010101:7")
    received(beta, QuestionInput(HEATING, asset_id=theirs.pk), subject="Чужое обращение")
    with schema_context(alpha.schema_name):
        from gorodok_services.assets.models import Asset

        assert not Asset.objects.filter(pk=theirs.pk).exists()
    status, body = graphql(client, alpha.host, ASSET_APPEALS, {"id": asset_gid(theirs)}, **everything)
    assert body["data"]["asset"] is None
    status, body = graphql(client, alpha.host, "query ($id: ID!) { node(id: $id) { id } }",
                           {"id": asset_gid(theirs)}, **everything)
    assert body["data"]["node"] is None
