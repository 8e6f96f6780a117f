"""Appeals write their webhook events into the outbox, in the transaction of the change, without
personal data; the dispatch is queued only when that transaction commits."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import dramatiq
import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.integrations.models import OutboxEvent
from gorodok_services.appeals import services
from gorodok_services.appeals.models import Appeal, AppealStatus
from gorodok_services.appeals.sweep import appeals_sweep
from tests.support.appeals import dated_intake as intake

RECEIVED = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
PERSONAL_DATA = ("Иванов", "ivanov@example.ru", "Ленина", "Яма на дороге", "ремонт дороги", "Яма заделана")


@pytest.fixture
def in_alpha(alpha):
    with schema_context(alpha.schema_name):
        yield alpha


@pytest.fixture
def broker():
    broker = dramatiq.get_broker()
    broker.flush_all()
    yield broker
    broker.flush_all()


def events_of(appeal: Appeal) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(payload__data__public_id=str(appeal.public_id)).order_by("id"))


def kinds(appeal: Appeal) -> list[tuple[str, str | None, str]]:
    return [(e.event_type, e.payload["data"].get("previous_status"), e.payload["data"]["status"])
            for e in events_of(appeal)]


def received(number: str) -> Appeal:
    return services.appeal_receive(data=intake(external_number=number, received_at=RECEIVED))[0]


def registered(number: str) -> Appeal:
    return services.appeal_register(appeal=received(number), registered_at=RECEIVED + timedelta(hours=1)).appeal


def test_the_life_of_an_appeal_in_events(in_alpha):
    appeal = received("EV-1")
    assert kinds(appeal) == []  # receiving is not an event
    appeal = services.appeal_register(appeal=appeal, registered_at=RECEIVED + timedelta(hours=1)).appeal
    assert kinds(appeal) == [("appeal.registered", None, "registered"),
                             ("appeal.status_changed", "received", "registered")]
    executor = User.objects.get(email=in_alpha.admin_email)
    appeal = services.appeal_assign(appeal=appeal, executor=executor)
    appeal = services.appeal_assign(appeal=appeal, executor=executor)  # no change of status: no event
    appeal = services.appeal_extend(appeal=appeal, days=10, reason="Нужна выездная проверка")
    appeal = services.appeal_answer(appeal=appeal, answer_text="Яма заделана.")
    appeal = services.appeal_close(appeal=appeal)
    assert kinds(appeal)[2:] == [
        ("appeal.status_changed", "registered", "in_progress"),
        ("appeal.status_changed", "in_progress", "answered"),
        ("appeal.answered", None, "answered"),
        ("appeal.status_changed", "answered", "closed"),
    ]
    answered = events_of(appeal)[4].payload
    assert answered["data"]["answered_at"] and answered["data"]["extended"] is True
    for event in events_of(appeal):
        body = event.payload
        assert set(body) == {"id", "type", "occurred_at", "municipality", "data"}
        assert body["id"] == str(event.event_id) and body["type"] == event.event_type
        assert body["municipality"] == {"schema": in_alpha.schema_name, "slug": "alpha"}
        data = body["data"]
        assert data["registration_number"] == appeal.registration_number
        assert base64.b64decode(data["id"]).decode() == f"Appeal:{appeal.pk}"
        text = json.dumps(body, ensure_ascii=False)
        assert not [word for word in PERSONAL_DATA if word in text], text


@pytest.mark.parametrize("close", ["forward", "without_answer"])
def test_other_endings_are_status_changes(in_alpha, close):
    appeal = registered(f"EV-{close}")
    if close == "forward":
        appeal = services.appeal_forward(appeal=appeal, to="Министерство транспорта края")
    else:
        appeal = services.appeal_leave_without_answer(appeal=appeal, reason="obscene")
    assert kinds(appeal)[-1] == ("appeal.status_changed", "registered", appeal.status)
    assert appeal.status in (AppealStatus.FORWARDED, AppealStatus.WITHOUT_ANSWER)


def test_a_rolled_back_change_leaves_no_event(in_alpha):
    appeal = received("EV-rollback")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.appeal_register(appeal=appeal, registered_at=RECEIVED + timedelta(hours=1))
        assert len(events_of(appeal)) == 2  # written with the change...
        raise RuntimeError("the caller fails after the service")
    assert events_of(appeal) == []  # ...and gone with it
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RECEIVED


def test_the_dispatch_is_queued_on_commit_in_the_appeals_schema(in_alpha, broker, django_capture_on_commit_callbacks):
    appeal = received("EV-commit")

    def dispatches():
        queue = broker.queues.get("default")
        messages = [dramatiq.Message.decode(data) for data in list(queue.queue)] if queue else []
        return [m for m in messages if m.actor_name == "dispatch_outbox_event"]

    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_register(appeal=appeal, registered_at=RECEIVED + timedelta(hours=1))
        assert dispatches() == []  # not before the commit
    queued = dispatches()
    assert sorted(m.args[0] for m in queued) == sorted(str(e.event_id) for e in events_of(appeal))
    assert {m.options["tenant_schema"] for m in queued} == {in_alpha.schema_name}


def test_the_sweep_tells_once_that_an_appeal_is_overdue(in_alpha, django_capture_on_commit_callbacks, broker):
    appeal = registered("EV-overdue")
    with django_capture_on_commit_callbacks(execute=True):
        appeals_sweep(now=appeal.due_at - timedelta(days=1))
    assert [k for k in kinds(appeal) if k[0] == "appeal.overdue"] == []
    with django_capture_on_commit_callbacks(execute=True):
        appeals_sweep(now=appeal.due_at + timedelta(hours=1))
        appeals_sweep(now=appeal.due_at + timedelta(days=1))
    overdue = [e.payload["data"] for e in events_of(appeal) if e.event_type == "appeal.overdue"]
    assert len(overdue) == 1
    assert overdue[0]["is_overdue"] is True and overdue[0]["missed"] == "answer"
