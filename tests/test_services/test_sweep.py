"""The appeals sweep: overdue flags, reminders, overdue notices and escalations, each sent once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import dramatiq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.services import staff_user_create
from gorodok_platform.jobs.scheduler import periodic_jobs
from gorodok_services.appeals import services
from gorodok_services.appeals.models import Appeal, AppealsSettings, Notification, NotificationKind
from gorodok_services.appeals.sweep import appeals_sweep
from gorodok_tenants.modules import municipality_set_module
from gorodok_tenants.modules.jobs import fan_out_module_task, run_module_task
from tests.support.appeals import dated_intake as intake

RECEIVED = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
SENDER = "obrashcheniya@alpha.example.ru"
HEAD = "glava@alpha.example.ru"


@pytest.fixture
def broker():
    broker = dramatiq.get_broker()
    broker.flush_all()
    yield broker
    broker.flush_all()


def deliver_queued(broker) -> int:
    """Run the queued jobs here, in their schemas, as a worker would (the test's transaction is
    not committed, so a worker thread would not see its rows)."""
    queue = broker.queues.get("default")
    done = 0
    while queue is not None and not queue.empty():
        message = dramatiq.Message.decode(queue.get_nowait())
        queue.task_done()
        with schema_context(message.options["tenant_schema"]):
            broker.get_actor(message.actor_name).fn(*message.args, **message.kwargs)
        done += 1
    return done


@pytest.fixture
def in_alpha(alpha):
    with schema_context(alpha.schema_name):
        row = AppealsSettings.current()
        row.sender_email, row.head_email = SENDER, HEAD
        row.reminder_days, row.escalate_after_days = 3, 2
        row.save()
        yield alpha


def registered(number: int, *, executor=None, received: datetime = RECEIVED) -> Appeal:
    appeal, _ = services.appeal_receive(data=intake(external_number=f"SWEEP-{number}", received_at=received))
    appeal = services.appeal_register(appeal=appeal, registered_at=received + timedelta(hours=1)).appeal
    if executor is not None:
        appeal = services.appeal_assign(appeal=appeal, executor=executor)
    return appeal


def sweep(now, capture):
    with capture(execute=True):
        return appeals_sweep(now=now)


def test_reminds_once_flags_overdue_and_escalates_once(in_alpha, broker, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    executor = User.objects.get(email=in_alpha.admin_email)
    appeal = registered(1, executor=executor)
    due = appeal.due_at
    mailoutbox.clear()  # the author's registration notice is not the sweep's business
    deliver_queued(broker)
    mailoutbox.clear()

    report = sweep(due - timedelta(days=10), django_capture_on_commit_callbacks)
    assert (report.reminders, report.flagged, report.overdue_notices, report.escalations) == (0, 0, 0, 0)

    report = sweep(due - timedelta(days=2), django_capture_on_commit_callbacks)
    assert report.reminders == 1 and report.flagged == 0
    assert deliver_queued(broker) == 1
    assert [(m.to, m.from_email) for m in mailoutbox] == [([executor.email], SENDER)]
    assert appeal.registration_number in mailoutbox[0].subject

    report = sweep(due - timedelta(days=1), django_capture_on_commit_callbacks)  # later the same window
    assert report.reminders == 0 and deliver_queued(broker) == 0 and len(mailoutbox) == 1

    report = sweep(due + timedelta(hours=1), django_capture_on_commit_callbacks)
    assert (report.flagged, report.overdue_notices, report.escalations) == (1, 1, 0)  # one day late: not yet
    assert Appeal.objects.get(pk=appeal.pk).is_overdue
    deliver_queued(broker)
    assert mailoutbox[-1].to == [executor.email] and len(mailoutbox) == 2

    report = sweep(due + timedelta(days=2), django_capture_on_commit_callbacks)
    assert (report.flagged, report.overdue_notices, report.escalations) == (0, 0, 1)
    deliver_queued(broker)
    assert mailoutbox[-1].to == [HEAD] and mailoutbox[-1].from_email == SENDER and len(mailoutbox) == 3
    appeal.refresh_from_db()
    assert appeal.escalated_at == due + timedelta(days=2)
    assert appeal.events.filter(action="escalated").count() == 1

    again = sweep(due + timedelta(days=3), django_capture_on_commit_callbacks)
    assert again.as_dict() | {"schema": ""} == {"schema": "", "skipped": False, "flagged": 0, "unflagged": 0,
                                                "reminders": 0, "overdue_notices": 0, "escalations": 0}
    assert deliver_queued(broker) == 0 and len(mailoutbox) == 3
    kinds = sorted(Notification.objects.filter(appeal=appeal).values_list("kind", flat=True))
    assert kinds == sorted([NotificationKind.REGISTERED_NOTICE, NotificationKind.REMINDER,
                            NotificationKind.OVERDUE, NotificationKind.ESCALATION])


def test_a_notification_is_sent_once_even_if_its_job_runs_twice(in_alpha, broker, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    from gorodok_services.appeals.actors import send_appeal_notification

    appeal = registered(1, executor=User.objects.get(email=in_alpha.admin_email))
    deliver_queued(broker)
    mailoutbox.clear()
    report = sweep(appeal.due_at - timedelta(days=1), django_capture_on_commit_callbacks)
    [notification_id] = report.notification_ids
    send_appeal_notification.fn(notification_id)
    send_appeal_notification.fn(notification_id)
    assert len(mailoutbox) == 1


def test_unregistered_appeal_past_its_registration_term_escalates_to_the_head(in_alpha, broker, mailoutbox,
                                                                              django_capture_on_commit_callbacks):
    appeal, _ = services.appeal_receive(data=intake(external_number="SWEEP-LATE", received_at=RECEIVED))
    report = sweep(appeal.due_register_at + timedelta(days=3), django_capture_on_commit_callbacks)
    # Nobody is assigned yet: no overdue notice, but the head hears of it.
    assert (report.flagged, report.overdue_notices, report.escalations) == (1, 0, 1)
    deliver_queued(broker)
    assert [m.to for m in mailoutbox] == [[HEAD]]
    assert Notification.objects.get(appeal=appeal, kind=NotificationKind.ESCALATION).key.startswith("register:")


def test_department_head_hears_when_nobody_is_assigned(in_alpha, broker, django_capture_on_commit_callbacks):
    from gorodok_services.appeals.models import Department

    department = Department.objects.create(name="Отдел ЖКХ", head_email="zhkh@alpha.example.ru")
    appeal = registered(1)
    services.appeal_assign(appeal=appeal, department=department)
    sweep(appeal.due_at - timedelta(days=1), django_capture_on_commit_callbacks)
    assert Notification.objects.get(appeal=appeal, kind=NotificationKind.REMINDER).recipient == department.head_email


def test_flags_follow_the_deadline(in_alpha, broker, django_capture_on_commit_callbacks):
    late = registered(1)
    on_time = registered(2, received=RECEIVED + timedelta(days=20))
    Appeal.objects.filter(pk=on_time.pk).update(is_overdue=True)  # a stale flag, e.g. after an extension
    report = sweep(late.due_at + timedelta(days=1), django_capture_on_commit_callbacks)
    assert (report.flagged, report.unflagged) == (1, 1)
    assert set(Appeal.objects.filter(is_overdue=True).values_list("pk", flat=True)) == {late.pk}
    services.appeal_answer(appeal=late, answer_text="Ответ дан.")
    assert not Appeal.objects.get(pk=late.pk).is_overdue


def test_no_head_email_means_no_escalation(in_alpha, broker, django_capture_on_commit_callbacks):
    AppealsSettings.objects.update(head_email="")
    appeal = registered(1)
    report = sweep(appeal.due_at + timedelta(days=5), django_capture_on_commit_callbacks)
    assert report.escalations == 0 and Appeal.objects.get(pk=appeal.pk).escalated_at is None


def test_a_second_sweep_at_the_same_time_steps_aside(in_alpha, broker, django_capture_on_commit_callbacks):
    """While one sweep's transaction is open (here: the test's), another connection does nothing."""
    registered(1)
    appeals_sweep(now=RECEIVED + timedelta(days=1))  # holds the schema's sweep lock until the test ends
    seen = {}

    def other_worker():
        try:
            with schema_context(in_alpha.schema_name):
                seen["report"] = appeals_sweep(now=RECEIVED + timedelta(days=1))
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    thread.join(timeout=30)
    assert seen["report"].skipped


# --- jobs and the command -------------------------------------------------------------------------------

def test_sweeps_are_periodic_jobs():
    import gorodok_tenants.actors  # noqa: F401  (registers the modules' periodic tasks, as the worker does)

    jobs = periodic_jobs()
    assert jobs["appeals.sweep"].seconds <= 3600
    assert jobs["appeals.sweep"].args == ("appeals", "sweep")
    assert jobs["appeals.retention"].seconds <= 24 * 3600


def test_fan_out_sends_one_sweep_per_municipality_with_the_module(alpha, beta, broker):
    municipality_set_module(municipality=beta.municipality, code="appeals", enabled=False)
    fan_out_module_task.fn("appeals", "sweep")
    queued = [dramatiq.Message.decode(data) for data in broker.queues["fanout"].queue]
    schemas = [m.options["tenant_schema"] for m in queued
               if m.actor_name == "run_module_task" and tuple(m.args) == ("appeals", "sweep")]
    assert schemas.count(alpha.schema_name) == 1
    assert beta.schema_name not in schemas


def test_municipality_job_sweeps_its_own_schema(in_alpha, beta, broker):
    appeal = registered(1)
    with schema_context(beta.schema_name):
        run_module_task.fn("appeals", "sweep")
    assert not Appeal.objects.get(pk=appeal.pk).is_overdue
    with schema_context(in_alpha.schema_name):
        run_module_task.fn("appeals", "sweep")  # now is long after March 2026's due date
    assert Appeal.objects.get(pk=appeal.pk).is_overdue


def test_command(in_alpha, beta, broker, capsys):
    registered(1)
    out = _call("appeals_sweep", "--schema", in_alpha.schema_name)
    assert f"{in_alpha.schema_name}: flagged 1" in out
    out = _call("appeals_sweep", "--schema", in_alpha.schema_name)
    assert f"{in_alpha.schema_name}: flagged 0" in out and "escalations 0" in out
    with schema_context("public"):
        municipality_set_module(municipality=beta.municipality, code="appeals", enabled=False)
    with pytest.raises(CommandError):
        _call("appeals_sweep", "--schema", beta.schema_name)
    with pytest.raises(CommandError):
        _call("appeals_sweep", "--schema", "no_such_schema")


def _call(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_officers_get_reminders_at_their_own_address(in_alpha, broker, django_capture_on_commit_callbacks):
    officer = staff_user_create(email="officer@alpha.example.ru", password=None, roles=["appeals_officer"])
    appeal = registered(1, executor=officer)
    sweep(appeal.due_at - timedelta(days=1), django_capture_on_commit_callbacks)
    assert Notification.objects.get(appeal=appeal, kind=NotificationKind.REMINDER).recipient == officer.email


def test_a_broker_outage_does_not_fail_the_change_and_the_sweep_sends_later(alpha, monkeypatch,
                                                                            django_capture_on_commit_callbacks):
    """Queuing the e-mail after commit fails (broker down): the registration stands, and the next sweep
    queues the notification again."""
    from datetime import timedelta

    import dramatiq
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from gorodok_services.appeals import services
    from gorodok_services.appeals.models import Notification
    from gorodok_services.appeals.sweep import appeals_sweep
    from tests.support.appeals import dated_intake as intake

    broker = dramatiq.get_broker()
    broker.flush_all()
    with schema_context(alpha.schema_name):
        appeal, _ = services.appeal_receive(data=intake(external_number="OUTAGE-1"))

        def down(*args, **kwargs):
            raise ConnectionError("broker unreachable")

        monkeypatch.setattr(broker, "enqueue", down)
        with django_capture_on_commit_callbacks(execute=True):
            registration = services.appeal_register(appeal=appeal)
        notice = Notification.objects.get(appeal=registration.appeal, kind="registered_notice")
        assert notice.sent_at is None
        monkeypatch.undo()
        broker.flush_all()
        # The message was kept: the scheduler's catch-up sends it as soon as the broker answers.
        from gorodok_platform.jobs.enqueue import broker_health, deferred_flush
        from gorodok_platform.jobs.models import DeferredMessage

        with schema_context("public"):
            kept = DeferredMessage.objects.get(actor_name="send_appeal_notification")
        assert kept.tenant_schema == alpha.schema_name and kept.message["args"] == [notice.pk]
        assert deferred_flush() >= 1
        queued = [dramatiq.Message.decode(m) for m in list(broker.queues["default"].queue)]
        assert any(m.actor_name == "send_appeal_notification" and m.args == (notice.pk,) for m in queued)
        broker.flush_all()
        # The sweep's resend of unsent notices stays the backstop (e.g. a crash right after the commit).
        broker_health.mark_up()
        with django_capture_on_commit_callbacks(execute=True):
            appeals_sweep(now=timezone.now() + timedelta(minutes=10))
        queued = [dramatiq.Message.decode(m) for m in list(broker.queues["default"].queue)]
        assert any(m.actor_name == "send_appeal_notification" and m.args == (notice.pk,) for m in queued)
    broker.flush_all()
