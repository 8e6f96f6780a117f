"""The appeals list: filters, pagination, read permissions, personal data and a constant query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.accounts.models import User
from gorodok_services.appeals import services as appeal_services
from gorodok_services.appeals.models import Appeal, AppealEvent, Attachment, Department, Question
from gorodok_services.appeals.services import QuestionInput
from tests.conftest import graphql, login
from tests.support.appeals import (
    LARGE_FAMILIES,
    ROAD,
    gid,
    receive,
    register,
    staff,
)

LIST = """query ($first: Int, $after: String, $status: AppealStatus, $kind: AppealKind, $channel: AppealChannel,
  $section: String, $assignee: String, $dueBefore: DateTime, $overdue: Boolean, $search: String) {
  appeals(first: $first, after: $after, status: $status, kind: $kind, channel: $channel, section: $section,
          assignee: $assignee, dueBefore: $dueBefore, overdue: $overdue, search: $search) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id subject status isOverdue } }
  } }"""

LIST_WITH_RELATIONS = """query ($first: Int) { appeals(first: $first) { totalCount edges { node {
  id registrationNumber status kind channel subject dueAt isOverdue applicant { name email }
  department { id name } executor { email fullName }
  questions { position classifierCode section text result } } } } }"""

LIST_WITH_EVERYTHING = """query ($first: Int) { appeals(first: $first) { edges { node {
  id department { name } executor { email } questions { classifierCode }
  history { action actorEmail } attachments { name size } } } } }"""


def _subjects(body) -> list[str]:
    assert "errors" not in body, body
    return [edge["node"]["subject"] for edge in body["data"]["appeals"]["edges"]]


@pytest.fixture
def signed_in(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    return client


def test_list_needs_a_municipal_role(client, alpha):
    receive(alpha)
    query = "{ appeals(first: 5) { totalCount } }"
    status, body = graphql(client, alpha.host, query)
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert body["data"]["appeals"] is None
    login(client, alpha.host, staff(alpha, "norole@alpha.example.ru"))
    status, body = graphql(client, alpha.host, query)
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    status, body = graphql(client, alpha.host, "query ($id: ID!) { appeal(id: $id) { subject } }",
                           {"id": gid(Appeal(pk=1))})
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_filters(signed_in, alpha):
    now = timezone.now()
    with schema_context(alpha.schema_name):
        admin = User.objects.get(email=alpha.admin_email)
        officer = User.objects.get(email=staff(alpha, "officer@alpha.example.ru", "appeals_officer"))
    receive(alpha, subject="Свежая жалоба", kind="complaint", external_number="A-1")
    late = receive(alpha, subject="Давняя", channel="post", external_number="A-2",
                   received_at=now - timedelta(days=60))
    family = receive(alpha, subject="Многодетные", external_number="A-3",
                     questions=[QuestionInput(LARGE_FAMILIES), QuestionInput(ROAD)])
    register(alpha, late, registered_at=now - timedelta(days=59))  # due about a month ago: overdue
    register(alpha, family)
    with schema_context(alpha.schema_name):
        appeal_services.appeal_assign(appeal=family, executor=admin)
        appeal_services.appeal_assign(appeal=late, executor=officer)
        late.refresh_from_db()
        family.refresh_from_db()
    client, host = signed_in, alpha.host

    def subjects(**variables):
        status, body = graphql(client, host, LIST, {"first": 50, **variables})
        return _subjects(body)

    assert subjects() == ["Многодетные", "Свежая жалоба", "Давняя"]  # newest received first
    assert subjects(status="RECEIVED") == ["Свежая жалоба"]
    assert subjects(status="IN_PROGRESS") == ["Многодетные", "Давняя"]
    assert subjects(kind="COMPLAINT") == ["Свежая жалоба"]
    assert subjects(channel="POST") == ["Давняя"]
    assert subjects(section="0002") == ["Многодетные"]
    assert subjects(section="0003.0009") == ["Многодетные", "Свежая жалоба", "Давняя"]
    assert subjects(section="0004") == []
    assert subjects(assignee="me") == ["Многодетные"]
    assert subjects(assignee="OFFICER@alpha.example.ru") == ["Давняя"]
    assert subjects(overdue=True) == ["Давняя"]
    assert subjects(overdue=False) == ["Многодетные", "Свежая жалоба"]
    between = late.due_at + (family.due_at - late.due_at) / 2
    assert subjects(dueBefore=between.isoformat()) == ["Давняя"]
    assert subjects(dueBefore=(family.due_at + timedelta(seconds=1)).isoformat()) == ["Многодетные", "Давняя"]
    assert subjects(search="A-2") == ["Давняя"]
    assert subjects(search=late.registration_number) == ["Давняя"]
    assert subjects(status="IN_PROGRESS", overdue=False) == ["Многодетные"]

    status, body = graphql(client, host, LIST, {"first": 5, "overdue": True})
    assert body["data"]["appeals"]["edges"][0]["node"]["isOverdue"] is True
    status, body = graphql(client, host, LIST, {"section": "03; drop"})
    assert body["errors"][0]["extensions"] == {"code": "INVALID_FILTER", "argument": "section"}


def test_pagination_and_page_size_cap(signed_in, alpha):
    for n in range(5):
        receive(alpha, subject=f"Обращение {n}", external_number=f"P-{n}",
                received_at=datetime(2026, 1, 10 + n, tzinfo=UTC))
    client, host = signed_in, alpha.host
    status, body = graphql(client, host, LIST, {"first": 2})
    page = body["data"]["appeals"]
    assert page["totalCount"] == 5 and page["pageInfo"]["hasNextPage"] is True
    assert _subjects(body) == ["Обращение 4", "Обращение 3"]
    status, body = graphql(client, host, LIST, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    assert _subjects(body) == ["Обращение 2", "Обращение 1"]

    status, body = graphql(client, host, LIST, {"first": 101})
    assert body["errors"][0]["extensions"] == {"code": "PAGE_SIZE_EXCEEDED", "maxPageSize": 100}
    status, body = graphql(client, host, LIST, {"first": -1})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_PAGE_SIZE"


def _bulk_appeals(tenant, count: int) -> None:
    """``count`` registered appeals with two questions, a department, an executor, history and a file."""
    now = timezone.now()
    with schema_context(tenant.schema_name):
        department = Department.objects.create(name="Отдел благоустройства")
        executor = User.objects.get(email=tenant.admin_email)
        appeals = Appeal.objects.bulk_create([
            Appeal(channel="post", form="written", subject=f"Обращение {n}", text="Текст", status="in_progress",
                   applicant_name=f"Автор {n}", registration_number=f"ОГ-2026-{n:05d}",
                   received_at=now - timedelta(minutes=n), registered_at=now, due_register_at=now,
                   due_at=now + timedelta(days=30), department=department, executor=executor)
            for n in range(count)
        ])
        Question.objects.bulk_create([
            Question(appeal=appeal, position=position, classifier_code=code)
            for appeal in appeals for position, code in ((1, ROAD), (2, LARGE_FAMILIES))
        ])
        AppealEvent.objects.bulk_create([
            AppealEvent(appeal=appeal, action=action, to_status=status, actor_email=tenant.admin_email)
            for appeal in appeals for action, status in (("received", "received"), ("registered", "registered"))
        ])
        Attachment.objects.bulk_create([
            Attachment(appeal=appeal, file=f"appeals/{appeal.public_id}/scan.pdf", original_name="scan.pdf",
                       content_type="application/pdf", size=1024)
            for appeal in appeals
        ])


def _infrastructure(sql: str) -> bool:
    return sql.startswith("SET search_path") or "django_session" in sql


def _api_queries(client, host, query, first):
    """The queries a list request runs, without what every request pays whatever it asks: the schema
    switch (``SET search_path``) and the session lookup."""
    with CaptureQueriesContext(connection) as captured:
        status, body = graphql(client, host, query, {"first": first})
    assert "errors" not in body, body
    assert len(body["data"]["appeals"]["edges"]) == first
    return body, [q["sql"] for q in captured if not _infrastructure(q["sql"])]


def test_list_query_count_does_not_grow_with_page_size(signed_in, alpha):
    _bulk_appeals(alpha, 100)
    body, small = _api_queries(signed_in, alpha.host, LIST_WITH_RELATIONS, 5)
    node = body["data"]["appeals"]["edges"][0]["node"]
    assert node["department"]["name"] == "Отдел благоустройства"
    assert node["executor"]["email"] == alpha.admin_email
    assert [q["section"] for q in node["questions"]] == ["0003", "0002"]
    assert node["applicant"]["name"] == "Автор 0"
    body, large = _api_queries(signed_in, alpha.host, LIST_WITH_RELATIONS, 100)
    assert body["data"]["appeals"]["totalCount"] == 100
    # The user, their roles, the count, the page (with department and executor), the questions.
    assert len(small) == len(large) <= 5, (small, large)


def test_history_and_attachments_in_a_list_are_batched(signed_in, alpha):
    _bulk_appeals(alpha, 100)
    body, small = _api_queries(signed_in, alpha.host, LIST_WITH_EVERYTHING, 5)
    node = body["data"]["appeals"]["edges"][0]["node"]
    assert [h["action"] for h in node["history"]] == ["received", "registered"]
    assert node["attachments"] == [{"name": "scan.pdf", "size": 1024}]
    body, large = _api_queries(signed_in, alpha.host, LIST_WITH_EVERYTHING, 100)
    assert len(small) == len(large) <= 7, (small, large)


def test_classifier_entries(client, alpha):
    query = """query ($prefix: String, $level: Int, $first: Int) {
      classifierEntries(prefix: $prefix, level: $level, first: $first) {
        totalCount edges { node { code title level parentCode } } } }"""
    status, body = graphql(client, alpha.host, query, {"prefix": "0003.0009.0097", "level": 4, "first": 10})
    assert "errors" not in body, body
    nodes = [edge["node"] for edge in body["data"]["classifierEntries"]["edges"]]
    assert {"code": ROAD, "title": "Ремонт и содержание дорог", "level": 4, "parentCode": "0003.0009.0097"} in nodes
    assert all(node["code"].startswith("0003.0009.0097.") for node in nodes)
    status, body = graphql(client, alpha.host, query, {"level": 1, "first": 100})
    sections = [edge["node"]["code"] for edge in body["data"]["classifierEntries"]["edges"]]
    assert sections[:3] == ["0001", "0002", "0003"] and all(len(code) == 4 for code in sections)


def test_departments(signed_in, alpha):
    with schema_context(alpha.schema_name):
        kept = Department.objects.create(name="Отдел ЖКХ")
        Department.objects.create(name="Расформированный отдел", is_active=False)
    status, body = graphql(signed_in, alpha.host, "{ appealDepartments(first: 10) { edges { node { id name } } } }")
    assert body["data"]["appealDepartments"]["edges"] == [
        {"node": {"id": to_global_id("Department", kept.pk), "name": "Отдел ЖКХ"}}]


def test_queues_are_the_back_offices(signed_in, alpha):
    """The API's queue argument and the back office's queue filter ask the same selector."""
    from gorodok_services.appeals.selectors import QUEUES, appeal_queue

    now = timezone.now()
    with schema_context(alpha.schema_name):
        admin = User.objects.get(email=alpha.admin_email)
    mine = receive(alpha, subject="Моё", external_number="Q-1")
    register(alpha, mine)
    late = receive(alpha, subject="Просроченное", external_number="Q-2", received_at=now - timedelta(days=60))
    register(alpha, late, registered_at=now - timedelta(days=59))
    with schema_context(alpha.schema_name):
        from gorodok_services.appeals import services as appeal_services

        appeal_services.appeal_assign(appeal=Appeal.objects.get(pk=mine.pk), executor=admin)
    query = "query ($q: AppealQueue) { appeals(first: 20, queue: $q) { edges { node { subject } } } }"
    for queue in QUEUES:
        status, body = graphql(signed_in, alpha.host, query, {"q": queue.upper()})
        assert "errors" not in body, body
        got = sorted(edge["node"]["subject"] for edge in body["data"]["appeals"]["edges"])
        with schema_context(alpha.schema_name):
            expected = sorted(appeal_queue(Appeal.objects.all(), queue, admin).values_list("subject", flat=True))
        assert got == expected, queue
    status, body = graphql(signed_in, alpha.host, query, {"q": "MINE"})
    assert [edge["node"]["subject"] for edge in body["data"]["appeals"]["edges"]] == ["Моё"]
    status, body = graphql(signed_in, alpha.host, query, {"q": "OVERDUE"})
    assert [edge["node"]["subject"] for edge in body["data"]["appeals"]["edges"]] == ["Просроченное"]
