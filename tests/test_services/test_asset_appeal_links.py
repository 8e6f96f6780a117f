"""Appeals tied to register objects: the link is set on intake or by the appeals service, recorded in the
appeal's history and the audit, refused for an object removed from the register, an unknown one or
another municipality's (nothing half written); "objects with the most appeals" in one query; the link
and the count survive retention; the back office's picker, the object's page and the report page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.audit.models import AuditEntry
from gorodok_services.appeals import error_codes, services
from gorodok_services.appeals.models import Appeal, AppealEvent, Question
from gorodok_services.appeals.retention import appeals_retention
from gorodok_services.appeals.selectors import assets_by_appeals
from gorodok_services.appeals.services import QuestionInput
from gorodok_services.assets import services as asset_services
from gorodok_services.assets.models import Asset
from tests.conftest import login
from tests.support.appeals import LARGE_FAMILIES, ROAD, intake, staff
from tests.support.assets import building

HEATING = "0005.0005.0057.1153"
YEAR = timedelta(days=366)


def remove(asset: Asset) -> None:
    asset_services.asset_remove(asset=asset, removed_on=date(2024, 6, 1), reason="снос",
                                document=asset_services.DocumentInput(kind="write_off", number="3",
                                                                      date=date(2024, 6, 1)))


def received(*questions: QuestionInput, days_ago: int = 3, **overrides) -> Appeal:
    appeal, _ = services.appeal_receive(data=intake(
        questions=list(questions), received_at=timezone.now() - timedelta(days=days_ago), **overrides))
    return appeal


@pytest.fixture
def school(alpha):
    return building(alpha)


@pytest.fixture
def in_alpha(alpha, school, media_root):
    with schema_context(alpha.schema_name):
        yield alpha


# --- the service -------------------------------------------------------------------------------------------

def test_intake_names_the_object_and_the_history_and_audit_say_so(in_alpha, school):
    appeal = received(QuestionInput(HEATING, "холодные батареи", asset_id=school.pk), QuestionInput(ROAD, "яма"))
    questions = list(appeal.questions.order_by("position"))
    assert [q.asset_id for q in questions] == [school.pk, None]
    event = AppealEvent.objects.get(appeal=appeal, action="asset_linked")
    assert event.data == {"position": 1, "asset": school.register_number}
    assert AuditEntry.objects.filter(action="appeal.asset_linked", target_id=str(appeal.pk)).exists()


def test_link_change_and_unlink_are_recorded(in_alpha, alpha, school):
    boiler = building(alpha, name="Котельная № 2", cadastral_number="19:01:030101:18")
    appeal = received(QuestionInput(HEATING))
    question = services.appeal_question(appeal, 1)
    services.question_link_asset(question=question, asset=school)
    services.question_link_asset(question=question, asset=school)  # the same again: nothing new
    services.question_link_asset(question=question, asset=boiler.pk)
    services.question_link_asset(question=question, asset=None)
    question.refresh_from_db()
    assert question.asset_id is None
    events = list(AppealEvent.objects.filter(appeal=appeal, action__startswith="asset_").order_by("id")
                  .values_list("action", "data"))
    assert events == [
        ("asset_linked", {"position": 1, "asset": school.register_number}),
        ("asset_linked", {"position": 1, "asset": boiler.register_number, "previous_asset": school.register_number}),
        ("asset_unlinked", {"position": 1, "asset": None, "previous_asset": boiler.register_number}),
    ]
    assert AuditEntry.objects.filter(action__in=["appeal.asset_linked", "appeal.asset_unlinked"],
                                     target_id=str(appeal.pk)).count() == 3


def test_a_removed_object_is_refused_and_nothing_is_written(in_alpha, school):
    appeal = received(QuestionInput(HEATING))
    remove(school)
    with pytest.raises(ValidationError) as error:
        services.question_link_asset(question=services.appeal_question(appeal, 1), asset=school)
    assert error.value.error_dict["asset"][0].code == error_codes.ASSET_REMOVED
    assert Question.objects.get(appeal=appeal).asset_id is None
    assert not AppealEvent.objects.filter(appeal=appeal, action="asset_linked").exists()
    count = Appeal.objects.count()
    with pytest.raises(ValidationError) as error:
        received(QuestionInput(HEATING, asset_id=school.pk), external_number="REMOVED-1")
    assert [e.code for e in error.value.error_dict["questions"]] == [error_codes.ASSET_REMOVED]
    assert Appeal.objects.count() == count  # no appeal half written


@pytest.mark.parametrize("asset_id", [987654, 0, -1, 2**40, True, "1"])
def test_an_unknown_object_is_not_found(in_alpha, asset_id):
    appeal = received(QuestionInput(HEATING))
    with pytest.raises(ValidationError) as error:
        services.question_link_asset(question=services.appeal_question(appeal, 1), asset=asset_id)
    assert error.value.error_dict["asset"][0].code == "not_found"
    with pytest.raises(ValidationError) as error:
        services.appeal_question(appeal, 2)
    assert error.value.error_dict["position"][0].code == "not_found"


def test_another_municipalitys_object_is_not_found(alpha, beta):
    theirs = [building(beta, name=f"Здание {n}", cadastral_number=f"19:02:010101:{n}") for n in range(1, 4)]
    with schema_context(alpha.schema_name):
        assert not Asset.objects.filter(pk__in=[a.pk for a in theirs]).exists()
        appeal = received(QuestionInput(HEATING))
        for asset in theirs:
            with pytest.raises(ValidationError) as error:
                services.question_link_asset(question=services.appeal_question(appeal, 1), asset=asset)
            assert error.value.error_dict["asset"][0].code == "not_found"
        with pytest.raises(ValidationError):
            received(QuestionInput(HEATING, asset_id=theirs[-1].pk), external_number="BETA-1")
        assert not Question.objects.filter(asset__isnull=False).exists()


def test_an_anonymised_appeal_keeps_its_link_and_cannot_change(in_alpha, school):
    appeal = received(QuestionInput(HEATING, asset_id=school.pk), days_ago=40)
    appeal = services.appeal_register(appeal=appeal, registered_at=appeal.received_at + timedelta(hours=1)).appeal
    appeal = services.appeal_answer(appeal=appeal, answer_text="Батареи прогреты.")
    services.appeal_close(appeal=appeal)
    later = timezone.now() + 6 * YEAR
    report = appeals_retention(now=later)
    assert report.appeals == 1
    appeal.refresh_from_db()
    assert appeal.anonymised_at is not None and appeal.applicant_name == ""
    question = appeal.questions.get()
    assert (question.asset_id, question.classifier_code) == (school.pk, HEATING)
    assert AppealEvent.objects.get(appeal=appeal, action="asset_linked").data["asset"] == school.register_number
    received_on = appeal.received_at.date()
    rows = assets_by_appeals(date_from=received_on - timedelta(days=1), date_to=received_on + timedelta(days=1),
                             section="0005")
    assert [(r.register_number, r.questions, r.appeals) for r in rows] == [(school.register_number, 1, 1)]
    with pytest.raises(ValidationError) as error:
        services.question_link_asset(question=question, asset=None)
    assert error.value.code == error_codes.INVALID_TRANSITION


def test_the_register_switched_off_refuses_links(alpha, school):
    alpha.municipality.disabled_modules = ["assets"]
    alpha.municipality.save()
    try:
        with schema_context(alpha.schema_name):
            connection.tenant = alpha.municipality
            appeal = received(QuestionInput(HEATING))
            with pytest.raises(ValidationError) as error:
                services.question_link_asset(question=services.appeal_question(appeal, 1), asset=school)
            assert error.value.error_dict["asset"][0].code == error_codes.ASSETS_MODULE_OFF
    finally:
        alpha.municipality.disabled_modules = []
        alpha.municipality.save()


# --- objects with the most appeals ------------------------------------------------------------------------

def test_objects_with_the_most_appeals_by_section_and_period_in_one_query(in_alpha, alpha, school):
    boiler = building(alpha, name="Котельная № 2", cadastral_number="19:01:030101:18", address="ул. Котельная, 2")
    network = building(alpha, kind="structure", name="Теплотрасса, участок 4", cadastral_number="19:01:030101:19")
    for _ in range(3):
        received(QuestionInput(HEATING, asset_id=boiler.pk))
    received(QuestionInput(HEATING, asset_id=school.pk), QuestionInput(HEATING, asset_id=school.pk))
    received(QuestionInput(ROAD, asset_id=network.pk), QuestionInput(ROAD, asset_id=network.pk),
             QuestionInput(LARGE_FAMILIES, asset_id=network.pk), QuestionInput(ROAD, asset_id=network.pk))
    received(QuestionInput(HEATING, asset_id=school.pk), days_ago=100)  # outside the period
    received(QuestionInput(HEATING))  # no object
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        rows = assets_by_appeals(date_from=today - timedelta(days=30), date_to=today)
    assert len([q for q in queries if not q["sql"].startswith("SET ")]) == 1
    assert [(r.register_number, r.questions, r.appeals) for r in rows] == [
        (network.register_number, 4, 1), (boiler.register_number, 3, 3), (school.register_number, 2, 1)]
    assert rows[1].name == "Котельная № 2" and rows[1].address == "ул. Котельная, 2"
    rows = assets_by_appeals(date_from=today - timedelta(days=30), date_to=today, section="0005", limit=1)
    assert [(r.register_number, r.questions) for r in rows] == [(boiler.register_number, 3)]
    rows = assets_by_appeals(date_from=today - timedelta(days=30), date_to=today, section="0003")
    assert [(r.register_number, r.questions) for r in rows] == [(network.register_number, 3)]
    rows = assets_by_appeals(date_from=today - timedelta(days=200), date_to=today, section="0005")
    assert [(r.register_number, r.questions) for r in rows] == [(school.register_number, 3),
                                                                 (boiler.register_number, 3)]


@pytest.mark.parametrize(("arguments", "field"), [
    ({"date_from": date(2026, 2, 1), "date_to": date(2026, 1, 1)}, "date_to"),
    ({"section": "5'; drop"}, "classifier_section"),
    ({"limit": 0}, "first"),
    ({"limit": 101}, "first"),
])
def test_bad_report_inputs_are_typed_errors(in_alpha, arguments, field):
    values = {"date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31), **arguments}
    with pytest.raises(ValidationError) as error:
        assets_by_appeals(**values)
    assert field in error.value.error_dict


# --- the back office ---------------------------------------------------------------------------------------

def test_the_back_office_links_through_the_picker_and_the_object_page_lists_the_appeals(client, alpha, beta,
                                                                                          school):
    theirs = building(beta, name="Чужая котельная", cadastral_number="19:02:010101:7")
    with schema_context(alpha.schema_name):
        appeal = received(QuestionInput(HEATING, "холодно в классах"), subject="Холодно в школе")
    login(client, alpha.host, alpha.admin_email)
    url = f"/admin/appeals/appeal/{appeal.pk}/act/link_asset/"
    page = client.get(f"/admin/appeals/appeal/{appeal.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    assert url in page
    found = client.get("/admin/appeals/appeal/assets/autocomplete/", {"term": "Щетинкина"}, HTTP_HOST=alpha.host)
    assert found.json()["results"] == [{"id": str(school.pk), "text": f"{school.register_number} · {school.name} · "
                                                                      f"{school.address}"}]
    found = client.get("/admin/appeals/appeal/assets/autocomplete/", {"term": "Чужая"}, HTTP_HOST=alpha.host)
    assert found.json()["results"] == []
    response = client.post(url, {"question": "1", "asset": str(theirs.pk)}, HTTP_HOST=alpha.host)
    assert response.status_code == 200  # another municipality's object is no choice here
    with schema_context(alpha.schema_name):
        assert Question.objects.get(appeal=appeal).asset_id is None
    response = client.post(url, {"question": "1", "asset": str(school.pk)}, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(alpha.schema_name):
        assert Question.objects.get(appeal=appeal).asset_id == school.pk
    page = client.get(f"/admin/assets/asset/{school.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    assert 'id="asset-appeals"' in page and "Холодно в школе" in page
    assert f"/admin/appeals/appeal/{appeal.pk}/change/" in page
    listed = client.get("/admin/appeals/appeal/", {"asset": str(school.pk)}, HTTP_HOST=alpha.host).content.decode()
    assert "Холодно в школе" in listed
    report = client.get("/admin/appeals/appeal/by-asset/", {
        "date_from": (timezone.localdate() - timedelta(days=30)).isoformat(),
        "date_to": timezone.localdate().isoformat(), "section": "0005"}, HTTP_HOST=alpha.host)
    assert report.status_code == 200
    assert 'id="assets-by-appeals"' in report.content.decode() and school.register_number in report.content.decode()
    with schema_context(alpha.schema_name):
        remove(school)
    response = client.post(url, {"question": "1", "asset": str(school.pk)}, HTTP_HOST=alpha.host)
    assert response.status_code == 200 and "was removed from the register" in response.content.decode()


@pytest.mark.parametrize(("role", "sees"), [("asset_manager", None), ("reporter", "count"), ("viewer", "contents")])
def test_the_object_page_shows_appeals_only_as_the_appeals_rules_allow(client, alpha, school, role, sees):
    with schema_context(alpha.schema_name):
        received(QuestionInput(HEATING, asset_id=school.pk), subject="Холодно в школе")
    email = staff(alpha, f"{role}@alpha.example.ru", role)
    login(client, alpha.host, email)
    response = client.get(f"/admin/assets/asset/{school.pk}/change/", HTTP_HOST=alpha.host)
    assert response.status_code == 200
    page = response.content.decode()
    assert ("Холодно в школе" in page) == (sees == "contents")
    assert ('id="asset-appeals"' in page) == (sees is not None)
    autocomplete = client.get("/admin/appeals/appeal/assets/autocomplete/", HTTP_HOST=alpha.host)
    assert autocomplete.status_code == 403  # none of them changes appeals


# --- the demo ---------------------------------------------------------------------------------------------

def test_the_demo_ties_housing_appeals_to_buildings_and_networks(alpha):
    from gorodok_services.appeals.demo import seed_demo_appeals
    from gorodok_services.assets.demo import seed_demo_register

    with schema_context(alpha.schema_name):
        seed_demo_appeals(seed=7)
        seed_demo_register()
        linked = Question.objects.filter(asset__isnull=False).select_related("asset")
        kinds = {question.asset.kind for question in linked}
        names = {question.asset.name for question in linked}
        assert {"building", "structure"} <= kinds
        assert any(name.startswith("Тепловая сеть") for name in names) and "Многоквартирный дом" in names
        assert all(q.classifier_code.startswith("0005") for q in linked)
        assert AppealEvent.objects.filter(action="asset_linked").count() == linked.count()
        assert seed_demo_register() == 0  # again: nothing new, no link twice
        assert AppealEvent.objects.filter(action="asset_linked").count() == linked.count()


def test_the_new_pages_read_in_russian(alpha, school):
    from django.test import Client

    from tests.test_tenants.test_admin_russian import english_texts

    with schema_context(alpha.schema_name):
        appeal = received(QuestionInput(HEATING, "холодно", asset_id=school.pk), subject="Холодно в школе")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    login(client, alpha.host, alpha.admin_email)
    today = timezone.localdate()
    pages = (f"/admin/appeals/appeal/{appeal.pk}/act/link_asset/", f"/admin/appeals/appeal/{appeal.pk}/change/",
             f"/admin/assets/asset/{school.pk}/change/", "/admin/appeals/appeal/",
             f"/admin/appeals/appeal/by-asset/?date_from={today - timedelta(days=30)}&date_to={today}")
    for url in pages:
        response = client.get(url, HTTP_HOST=alpha.host)
        assert response.status_code == 200, url
        page = response.content.decode()
        if "/assets/" in url:  # the register's own page is its module's: here only the appeals panel
            page = page[page.index('id="asset-appeals"'):]
            page = page[:page.index("</fieldset>")]
            assert "Обращения об этом объекте" in page
        assert english_texts(page) == [], (url, english_texts(page))
