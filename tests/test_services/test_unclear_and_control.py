"""Duties 59-FZ and the monthly report add to an appeal's life: the notice that an appeal cannot be
understood (ending or pausing consideration as the rule says, its term swept like the others), and
"taken under control" / "considered on site" with who, when and why — through the services, the
sweep, the back office and the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.audit.models import AuditEntry
from gorodok_services.appeals import services
from gorodok_services.appeals.models import (
    Appeal,
    AppealsSettings,
    AppealStatus,
    DeadlineRule,
    Notification,
    NotificationKind,
    QuestionResult,
)
from gorodok_services.appeals.statistics import appeal_statistics
from gorodok_services.appeals.sweep import appeals_sweep
from tests.conftest import graphql
from tests.support.appeals import dated_intake as intake
from tests.test_services.test_back_office import act_url, change_url, new_appeal, office  # noqa: F401
from tests.test_services.test_sweep import broker, deliver_queued  # noqa: F401

KRASNOYARSK = ZoneInfo("Asia/Krasnoyarsk")
HEAD = "glava@alpha.example.ru"
# Registered on Monday 2 March 2026, 10:00 local: the notice is due within 7 days, 9 March, a holiday
# (8 March observed) → Tuesday 10 March by default.
REGISTERED = datetime(2026, 3, 2, 10, 0, tzinfo=KRASNOYARSK)


class Clock:
    def __init__(self, monkeypatch, moment: datetime):
        self.moment = moment
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def at(self, moment: datetime) -> None:
        self.moment = moment


@pytest.fixture
def in_alpha(alpha):
    with schema_context(alpha.schema_name):
        row = AppealsSettings.current()
        row.head_email, row.reminder_days, row.escalate_after_days = HEAD, 3, 2
        row.save()
        yield alpha


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, REGISTERED)


def registered_appeal(number: int = 1, **overrides) -> Appeal:
    appeal, _ = services.appeal_receive(data=intake(external_number=f"UNCLEAR-{number}", received_at=REGISTERED,
                                                    **overrides))
    return services.appeal_register(appeal=appeal, registered_at=REGISTERED).appeal


def pause_unclear_statements(days: int = 30) -> None:
    DeadlineRule.objects.filter(kind="statement", category_prefix="").update(unclear_handling="pause",
                                                                             clarification_days=days)


def local_day(moment: datetime) -> date:
    return moment.astimezone(KRASNOYARSK).date()


# --- the notice and its term ---------------------------------------------------------------------------

@pytest.mark.parametrize(("told_on", "late"), [
    (datetime(2026, 3, 5, 12, 0, tzinfo=KRASNOYARSK), False),
    (datetime(2026, 3, 10, 23, 59, tzinfo=KRASNOYARSK), False),  # the last day, moved off the 9 March holiday
    (datetime(2026, 3, 11, 0, 1, tzinfo=KRASNOYARSK), True),
])
def test_by_default_an_unclear_appeal_is_left_without_an_answer_and_the_author_told(
        in_alpha, clock, django_capture_on_commit_callbacks, told_on, late):
    appeal = registered_appeal()
    clock.at(told_on)
    with django_capture_on_commit_callbacks() as callbacks:
        appeal = services.appeal_request_clarification(appeal=appeal, actor=None, note="Не указан адрес ямы.")
    assert callbacks, "the notice is sent after commit"
    assert (appeal.status, appeal.no_answer_reason, appeal.unclear_notice_late) == (
        AppealStatus.WITHOUT_ANSWER, "unclear", late)
    assert appeal.closed_at == told_on and appeal.clarification_requested_at == told_on
    assert set(appeal.questions.values_list("result", flat=True)) == {QuestionResult.WITHOUT_ANSWER}
    notice = Notification.objects.get(appeal=appeal, kind=NotificationKind.UNCLEAR_NOTICE)
    assert notice.recipient == "ivanov@example.ru"
    event = appeal.events.get(action="clarification_requested")
    assert event.note == "Не указан адрес ямы."
    assert event.data["notice_late"] is late and event.data["handling"] == "close"
    assert local_day(datetime.fromisoformat(event.data["notice_due_at"])) == date(2026, 3, 10)
    with pytest.raises(ValidationError) as again:
        services.appeal_request_clarification(appeal=appeal)
    assert again.value.code == "invalid_transition"


def test_the_notice_reaches_the_author_in_russian(in_alpha, clock, broker, mailoutbox,  # noqa: F811
                                                  django_capture_on_commit_callbacks):
    pause_unclear_statements()
    appeal = registered_appeal()
    deliver_queued(broker)
    mailoutbox.clear()
    clock.at(datetime(2026, 3, 4, 9, 0, tzinfo=KRASNOYARSK))
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_request_clarification(appeal=appeal, note="Какой двор имеется в виду?")
    deliver_queued(broker)  # the notice (and the webhook's status change)
    [mail] = mailoutbox
    assert mail.to == ["ivanov@example.ru"] and appeal.registration_number in mail.subject
    assert "Какой двор имеется в виду?" in mail.body and "03.04.2026" in mail.body  # awaited 30 days
    assert "понять невозможно" in mail.body and "неясна" in mail.subject


def test_a_paused_appeal_waits_then_resumes_with_the_days_it_had_left(in_alpha, clock):
    pause_unclear_statements(days=30)
    appeal = registered_appeal()
    assert local_day(appeal.due_at) == date(2026, 4, 1)
    clock.at(datetime(2026, 3, 4, 9, 0, tzinfo=KRASNOYARSK))
    appeal = services.appeal_request_clarification(appeal=appeal, note="Уточните адрес.")
    assert appeal.status == AppealStatus.AWAITING_CLARIFICATION
    assert appeal.due_at is None and local_day(appeal.paused_due_at) == date(2026, 4, 1)
    assert local_day(appeal.due_clarification_at) == date(2026, 4, 3)
    assert appeal.closed_at is None and not appeal.unclear_notice_late
    with pytest.raises(ValidationError) as refused:
        services.appeal_answer(appeal=appeal, answer_text="Ответ")
    assert refused.value.code == "invalid_transition"
    # Nothing is overdue while the answer term is paused, however long the wait.
    assert appeals_sweep(now=datetime(2026, 4, 2, 12, 0, tzinfo=KRASNOYARSK)).flagged == 0

    clock.at(datetime(2026, 3, 16, 15, 0, tzinfo=KRASNOYARSK))  # 12 days later
    appeal = services.appeal_receive_clarification(appeal=appeal, note="Адрес: ул. Ленина, 5.")
    assert appeal.status == AppealStatus.REGISTERED and appeal.paused_days == 12
    assert local_day(appeal.due_at) == date(2026, 4, 13)  # 1 April + 12 days
    assert appeal.clarification_received_at == clock.moment and appeal.paused_due_at is None
    # An extension counted from registration still gives the paused days back.
    DeadlineRule.objects.filter(kind="statement", category_prefix="").update(extension_from="registration")
    appeal = services.appeal_extend(appeal=appeal, days=10, reason="Нужна выездная проверка")
    assert local_day(appeal.due_at) == date(2026, 4, 23)  # 2 March + 30 + 12 + 10 = 23 April, a Thursday
    assert [e.action for e in appeal.events.all()][-3:] == ["clarification_requested", "clarification_received",
                                                           "extended"]


def test_the_clarification_term_is_swept_like_the_others(in_alpha, clock, broker,  # noqa: F811
                                                         django_capture_on_commit_callbacks):
    pause_unclear_statements(days=7)
    executor = User.objects.get(email=in_alpha.admin_email)
    appeal = services.appeal_assign(appeal=registered_appeal(), executor=executor)
    clock.at(datetime(2026, 3, 4, 9, 0, tzinfo=KRASNOYARSK))
    appeal = services.appeal_request_clarification(appeal=appeal)
    due = appeal.due_clarification_at
    assert local_day(due) == date(2026, 3, 11)

    def sweep(now):
        with django_capture_on_commit_callbacks(execute=True):
            return appeals_sweep(now=now)

    def recipients(kind):
        return list(Notification.objects.filter(appeal=appeal, kind=kind).values_list("recipient", "key"))

    assert sweep(due - timedelta(days=5)).reminders == 0
    assert sweep(due - timedelta(days=2)).reminders == 1
    assert sweep(due - timedelta(days=1)).reminders == 0  # once
    assert recipients(NotificationKind.REMINDER) == [(executor.email, "clarification:2026-03-11")]
    report = sweep(due + timedelta(hours=1))
    assert (report.overdue_notices, report.escalations, report.flagged) == (1, 0, 0)
    report = sweep(due + timedelta(days=2))
    assert (report.overdue_notices, report.escalations) == (0, 1)
    assert recipients(NotificationKind.ESCALATION) == [(HEAD, "clarification:2026-03-11")]
    assert appeal.events.get(action="escalated").data["missed"] == "clarification"
    again = sweep(due + timedelta(days=3))
    assert (again.reminders, again.overdue_notices, again.escalations) == (0, 0, 0)
    deliver_queued(broker)
    # The author never clarified: the appeal may now be left without an answer as unclear.
    appeal = services.appeal_leave_without_answer(appeal=appeal, reason="unclear")
    assert appeal.status == AppealStatus.WITHOUT_ANSWER


def test_statistics_count_the_notices(in_alpha, clock):
    pause_unclear_statements()
    waiting = registered_appeal(1)
    closed, _ = services.appeal_receive(data=intake(external_number="UNCLEAR-2", received_at=REGISTERED,
                                                    kind="complaint"))
    closed = services.appeal_register(appeal=closed, registered_at=REGISTERED).appeal
    clock.at(datetime(2026, 3, 4, 9, 0, tzinfo=KRASNOYARSK))
    services.appeal_request_clarification(appeal=waiting)
    clock.at(datetime(2026, 3, 12, 9, 0, tzinfo=KRASNOYARSK))  # after 10 March: late
    services.appeal_request_clarification(appeal=closed)
    march = appeal_statistics(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert (march.unclear_notices, march.unclear_notices_late, march.awaiting_clarification) == (2, 1, 1)
    assert (march.under_consideration, march.considered_late, march.by_result["without_answer"]) == (1, 0, 1)
    early = appeal_statistics(date_from=date(2026, 3, 1), date_to=date(2026, 3, 3))
    assert (early.unclear_notices, early.awaiting_clarification, early.under_consideration) == (0, 0, 2)


# --- under control, considered on site ----------------------------------------------------------------

def test_control_and_on_site_record_who_when_and_why(in_alpha, clock):
    officer = User.objects.get(email=in_alpha.admin_email)
    appeal = registered_appeal()
    with pytest.raises(ValidationError) as no_reason:
        services.appeal_take_under_control(appeal=appeal, actor=officer, reason=" ")
    assert no_reason.value.error_dict["reason"][0].code == "reason_required"
    clock.at(datetime(2026, 3, 3, 11, 0, tzinfo=KRASNOYARSK))
    appeal = services.appeal_take_under_control(appeal=appeal, actor=officer, reason="Поручение главы")
    assert appeal.under_control and appeal.under_control_at == clock.moment
    clock.at(datetime(2026, 3, 6, 15, 0, tzinfo=KRASNOYARSK))
    appeal = services.appeal_mark_considered_on_site(appeal=appeal, actor=officer, reason="Выезд на ул. Ленина")
    assert appeal.considered_on_site and appeal.considered_on_site_at == clock.moment
    control, on_site = appeal.events.filter(action__in=["taken_under_control", "considered_on_site"]).order_by("at")
    assert (control.actor_email, control.note, control.at) == (officer.email, "Поручение главы",
                                                              datetime(2026, 3, 3, 4, 0, tzinfo=UTC))
    assert (on_site.actor_email, on_site.note) == (officer.email, "Выезд на ул. Ленина")
    audit = AuditEntry.objects.filter(action__in=["appeal.taken_under_control", "appeal.considered_on_site"])
    assert {(a.action, a.actor_email, a.after["history_entry"]) for a in audit} == {
        ("appeal.taken_under_control", officer.email, control.pk),
        ("appeal.considered_on_site", officer.email, on_site.pk)}
    for action in (services.appeal_take_under_control, services.appeal_mark_considered_on_site):
        with pytest.raises(ValidationError) as twice:
            action(appeal=appeal, actor=officer, reason="Ещё раз, зачем-то")
        assert twice.value.code == "already_recorded"
    march = appeal_statistics(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert (march.under_control, march.considered_on_site) == (1, 1)


def test_control_needs_an_appeal_under_consideration(in_alpha, clock):
    appeal, _ = services.appeal_receive(data=intake(external_number="UNCLEAR-9", received_at=REGISTERED))
    with pytest.raises(ValidationError) as refused:
        services.appeal_take_under_control(appeal=appeal, reason="Поручение главы")
    assert refused.value.code == "invalid_transition"
    appeal = services.appeal_register(appeal=appeal, registered_at=REGISTERED).appeal
    appeal = services.appeal_answer(appeal=appeal, answer_text="Ответ дан.")
    with pytest.raises(ValidationError):
        services.appeal_take_under_control(appeal=appeal, reason="Поручение главы")
    # Considered on site may be recorded with the answer already given.
    assert services.appeal_mark_considered_on_site(appeal=appeal, reason="Выезд был до ответа").considered_on_site


# --- the back office ----------------------------------------------------------------------------------

def test_back_office_actions(office, alpha):  # noqa: F811
    appeal = new_appeal(alpha, 1)
    page = office.get(change_url(appeal)).content.decode()
    for code in ("clarify", "control", "on_site"):
        assert act_url(appeal, code) in page
    assert act_url(appeal, "clarified") not in page

    response = office.post(act_url(appeal, "control"), {"reason": ""})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert office.post(act_url(appeal, "control"), {"reason": "Поручение главы"}).status_code == 302
    assert office.post(act_url(appeal, "on_site"), {"reason": "Выезд на место"}).status_code == 302
    page = office.get(change_url(appeal)).content.decode()
    assert act_url(appeal, "control") not in page and act_url(appeal, "on_site") not in page

    with schema_context(alpha.schema_name):
        pause_unclear_statements()
    form = office.get(act_url(appeal, "clarify")).content.decode()
    assert "The answer term pauses until the clarification arrives" in form
    assert office.post(act_url(appeal, "clarify"), {"note": "Уточните адрес"}).status_code == 302
    page = office.get(change_url(appeal)).content.decode()
    assert act_url(appeal, "clarified") in page and act_url(appeal, "clarify") not in page
    # The queue shows what is due while the answer term is paused: the author's clarification.
    with schema_context(alpha.schema_name):
        awaited = timezone.localtime(Appeal.objects.get(pk=appeal.pk).due_clarification_at).strftime("%d.%m.%Y")
    assert f"clarification by {awaited}" in office.get("/admin/appeals/appeal/").content.decode()
    assert office.post(act_url(appeal, "clarified"), {"note": "Адрес получен"}).status_code == 302

    with schema_context(alpha.schema_name):
        appeal.refresh_from_db()
        assert appeal.under_control and appeal.considered_on_site
        assert appeal.status == AppealStatus.REGISTERED and appeal.due_at is not None
        assert list(appeal.events.filter(actor_email=alpha.admin_email).values_list("action", "note"))[-4:] == [
            ("taken_under_control", "Поручение главы"), ("considered_on_site", "Выезд на место"),
            ("clarification_requested", "Уточните адрес"), ("clarification_received", "Адрес получен")]


def test_the_rule_page_explains_each_reading(client, alpha):
    from tests.conftest import login

    login(client, alpha.host, alpha.admin_email)
    page = client.get("/admin/appeals/deadlinerule/add/", HTTP_HOST=alpha.host,
                      HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'name="shift"' in page and 'name="extension_from"' in page and 'name="unclear_handling"' in page
    assert 'name="shift_to_working_day"' not in page  # derived from the shift
    assert "ГК РФ (ст. 193)" in page and "ст. 11 59-ФЗ" in page and "От регистрации" in page  # help, in Russian
    assert "переносится на предшествующий рабочий день" in page  # the choices too


# --- the API ------------------------------------------------------------------------------------------

FIELDS = ("errors { field code } appeal { status underControl underControlAt consideredOnSite "
          "consideredOnSiteAt clarificationRequestedAt dueClarificationAt clarificationReceivedAt dueAt pausedDays "
          "unclearNoticeLate history { action actorEmail note } }")


def mutation(signature: str, call: str) -> str:
    return "mutation (" + signature + ") { " + call + " { " + FIELDS + " } }"


CONTROL = mutation("$id: ID!, $reason: String!", "takeAppealUnderControl(id: $id, reason: $reason)")
ON_SITE = mutation("$id: ID!, $reason: String!", "markAppealConsideredOnSite(id: $id, reason: $reason)")
CLARIFY = mutation("$id: ID!, $note: String", "requestAppealClarification(id: $id, note: $note)")
CLARIFIED = mutation("$id: ID!", 'receiveAppealClarification(id: $id, note: "получено")')
STATS = """query { appealStatistics(dateFrom: "2026-01-01", dateTo: "2026-12-31") {
  underControl consideredOnSite unclearNotices unclearNoticesLate awaitingClarification } }"""


def test_api_actions(client, alpha):
    from tests.conftest import login
    from tests.support.appeals import gid

    login(client, alpha.host, alpha.admin_email)
    appeal = new_appeal(alpha, 2)
    variables = {"id": gid(appeal)}

    def call(query, name, **extra):
        status, body = graphql(client, alpha.host, query, {**variables, **extra})
        assert status == 200 and "errors" not in body, body
        return body["data"][name]

    refused = call(CONTROL, "takeAppealUnderControl", reason="")
    assert refused["appeal"] is None and refused["errors"] == [{"field": "reason", "code": "REASON_REQUIRED"}]
    done = call(CONTROL, "takeAppealUnderControl", reason="Поручение главы")["appeal"]
    assert done["underControl"] is True and done["underControlAt"]
    assert done["history"][-1] == {"action": "taken_under_control", "actorEmail": alpha.admin_email,
                                   "note": "Поручение главы"}
    twice = call(CONTROL, "takeAppealUnderControl", reason="Поручение главы")
    assert twice["errors"] == [{"field": None, "code": "ALREADY_RECORDED"}]
    done = call(ON_SITE, "markAppealConsideredOnSite", reason="Выезд на место")["appeal"]
    assert done["consideredOnSite"] is True and done["consideredOnSiteAt"]

    with schema_context(alpha.schema_name):
        pause_unclear_statements()
    paused = call(CLARIFY, "requestAppealClarification", note="Уточните адрес")["appeal"]
    assert paused["status"] == "AWAITING_CLARIFICATION" and paused["dueAt"] is None
    assert paused["clarificationRequestedAt"] and paused["dueClarificationAt"] and paused["unclearNoticeLate"] is False
    resumed = call(CLARIFIED, "receiveAppealClarification")["appeal"]
    assert resumed["status"] == "REGISTERED" and resumed["dueAt"] and resumed["clarificationReceivedAt"]
    assert resumed["pausedDays"] == 0

    stats = call(STATS, "appealStatistics")
    assert stats == {"underControl": 1, "consideredOnSite": 1, "unclearNotices": 1, "unclearNoticesLate": 0,
                     "awaitingClarification": 0}


def test_api_actions_need_the_write_role(client, alpha):
    from tests.conftest import login
    from tests.support.appeals import gid, staff

    email = staff(alpha, "viewer@alpha.example.ru", "viewer")
    login(client, alpha.host, email)
    appeal = new_appeal(alpha, 3)
    status, body = graphql(client, alpha.host, CONTROL, {"id": gid(appeal), "reason": "Поручение главы"})
    assert body.get("errors") and body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED", body
    with schema_context(alpha.schema_name):
        assert not Appeal.objects.get(pk=appeal.pk).under_control


def test_open311_describes_every_status():
    from gorodok_graphql.open311.serializers import STATUS_NOTES

    assert set(STATUS_NOTES) == set(AppealStatus)
    assert STATUS_NOTES[AppealStatus.AWAITING_CLARIFICATION] == "Ожидает уточнения от автора"
