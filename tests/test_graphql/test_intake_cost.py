"""What one intake costs in SQL, so that repeated work cannot creep back: an Open311 POST and a
receiveAppeal each run a fixed, small number of statements, and what was made cheaper keeps its
guarantees (idempotency, one number per registration, history, audit, outbox, notifications)."""

from __future__ import annotations

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.integrations.models import OutboxEvent
from gorodok_services.appeals.models import Appeal, AppealEvent, Notification, RegistrationCounter
from tests.conftest import graphql
from tests.support.api_clients import bearer, make_client
from tests.support.appeals import ROAD
from tests.support.open311 import api_client, post

# Statements of one new Open311 POST, transaction control left out: the service (1), the idempotency
# keys (1), the deadline rule (1), the appeal, its question, history and audit (4), registration:
# settings, number, appeal, history, audit, outbox, notification (7), the Open311 audit entry (1).
OPEN311_POST_STATEMENTS = 15
# One new receiveAppeal: the classifier codes, the earlier submission, the deadline rule (3), the appeal,
# its question, history and audit (4), the appeal read back with what the payload asks for (1).
RECEIVE_APPEAL_STATEMENTS = 8
RECEIVE = """mutation ($input: ReceiveAppealInput!) { receiveAppeal(input: $input) {
  created appeal { id registrationNumber status %s } errors { field code } } } %s"""


def _statements(captured) -> list[str]:
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "BEGIN", "COMMIT", "SET SEARCH_PATH")
    return [query["sql"] for query in captured if not query["sql"].lstrip().upper().startswith(control)]


def _post_counted(client, tenant, token, **params):
    with CaptureQueriesContext(connection) as captured:
        status, body = post(client, tenant, token, **params)
    assert status == 200, body
    return body[0]["service_request_id"], _statements(captured)


def test_an_open311_post_runs_a_fixed_number_of_statements(client, alpha):
    token = api_client(alpha)
    post(client, alpha, token, description="Разогрев: первый запрос клиента")
    number, statements = _post_counted(client, alpha, token)
    assert len(statements) <= OPEN311_POST_STATEMENTS, "\n".join(statements)
    appeal_reads = [sql for sql in statements if sql.startswith("SELECT") and '"appeals_appeal"' in sql]
    assert len(appeal_reads) == 1, appeal_reads  # the idempotency keys, once; the new row is not read back
    assert not [sql for sql in statements if "appeals_registrationcounter" in sql and sql.startswith("SELECT")]
    assert not [sql for sql in statements if "appeals_notification" in sql and sql.startswith("SELECT")]
    with schema_context(alpha.schema_name):
        appeal = Appeal.objects.get(registration_number=number)
        assert appeal.status == "registered" and appeal.due_at is not None and appeal.access_code_hash
        assert list(AppealEvent.objects.filter(appeal=appeal).values_list("action", flat=True).order_by("id")) == [
            "received", "registered"]
        assert sorted(AuditEntry.objects.filter(target_id=str(appeal.pk)).values_list("action", flat=True)) == [
            "appeal.received", "appeal.registered", "open311.request_received"]
        events = list(OutboxEvent.objects.filter(payload__data__id__isnull=False).order_by("id"))
        mine = [event for event in events if event.payload["data"]["registration_number"] == number]
        assert [event.event_type for event in mine] == ["appeal.registered", "appeal.status_changed"]
        assert mine[1].payload["data"]["previous_status"] == "received"
        assert Notification.objects.filter(appeal=appeal, kind="registered_notice", key=number).count() == 1


def test_a_retried_open311_post_is_the_same_appeal(client, alpha):
    token = api_client(alpha)
    first, _ = _post_counted(client, alpha, token, device_id="phone-3")
    again, statements = _post_counted(client, alpha, token, device_id="phone-3")
    assert first == again
    assert not [sql for sql in statements if sql.startswith("INSERT")], statements
    with schema_context(alpha.schema_name):
        assert Appeal.objects.count() == 1
        assert Notification.objects.count() == 1


def test_a_retry_of_a_post_received_but_not_registered_registers_that_appeal(client, alpha):
    """The first attempt stopped after the appeal was received: the retry registers it, once."""
    from gorodok_graphql.open311.views import idempotency_keys
    from gorodok_platform.integrations.models import ApiClient
    from gorodok_services.appeals import services
    from tests.support.appeals import intake
    from tests.support.open311 import PERSON

    token = api_client(alpha)
    params = {"service_code": ROAD, "address_string": "ул. Ленина, 12", "description": "Глубокая яма у остановки",
              **PERSON}
    with schema_context(alpha.schema_name):
        key_id = ApiClient.objects.get().key_id
        from django.utils import timezone

        key = idempotency_keys(f"{alpha.schema_name}:{key_id}", params, "", timezone.now().date().toordinal())[0]
        received, created = services.appeal_receive(data=intake(channel="integrator"), idempotency_key=key)
        assert created and received.status == "received"
    number, _ = _post_counted(client, alpha, token)
    with schema_context(alpha.schema_name):
        appeal = Appeal.objects.get()
        assert (appeal.pk, appeal.registration_number, appeal.status) == (received.pk, number, "registered")
        assert not AuditEntry.objects.filter(action="open311.request_received").exists()  # not created now


