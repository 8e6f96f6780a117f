"""Back-office actions on appeals through the tenant API: the integrator's scenario, idempotent intake,
typed errors, roles and a switched-off module."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_platform.accounts.roles import Role
from gorodok_services.appeals.deadlines import rule_for
from gorodok_services.appeals.models import Appeal, AppealEvent, Department
from gorodok_services.core.calendar import deadline
from tests.conftest import graphql, login
from tests.support.appeals import (
    APPEAL,
    LARGE_FAMILIES,
    ROAD,
    SNOW,
    gid,
    receive,
    register,
    staff,
)

ZONE = "Asia/Krasnoyarsk"
PAYLOAD = "errors { field code message } appeal { id status dueAt originalDueAt extendedAt extensionReason }"

RECEIVE = """mutation ($input: ReceiveAppealInput!, $key: String) {
  receiveAppeal(input: $input, idempotencyKey: $key) {
    created appeal { id status receivedAt dueRegisterAt registrationNumber } errors { field code message } } }"""
REGISTER = """mutation ($id: ID!) { registerAppeal(id: $id) {
  accessCode appeal { registrationNumber status registeredAt dueForwardAt dueAt originalDueAt }
  errors { field code message } } }"""
ASSIGN = """mutation ($id: ID!, $department: ID, $executor: String) {
  assignAppeal(id: $id, departmentId: $department, executorEmail: $executor) {
    appeal { status department { id name } executor { email } } errors { field code message } } }"""
EXTEND = """mutation ($id: ID!, $days: Int!, $reason: String!) { extendAppeal(id: $id, days: $days, reason: $reason) {
  """ + PAYLOAD + """ } }"""
ANSWER = """mutation ($id: ID!, $text: String!, $results: [AppealQuestionResultInput!]) {
  answerAppeal(id: $id, answerText: $text, results: $results) {
    appeal { status answeredAt answeredLate answerText questions { position result } } errors { field code } } }"""
CLOSE = "mutation ($id: ID!) { closeAppeal(id: $id) { appeal { status closedAt } errors { field code } } }"
FORWARD = """mutation ($id: ID!, $to: String!) { forwardAppeal(id: $id, to: $to, note: "не наш вопрос") {
  appeal { status forwardedTo closedAt questions { result } } errors { field code } } }"""
LEAVE = """mutation ($id: ID!, $reason: AppealNoAnswerReason!) {
  leaveAppealWithoutAnswer(id: $id, reason: $reason, note: "нецензурно") {
    appeal { status noAnswerReason questions { result } } errors { field code } } }"""
STATUS = """query ($number: String!, $code: String!) {
  appealStatus(registrationNumber: $number, accessCode: $code) { status extended dueAt } }"""


def _input(**overrides) -> dict:
    return {"channel": "INTEGRATOR", "kind": "COMPLAINT", "subject": "Не убирают снег", "text": "Двор не чищен.",
            "questions": [{"classifierCode": ROAD, "text": "дорога"}, {"classifierCode": SNOW}],
            "applicantName": "Петров Пётр", "applicantEmail": "petrov@example.ru",
            "applicantAddress": "г. Альфа, ул. Мира, 2", "externalNumber": "INT-77", **overrides}


def _utc(value: str) -> datetime:
    assert value.endswith("+00:00"), value  # the API speaks UTC
    return datetime.fromisoformat(value)


@pytest.fixture
def officer(client, alpha):
    email = staff(alpha, "officer@alpha.example.ru", "appeals_officer")
    login(client, alpha.host, email)
    return email


def _ok(body, name):
    assert "errors" not in body, body
    result = body["data"][name]
    assert result["errors"] == [], result["errors"]
    return result


def test_integrator_scenario(client, alpha, officer):
    with schema_context(alpha.schema_name):
        department = Department.objects.create(name="Отдел ЖКХ")
        rule = rule_for("complaint", [ROAD, SNOW])
    department_gid = to_global_id("Department", department.pk)
    before = datetime.now(UTC)

    status, body = graphql(client, alpha.host, RECEIVE, {"input": _input(), "key": "int-77-a"})
    received = _ok(body, "receiveAppeal")
    assert received["created"] is True
    appeal_gid = received["appeal"]["id"]
    assert received["appeal"]["status"] == "RECEIVED" and received["appeal"]["registrationNumber"] is None
    received_at = _utc(received["appeal"]["receivedAt"])
    assert before - timedelta(seconds=5) <= received_at <= datetime.now(UTC)
    assert _utc(received["appeal"]["dueRegisterAt"]) == deadline(received_at, rule.register_days, rule.day_type,
                                                                 ZONE, shift_to_working_day=rule.shift_to_working_day)

    status, body = graphql(client, alpha.host, REGISTER, {"id": appeal_gid})
    registered = _ok(body, "registerAppeal")
    access_code = registered["accessCode"]
    assert len(access_code) == 8
    appeal = registered["appeal"]
    year = datetime.now(ZoneInfo(ZONE)).year
    assert appeal["status"] == "REGISTERED" and appeal["registrationNumber"].startswith(f"ОГ-{year}-")
    registered_at = _utc(appeal["registeredAt"])
    due_at = _utc(appeal["dueAt"])
    expected_due = deadline(registered_at, rule.answer_days, rule.day_type, ZONE,
                            shift_to_working_day=rule.shift_to_working_day)
    assert due_at == expected_due == _utc(appeal["originalDueAt"])
    assert _utc(appeal["dueForwardAt"]) == deadline(registered_at, rule.forward_days, rule.day_type, ZONE,
                                                    shift_to_working_day=rule.shift_to_working_day)
    # 30 calendar days (or more, to reach a working day), ending at the end of a local day.
    local_due = due_at.astimezone(ZoneInfo(ZONE))
    assert (local_due.date() - registered_at.astimezone(ZoneInfo(ZONE)).date()).days >= 30
    assert (local_due.hour, local_due.minute) == (23, 59)

    status, body = graphql(client, alpha.host, ASSIGN,
                           {"id": appeal_gid, "department": department_gid, "executor": alpha.admin_email})
    assigned = _ok(body, "assignAppeal")["appeal"]
    assert assigned == {"status": "IN_PROGRESS", "department": {"id": department_gid, "name": "Отдел ЖКХ"},
                        "executor": {"email": alpha.admin_email}}

    status, body = graphql(client, alpha.host, EXTEND, {"id": appeal_gid, "days": 10, "reason": "Выездная проверка"})
    extended = _ok(body, "extendAppeal")["appeal"]
    assert _utc(extended["dueAt"]) == deadline(due_at, 10, rule.day_type, ZONE,
                                               shift_to_working_day=rule.shift_to_working_day)
    assert _utc(extended["originalDueAt"]) == due_at
    assert extended["extendedAt"] and extended["extensionReason"] == "Выездная проверка"

    status, body = graphql(client, alpha.host, EXTEND, {"id": appeal_gid, "days": 5, "reason": "Ещё раз, пожалуйста"})
    result = body["data"]["extendAppeal"]
    assert result["appeal"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(None, "ALREADY_EXTENDED")]

    status, body = graphql(client, alpha.host, ANSWER, {
        "id": appeal_gid, "text": "Снег убран.", "results": [{"position": 1, "result": "MEASURES_TAKEN"}]})
    answered = _ok(body, "answerAppeal")["appeal"]
    assert answered["status"] == "ANSWERED" and answered["answeredLate"] is False
    assert answered["questions"] == [{"position": 1, "result": "MEASURES_TAKEN"},
                                     {"position": 2, "result": "ANSWER_GIVEN"}]

    status, body = graphql(client, alpha.host, CLOSE, {"id": appeal_gid})
    assert _ok(body, "closeAppeal")["appeal"]["status"] == "CLOSED"

    status, body = graphql(client, alpha.host, APPEAL, {"id": appeal_gid})
    assert "errors" not in body, body
    detail = body["data"]["appeal"]
    assert detail["kind"] == "COMPLAINT" and detail["channel"] == "INTEGRATOR" and detail["form"] == "ELECTRONIC"
    assert detail["externalNumber"] == "INT-77" and detail["isOverdue"] is False
    assert detail["applicant"] == {"type": "PERSON", "name": "Петров Пётр", "inn": None, "ogrn": None,
                                   "email": "petrov@example.ru", "phone": None, "address": "г. Альфа, ул. Мира, 2"}
    assert [q["section"] for q in detail["questions"]] == ["0003", "0003"]
    history = [(h["action"], h["fromStatus"], h["toStatus"], h["actorEmail"]) for h in detail["history"]]
    assert history == [
        ("received", None, "RECEIVED", officer),
        ("registered", "RECEIVED", "REGISTERED", officer),
        ("assigned", "REGISTERED", "IN_PROGRESS", officer),
        ("extended", "IN_PROGRESS", "IN_PROGRESS", officer),
        ("answered", "IN_PROGRESS", "ANSWERED", officer),
        ("closed", "ANSWERED", "CLOSED", officer),
    ]
    assert detail["history"][3]["note"] == "Выездная проверка"
    assert [_utc(h["at"]) for h in detail["history"]] == sorted(_utc(h["at"]) for h in detail["history"])

    client.logout()
    status, body = graphql(client, alpha.host, STATUS, {"number": detail["registrationNumber"], "code": access_code})
    assert body["data"]["appealStatus"] == {"status": "CLOSED", "extended": True, "dueAt": detail["dueAt"]}


def test_receive_is_idempotent(client, alpha, officer):
    status, body = graphql(client, alpha.host, RECEIVE, {"input": _input()})
    first = _ok(body, "receiveAppeal")
    status, body = graphql(client, alpha.host, RECEIVE, {"input": _input(subject="Другая тема")})
    second = _ok(body, "receiveAppeal")
    assert first["created"] is True and second["created"] is False
    assert first["appeal"]["id"] == second["appeal"]["id"]

    status, body = graphql(client, alpha.host, RECEIVE, {"input": _input(externalNumber=None), "key": "k-1"})
    by_key = _ok(body, "receiveAppeal")
    status, body = graphql(client, alpha.host, RECEIVE, {"input": _input(externalNumber=None), "key": "k-1"})
    again = _ok(body, "receiveAppeal")
    assert (by_key["created"], again["created"]) == (True, False)
    assert by_key["appeal"]["id"] == again["appeal"]["id"] != first["appeal"]["id"]
    with schema_context(alpha.schema_name):
        assert Appeal.objects.count() == 2


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"subject": " "}, "subject", "REQUIRED"),
    ({"subject": "x" * 301}, "subject", "MAX_LENGTH"),
    ({"questions": []}, "questions", "QUESTIONS_REQUIRED"),
    ({"questions": [{"classifierCode": "9999.9999"}]}, "questions", "UNKNOWN_CLASSIFIER_CODE"),
    ({"applicantName": ""}, "applicantName", "APPLICANT_REQUIRED"),
    ({"applicantType": "LEGAL_ENTITY", "applicantName": "ООО Ромашка", "applicantInn": "1234567890"},
     "applicantInn", "INVALID_INN"),
    ({"applicantInn": "1" * 13}, "applicantInn", "MAX_LENGTH"),
    ({"applicantPhone": "9" * 40}, "applicantPhone", "MAX_LENGTH"),
    ({"applicantEmail": "not-an-email"}, "applicantEmail", "INVALID"),
    ({"signatories": 3}, "signatories", "INVALID"),
    ({"externalNumber": "x" * 65}, "externalNumber", "INVALID"),
    ({"receivedAt": "2999-01-01T00:00:00+00:00"}, "receivedAt", "INVALID"),
])
def test_receive_rejects_bad_input_as_typed_errors(client, alpha, officer, overrides, field, code):
    status, body = graphql(client, alpha.host, RECEIVE, {"input": _input(**overrides)})
    assert status == 200, body
    result = body["data"]["receiveAppeal"]
    assert result["appeal"] is None and result["created"] is None
    assert (field, code) in {(e["field"], e["code"]) for e in result["errors"]}, result["errors"]
    assert all(e["message"] for e in result["errors"])
    with schema_context(alpha.schema_name):
        assert not Appeal.objects.exists()


def test_too_long_idempotency_key_is_an_error(client, alpha, officer):
    status, body = graphql(client, alpha.host, RECEIVE, {"input": _input(), "key": "k" * 129})
    assert body["data"]["receiveAppeal"]["errors"] == [
        {"field": "idempotencyKey", "code": "MAX_LENGTH", "message": "At most 128 characters."}]


def test_invalid_transitions_and_bad_arguments(client, alpha, officer):
    appeal = receive(alpha)
    appeal_gid = gid(appeal)
    status, body = graphql(client, alpha.host, CLOSE, {"id": appeal_gid})
    assert body["data"]["closeAppeal"]["errors"] == [{"field": None, "code": "INVALID_TRANSITION"}]
    status, body = graphql(client, alpha.host, EXTEND, {"id": appeal_gid, "days": 5, "reason": "Проверка"})
    assert body["data"]["extendAppeal"]["errors"][0]["code"] == "INVALID_TRANSITION"

    register(alpha, appeal)
    status, body = graphql(client, alpha.host, REGISTER, {"id": appeal_gid})
    assert body["data"]["registerAppeal"]["errors"][0]["code"] == "INVALID_TRANSITION"
    assert body["data"]["registerAppeal"]["accessCode"] is None
    status, body = graphql(client, alpha.host, EXTEND, {"id": appeal_gid, "days": 31, "reason": "Проверка"})
    assert body["data"]["extendAppeal"]["errors"] == [
        {"field": "days", "code": "EXTENSION_TOO_LONG", "message": "Extend by 1 to 30 days."}]
    status, body = graphql(client, alpha.host, EXTEND, {"id": appeal_gid, "days": 5, "reason": ""})
    assert body["data"]["extendAppeal"]["errors"][0]["code"] == "REASON_REQUIRED"
    status, body = graphql(client, alpha.host, ANSWER, {"id": appeal_gid, "text": " "})
    assert body["data"]["answerAppeal"]["errors"] == [{"field": "answerText", "code": "ANSWER_REQUIRED"}]
    status, body = graphql(client, alpha.host, ANSWER, {
        "id": appeal_gid, "text": "Ответ", "results": [{"position": 7, "result": "SUPPORTED"}]})
    assert body["data"]["answerAppeal"]["errors"] == [{"field": "results", "code": "INVALID_RESULT"}]
    status, body = graphql(client, alpha.host, ASSIGN, {"id": appeal_gid})
    assert body["data"]["assignAppeal"]["errors"] == [{"field": None, "code": "REQUIRED",
                                                       "message": "Name a department, an executor or both."}]
    status, body = graphql(client, alpha.host, ASSIGN, {"id": appeal_gid, "executor": "nobody@alpha.example.ru"})
    assert [(e["field"], e["code"]) for e in body["data"]["assignAppeal"]["errors"]] == [
        ("executorEmail", "NOT_FOUND")]
    status, body = graphql(client, alpha.host, ASSIGN, {"id": appeal_gid,
                                                        "department": to_global_id("Department", 999999)})
    assert [(e["field"], e["code"]) for e in body["data"]["assignAppeal"]["errors"]] == [
        ("departmentId", "NOT_FOUND")]
    with schema_context(alpha.schema_name):
        assert list(AppealEvent.objects.filter(appeal=appeal).values_list("action", flat=True)) == [
            "received", "registered"]


def test_executor_must_be_active_staff(client, alpha, officer):
    from gorodok_platform.accounts.models import User

    with schema_context(alpha.schema_name):
        User.objects.create_user(email="citizen@alpha.example.ru", password="x")
    appeal = receive(alpha)
    register(alpha, appeal)
    status, body = graphql(client, alpha.host, ASSIGN, {"id": gid(appeal), "executor": "citizen@alpha.example.ru"})
    assert [(e["field"], e["code"]) for e in body["data"]["assignAppeal"]["errors"]] == [
        ("executorEmail", "EXECUTOR_NOT_STAFF")]


def test_bad_ids_are_errors_not_crashes(client, alpha, officer):
    for bad in ("nonsense", to_global_id("Department", 1), to_global_id("Appeal", "x"),
                to_global_id("Appeal", 99999999999999999999), to_global_id("Appeal", 999999)):
        status, body = graphql(client, alpha.host, CLOSE, {"id": bad})
        assert status == 200, body
        errors = body["data"]["closeAppeal"]["errors"]
        assert [(e["field"], e["code"]) for e in errors] in ([("id", "INVALID")], [("id", "NOT_FOUND")]), bad


def test_forward_and_leave_without_answer(client, alpha, officer):
    forwarded = receive(alpha, external_number="F-1")
    register(alpha, forwarded)
    status, body = graphql(client, alpha.host, FORWARD, {"id": gid(forwarded), "to": " "})
    assert body["data"]["forwardAppeal"]["errors"] == [{"field": "to", "code": "REQUIRED"}]
    status, body = graphql(client, alpha.host, FORWARD, {"id": gid(forwarded), "to": "x" * 301})
    assert body["data"]["forwardAppeal"]["errors"] == [{"field": "to", "code": "MAX_LENGTH"}]
    status, body = graphql(client, alpha.host, FORWARD, {"id": gid(forwarded), "to": "Прокуратура"})
    result = _ok(body, "forwardAppeal")["appeal"]
    assert (result["status"], result["forwardedTo"], result["questions"]) == (
        "FORWARDED", "Прокуратура", [{"result": "FORWARDED"}])
    assert result["closedAt"]

    left = receive(alpha, external_number="F-2")
    register(alpha, left)
    status, body = graphql(client, alpha.host, LEAVE, {"id": gid(left), "reason": "ANONYMOUS"})
    assert body["data"]["leaveAppealWithoutAnswer"]["errors"] == [{"field": "reason", "code": "INVALID_TRANSITION"}]
    status, body = graphql(client, alpha.host, LEAVE, {"id": gid(left), "reason": "OBSCENE"})
    assert _ok(body, "leaveAppealWithoutAnswer")["appeal"] == {
        "status": "WITHOUT_ANSWER", "noAnswerReason": "OBSCENE", "questions": [{"result": "WITHOUT_ANSWER"}]}


def test_writes_need_an_appeals_role(client, alpha):
    appeal = receive(alpha)
    status, body = graphql(client, alpha.host, REGISTER, {"id": gid(appeal)})
    assert body["data"]["registerAppeal"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    login(client, alpha.host, staff(alpha, "viewer@alpha.example.ru", Role.VIEWER))
    for query, variables in ((REGISTER, {"id": gid(appeal)}), (RECEIVE, {"input": _input()})):
        status, body = graphql(client, alpha.host, query, variables)
        assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    with schema_context(alpha.schema_name):
        appeal.refresh_from_db()
        assert appeal.status == "received" and Appeal.objects.count() == 1


def test_municipal_admin_may_write(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    status, body = graphql(client, alpha.host, RECEIVE, {"input": _input(questions=[
        {"classifierCode": LARGE_FAMILIES}])})
    assert _ok(body, "receiveAppeal")["created"] is True


def test_switched_off_module_answers_module_disabled(client, alpha, officer):
    appeal = receive(alpha)
    alpha.municipality.disabled_modules = ["appeals"]
    alpha.municipality.save()
    try:
        from gorodok_tenants.routing import forget_hosts

        forget_hosts(alpha.host)
        for query, variables, name in (
            (REGISTER, {"id": gid(appeal)}, "registerAppeal"),
            (RECEIVE, {"input": _input()}, "receiveAppeal"),
            (APPEAL, {"id": gid(appeal)}, "appeal"),
            ("{ appeals(first: 5) { totalCount } }", {}, "appeals"),
            (STATUS, {"number": "ОГ-1", "code": "X"}, "appealStatus"),
        ):
            status, body = graphql(client, alpha.host, query, variables)
            assert body["data"][name] is None, name
            assert body["errors"][0]["extensions"] == {"code": "MODULE_DISABLED", "module": "appeals"}, name
        with schema_context(alpha.schema_name):
            assert Appeal.objects.get().status == "received"
    finally:
        alpha.municipality.disabled_modules = []


def test_nul_characters_are_typed_errors(client, alpha, officer):
    status, body = graphql(client, alpha.host, RECEIVE, {
        "input": _input(subject="Яма\x00", questions=[{"classifierCode": ROAD, "text": "a\x00b"}]), "key": "k\x00"})
    assert status == 200, body
    assert {(e["field"], e["code"]) for e in body["data"]["receiveAppeal"]["errors"]} == {
        ("subject", "INVALID"), ("questions", "INVALID"), ("idempotencyKey", "INVALID")}
    appeal = receive(alpha)
    register(alpha, appeal)
    status, body = graphql(client, alpha.host, ASSIGN, {"id": gid(appeal), "executor": "a\x00@b.ru"})
    unstorable = "Text may not contain NUL characters or broken Unicode (lone surrogates)."
    assert body["data"]["assignAppeal"]["errors"] == [{"field": "executorEmail", "code": "INVALID",
                                                       "message": unstorable}]
    status, body = graphql(client, alpha.host, ASSIGN, {"id": gid(appeal), "executor": "a\ud800@b.ru"})
    assert status == 200 and body["data"]["assignAppeal"]["errors"] == [
        {"field": "executorEmail", "code": "INVALID", "message": unstorable}]
    status, body = graphql(client, alpha.host, "query ($s: String) { appeals(search: $s) { totalCount } }",
                           {"s": "a\x00"})
    assert body["errors"][0]["extensions"] == {"code": "INVALID_FILTER", "argument": "search"}


def test_two_mutations_in_one_request_see_each_others_history(client, alpha, officer):
    appeal = receive(alpha)
    query = """mutation ($id: ID!, $executor: String) {
      first: registerAppeal(id: $id) { appeal { history { action } } errors { code } }
      second: assignAppeal(id: $id, executorEmail: $executor) { appeal { history { action } } errors { code } } }"""
    status, body = graphql(client, alpha.host, query, {"id": gid(appeal), "executor": alpha.admin_email})
    assert "errors" not in body, body
    assert [h["action"] for h in body["data"]["first"]["appeal"]["history"]] == ["received", "registered"]
    assert [h["action"] for h in body["data"]["second"]["appeal"]["history"]] == [
        "received", "registered", "assigned"]
