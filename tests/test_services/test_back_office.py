"""The appeals back office on a municipality's host: queues, the detail page, actions through the
services, errors as form errors, roles, and the module switch."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create
from gorodok_platform.audit.models import AuditEntry
from gorodok_services.appeals import services
from gorodok_services.appeals.models import Appeal, AppealsSettings, AppealStatus, Department, QuestionResult
from gorodok_services.core.calendar import end_of_local_day, local_date
from gorodok_tenants.modules import municipality_set_module
from tests.conftest import ADMIN_PASSWORD, login
from tests.support.appeals import dated_intake as intake

LIST = "/admin/appeals/appeal/"
ZONE = "Asia/Krasnoyarsk"


def change_url(appeal) -> str:
    return f"{LIST}{appeal.pk}/change/"


def act_url(appeal, code: str) -> str:
    return f"{LIST}{appeal.pk}/act/{code}/"


@pytest.fixture
def office(client, alpha):
    login(client, alpha.host, alpha.admin_email)

    class Office:
        municipality = alpha

        def get(self, url, **params):
            return client.get(url, params, HTTP_HOST=alpha.host)

        def post(self, url, data=None):
            return client.post(url, data or {}, HTTP_HOST=alpha.host)

    return Office()


def new_appeal(alpha, number: int, *, register=True, executor=None, subject=None, **overrides) -> Appeal:
    with schema_context(alpha.schema_name):
        received = overrides.pop("received_at", timezone.now() - timedelta(hours=5))
        appeal, _ = services.appeal_receive(data=intake(external_number=f"BO-{number}", received_at=received,
                                                        subject=subject or f"Обращение номер {number}",
                                                        **overrides))
        if register:
            appeal = services.appeal_register(appeal=appeal, registered_at=received + timedelta(hours=1)).appeal
        if executor is not None:
            appeal = services.appeal_assign(appeal=appeal, executor=executor)
        return appeal


def set_due(alpha, appeal: Appeal, moment) -> None:
    """Arrange a due date relative to today (the services count from the registration date)."""
    with schema_context(alpha.schema_name):
        Appeal.objects.filter(pk=appeal.pk).update(due_at=moment)


def alpha_user(alpha, email: str) -> User:
    with schema_context(alpha.schema_name):
        return User.objects.get(email=email)


def test_queues(office, alpha):
    me = alpha_user(alpha, alpha.admin_email)
    with schema_context(alpha.schema_name):
        colleague = staff_user_create(email="colleague@alpha.example.ru", password=None, roles=["appeals_officer"])
    mine = new_appeal(alpha, 1, executor=me, subject="Моё обращение")
    this_week = new_appeal(alpha, 2, subject="Срок на этой неделе")
    set_due(alpha, this_week, end_of_local_day(local_date(timezone.now(), ZONE), ZONE))
    overdue = new_appeal(alpha, 3, executor=colleague, subject="Просроченное обращение")
    set_due(alpha, overdue, timezone.now() - timedelta(days=2))
    unregistered = new_appeal(alpha, 4, register=False, subject="Не зарегистрировано")
    subjects = {a.pk: a.subject for a in (mine, this_week, overdue, unregistered)}

    def listed(**params) -> set[int]:
        response = office.get(LIST, **params)
        assert response.status_code == 200
        content = response.content.decode()
        return {pk for pk, subject in subjects.items() if subject in content}

    assert listed() == set(subjects)
    assert listed(queue="mine") == {mine.pk}
    assert listed(queue="week") == {this_week.pk}
    assert listed(queue="overdue") == {overdue.pk}
    assert listed(queue="unassigned") == {this_week.pk, unregistered.pk}
    assert listed(status="received") == {unregistered.pk}
    assert listed(section="0003") == set(subjects) and listed(section="0005") == set()
    assert listed(q=mine.registration_number) == {mine.pk}
    assert listed(q="Просроченное") == {overdue.pk}

    page = office.get(LIST).content.decode()
    assert page.count('class="appeal-overdue"') == 1
    assert "?queue=overdue" in page and "?queue=mine" in page


def test_list_costs_the_same_number_of_queries_for_more_appeals(office, alpha):
    me = alpha_user(alpha, alpha.admin_email)
    for n in range(2):
        new_appeal(alpha, n, executor=me)
    office.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert office.get(LIST).status_code == 200
    for n in range(2, 8):
        new_appeal(alpha, n, executor=me)
    with CaptureQueriesContext(connection) as many:
        assert office.get(LIST).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_add_goes_through_intake(office, alpha):
    data = {"channel": "personal_reception", "kind": "complaint", "form": "", "received_at": "",
            "external_number": "", "applicant_type": "person", "applicant_name": "Петров Пётр",
            "applicant_address": "г. Альфа, ул. Мира, 2", "signatories": "1", "subject": "Шум по ночам",
            "text": "Соседи шумят.", "questions": "0003.0009.0097.0684 шум"}
    response = office.post(f"{LIST}add/", {**data, "questions": "ремонт"})
    assert response.status_code == 200 and "start with a classifier code" in response.content.decode()
    response = office.post(f"{LIST}add/", {**data, "questions": "9999.9999 несуществующий"})
    assert response.status_code == 200 and "9999.9999" in response.content.decode()
    response = office.post(f"{LIST}add/", data)
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        appeal = Appeal.objects.get(subject="Шум по ночам")
        assert response["Location"].endswith(change_url(appeal))
        assert appeal.status == AppealStatus.RECEIVED and appeal.form == "oral"
        assert appeal.events.get().actor_email == alpha.admin_email
        assert appeal.questions.get().classifier_code == "0003.0009.0097.0684"


def test_detail_page_shows_questions_files_history_and_the_actions_that_apply(office, alpha, media_root):
    appeal = new_appeal(alpha, 1)
    response = office.post(act_url(appeal, "attach"),
                           {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", "application/pdf")})
    assert response.status_code == 302
    page = office.get(change_url(appeal))
    assert page.status_code == 200
    content = page.content.decode()
    for code in ("assign", "extend", "forward", "answer", "without_answer", "attach"):
        assert act_url(appeal, code) in content
    assert act_url(appeal, "register") not in content and act_url(appeal, "close") not in content
    assert "0003.0009.0097.0684" in content and "registered" in content
    with schema_context(alpha.schema_name):
        attachment = appeal.attachments.get()
    link = f"{LIST}{appeal.pk}/attachments/{attachment.pk}/"
    assert link in content
    download = office.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 scan"
    assert "scan.pdf" in download["Content-Disposition"]
    assert office.get(f"{LIST}{appeal.pk}/attachments/999999/").status_code == 404


def test_register_shows_the_access_code_once(office, alpha):
    appeal = new_appeal(alpha, 1, register=False)
    assert act_url(appeal, "register") in office.get(change_url(appeal)).content.decode()
    response = office.post(act_url(appeal, "register"))
    assert response.status_code == 200
    content = response.content.decode()
    code = re.search(r'id="access-code"[^>]*>([A-Z0-9]{8})<', content).group(1)
    with schema_context(alpha.schema_name):
        appeal.refresh_from_db()
        assert appeal.status == AppealStatus.REGISTERED and appeal.registration_number in content
        assert services.appeal_public_status(registration_number=appeal.registration_number, access_code=code)
    assert code not in office.get(change_url(appeal)).content.decode()
    again = office.post(act_url(appeal, "register"))
    assert again.status_code == 200 and "errornote" in again.content.decode()


def test_every_action_through_the_back_office(office, alpha):
    me = alpha_user(alpha, alpha.admin_email)
    with schema_context(alpha.schema_name):
        department = Department.objects.create(name="Отдел благоустройства")
    appeal = new_appeal(alpha, 1)

    assert office.post(act_url(appeal, "assign"), {"department": department.pk, "executor": me.pk}).status_code == 302
    assert office.post(act_url(appeal, "extend"), {"days": "10", "reason": "Выездная проверка"}).status_code == 302
    response = office.post(act_url(appeal, "answer"), {"answer_text": "Сделано.", "result_1": "measures_taken"})
    assert response.status_code == 302
    assert office.post(act_url(appeal, "close")).status_code == 302
    with schema_context(alpha.schema_name):
        appeal.refresh_from_db()
        assert appeal.status == AppealStatus.CLOSED and appeal.executor == me and appeal.department == department
        assert appeal.was_extended and appeal.questions.get().result == QuestionResult.MEASURES_TAKEN
        events = list(appeal.events.values_list("action", "actor_email"))
        assert [a for a, _ in events] == ["received", "registered", "assigned", "extended", "answered", "closed"]
        assert {who for a, who in events if a not in ("received", "registered")} == {alpha.admin_email}

    forwarded = new_appeal(alpha, 2)
    response = office.post(act_url(forwarded, "forward"), {"to": "Министерство строительства", "note": ""})
    assert response.status_code == 302
    without = new_appeal(alpha, 3)
    response = office.post(act_url(without, "without_answer"), {"reason": "obscene", "note": "Нецензурно"})
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        assert Appeal.objects.get(pk=forwarded.pk).status == AppealStatus.FORWARDED
        assert Appeal.objects.get(pk=without.pk).status == AppealStatus.WITHOUT_ANSWER
    final = office.get(change_url(without)).content.decode()
    # A closed appeal still takes a file and the register object its questions concern (statistics).
    assert "/act/" not in final.replace(act_url(without, "attach"), "").replace(act_url(without, "link_asset"), "")


def test_invalid_requests_are_errors_on_the_page_not_500(office, alpha, media_root):
    appeal = new_appeal(alpha, 1)
    response = office.post(act_url(appeal, "close"))
    assert response.status_code == 200 and "errornote" in response.content.decode()
    response = office.post(act_url(appeal, "extend"), {"days": "45", "reason": "Долго"})
    assert response.status_code == 200 and "Extend by 1 to 30 days" in response.content.decode()
    assert office.post(act_url(appeal, "extend"), {"days": "5", "reason": "Проверка"}).status_code == 302
    response = office.post(act_url(appeal, "extend"), {"days": "5", "reason": "Проверка ещё"})
    assert response.status_code == 200 and "only once" in response.content.decode()
    response = office.post(act_url(appeal, "answer"), {"answer_text": " ", "result_1": "answer_given"})
    assert response.status_code == 200
    response = office.post(act_url(appeal, "assign"), {})
    assert response.status_code == 200 and "errornote" in response.content.decode()
    response = office.post(act_url(appeal, "attach"),
                           {"file": SimpleUploadedFile("virus.exe", b"MZ", "application/x-msdownload")})
    assert response.status_code == 200 and "not accepted" in response.content.decode()
    assert office.get(act_url(appeal, "no_such_action")).status_code == 404
    assert office.get(f"{LIST}999999/act/close/").status_code in (302, 404)
    with schema_context(alpha.schema_name):
        assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.REGISTERED


def test_saving_the_detail_page_audits_without_personal_data(office, alpha):
    appeal = new_appeal(alpha, 1)
    page = office.get(change_url(appeal)).content.decode()
    management = dict(re.findall(r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d+)"', page))
    data = {**management, "applicant_email": "new@example.ru", "applicant_phone": "", "applicant_address": "",
            "problem_address": "", "under_control": "on"}
    with schema_context(alpha.schema_name):  # meanwhile, someone answers it
        services.appeal_answer(appeal=appeal, answer_text="Ответ дан.")
    response = office.post(change_url(appeal), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(alpha.schema_name):
        appeal.refresh_from_db()
        assert appeal.applicant_email == "new@example.ru"
        # "Under control" is set by its action (who, when, why), never by ticking a box on this page.
        assert appeal.under_control is False
        assert appeal.status == AppealStatus.ANSWERED  # the page's stale status was not written back
        entry = AuditEntry.objects.get(action="appeals.appeal.change")
        assert entry.after["under_control"] is False
        assert "applicant_name" not in entry.after and "text" not in entry.after
        assert "Иванов" not in str(entry.after)
    assert office.post(f"{LIST}{appeal.pk}/delete/").status_code == 403


def test_roles(client, alpha):
    with schema_context(alpha.schema_name):
        staff_user_create(email="officer@alpha.example.ru", password=ADMIN_PASSWORD, roles=["appeals_officer"])
        staff_user_create(email="viewer@alpha.example.ru", password=ADMIN_PASSWORD, roles=[Role.VIEWER])
    appeal = new_appeal(alpha, 1)
    login(client, alpha.host, "officer@alpha.example.ru")
    assert client.get(LIST, HTTP_HOST=alpha.host).status_code == 200
    assert client.post(act_url(appeal, "assign"), {"executor": alpha_user(alpha, "officer@alpha.example.ru").pk},
                       HTTP_HOST=alpha.host).status_code == 302
    assert client.get("/admin/appeals/appealssettings/", HTTP_HOST=alpha.host).status_code in (302, 200)
    client.logout()
    login(client, alpha.host, "viewer@alpha.example.ru")
    assert client.get(change_url(appeal), HTTP_HOST=alpha.host).status_code == 200
    assert client.post(act_url(appeal, "close"), HTTP_HOST=alpha.host).status_code == 403
    assert client.get(f"{LIST}add/", HTTP_HOST=alpha.host).status_code == 403


def test_disabled_module_hides_the_appeals_back_office(office, alpha):
    appeal = new_appeal(alpha, 1)
    assert "/admin/appeals/" in office.get("/admin/").content.decode()
    with schema_context("public"):
        municipality_set_module(municipality=alpha.municipality, code="appeals", enabled=False)
    cache.clear()
    assert "/admin/appeals/" not in office.get("/admin/").content.decode()
    assert office.get(LIST).status_code in (403, 404)
    assert office.get(change_url(appeal)).status_code in (403, 404)
    assert office.post(act_url(appeal, "close")).status_code in (403, 404)
    assert office.get("/admin/appeals/department/").status_code in (403, 404)
    assert office.get("/admin/appeals/appealssettings/").status_code in (403, 404)


def test_settings_departments_and_rules(office, alpha):
    response = office.get("/admin/appeals/appealssettings/")
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        row = AppealsSettings.objects.get()
    assert response["Location"].endswith(f"/admin/appeals/appealssettings/{row.pk}/change/")
    response = office.post(response["Location"], {
        "registration_prefix": "ОГ", "retention_years": "3", "reminder_days": "2",
        "sender_email": "appeals@alpha.example.ru", "head_email": "head@alpha.example.ru",
        "escalate_after_days": "1"})
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        assert AppealsSettings.objects.get().retention_years == 3
        assert AuditEntry.objects.filter(action="appeals.appealssettings.change").exists()
    assert office.get("/admin/appeals/appealssettings/add/").status_code == 403
    assert office.post("/admin/appeals/department/add/", {"name": "Отдел ЖКХ", "head_email": "",
                                                          "is_active": "on"}).status_code == 302
    assert office.get("/admin/appeals/department/").status_code == 200
    assert office.get("/admin/appeals/deadlinerule/").status_code == 200


def test_an_anonymised_appeal_can_only_be_looked_at(office, alpha, media_root):
    from gorodok_services.appeals.retention import appeals_retention

    appeal = new_appeal(alpha, 1)
    with schema_context(alpha.schema_name):
        services.appeal_answer(appeal=appeal, answer_text="Ответ.")
        services.appeal_close(appeal=appeal)
        appeals_retention(now=timezone.now() + timedelta(days=6 * 366))
    page = office.get(change_url(appeal)).content.decode()
    assert "/act/" not in page and "Иванов" not in page
    response = office.post(act_url(appeal, "attach"),
                           {"file": SimpleUploadedFile("late.pdf", b"%PDF-1.4", "application/pdf")})
    assert response.status_code == 200 and "errornote" in response.content.decode()
    with schema_context(alpha.schema_name):
        assert not appeal.attachments.exists()