def test_registration_numbers_follow_each_other_and_a_new_year_starts_at_one(alpha):
    from django.db import transaction

    from gorodok_services.appeals.services import _next_number

    with schema_context(alpha.schema_name), transaction.atomic():
        first = _next_number(2031)
        assert (first, _next_number(2031), _next_number(2031)) == (1, 2, 3)
        assert RegistrationCounter.objects.get(year=2031).last_number == 3


def test_a_notification_is_recorded_once(alpha):
    from gorodok_services.appeals.notifications import notification_record
    from tests.support.appeals import receive

    appeal = receive(alpha)
    with schema_context(alpha.schema_name):
        first, created = notification_record(appeal=appeal, kind="registered_notice", key="K-1", recipient="a@b.ru")
        again, created_again = notification_record(appeal=appeal, kind="registered_notice", key="K-1",
                                                   recipient="other@b.ru")
        assert (created, created_again) == (True, False) and first.pk == again.pk
        assert again.recipient == "a@b.ru" and first.created_at is not None
        assert Notification.objects.filter(appeal=appeal).count() == 1
        assert notification_record(appeal=appeal, kind="registered_notice", key="K-1", recipient="") == (None, False)


def test_events_of_one_change_are_written_in_order(alpha):
    from django.db import transaction

    from gorodok_platform.integrations.outbox import outbox_emit_many

    with schema_context(alpha.schema_name), transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            written = outbox_emit_many([("test.first", {"n": 1}), ("test.second", {"n": 2})])
        inserts = [sql for sql in _statements(captured) if sql.startswith("INSERT")]
        assert len(inserts) == 1 and '"integrations_outboxevent"' in inserts[0]
        stored = list(OutboxEvent.objects.filter(event_type__startswith="test.").order_by("id"))
        assert [event.pk for event in stored] == [event.pk for event in written]
        assert [(event.event_type, event.payload["data"]) for event in stored] == [
            ("test.first", {"n": 1}), ("test.second", {"n": 2})]
        assert stored[0].payload["occurred_at"] == stored[1].payload["occurred_at"]
        assert stored[0].payload["municipality"]["schema"] == alpha.schema_name


def _receive(client, alpha, token, number: int, extra: str = "", fragments: str = ""):
    variables = {"input": {"channel": "FEEDBACK_PLATFORM", "subject": "Нет света", "text": f"Фонари ({number})",
                           "questions": [{"classifierCode": ROAD}], "applicantName": "Петров П. П.",
                           "externalNumber": f"COST-{number}"}}
    with CaptureQueriesContext(connection) as captured:
        status, body = graphql(client, alpha.host, RECEIVE % (extra, fragments), variables, **bearer(token))
    assert status == 200 and "errors" not in body, body
    payload = body["data"]["receiveAppeal"]
    assert payload["created"] and not payload["errors"], payload
    return payload["appeal"], _statements(captured)


def test_receive_appeal_runs_a_fixed_number_of_statements(client, alpha):
    _, token = make_client(alpha.schema_name, ["appeals:read", "appeals:write"])
    _receive(client, alpha, token, 0)
    appeal, statements = _receive(client, alpha, token, 1)
    assert appeal["status"] == "RECEIVED"
    assert len(statements) <= RECEIVE_APPEAL_STATEMENTS, "\n".join(statements)


def test_receive_appeal_loads_the_relations_its_payload_asks_for(client, alpha):
    _, token = make_client(alpha.schema_name, ["appeals:read", "appeals:write"])
    _receive(client, alpha, token, 0)  # the host's routing, the client's last-use mark
    appeal, statements = _receive(client, alpha, token, 2, "questions { classifierCode } history { action } ...A",
                                  "fragment A on Appeal { attachments { name } }")
    assert appeal["questions"] == [{"classifierCode": ROAD}]
    assert appeal["history"] == [{"action": "received"}] and appeal["attachments"] == []
    assert len(statements) <= RECEIVE_APPEAL_STATEMENTS + 3, "\n".join(statements)
    assert json.dumps(appeal, ensure_ascii=False)
