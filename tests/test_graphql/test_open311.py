"""Open311 GeoReport v2 on a municipality's host: services from the classifier, appeals as service
requests, api_key = an API client with appeals:write on this host, no personal data in reads."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.integrations.models import ApiClient
from gorodok_services.appeals import services as appeal_services
from gorodok_services.appeals.models import Appeal
from tests.support.appeals import LARGE_FAMILIES, ROAD, SNOW, receive, register

LIGHTING = "0003.0009.0097.0690"
HEATING = "0005.0005.0057.1153"
BUDGET = "0003.0008.0082.0595"  # in section 0003, but no 311 service
from tests.support.open311 import PERSON, api_client, get, post  # noqa: E402


def assert_error(result, status: int, text: str = "") -> None:
    code, body = result
    assert code == status, body
    assert isinstance(body, list) and body and all(set(e) == {"code", "description"} for e in body), body
    assert body[0]["code"] == status
    assert text in " ".join(e["description"] for e in body), body


# --- services and discovery --------------------------------------------------------------------------

def test_services_are_the_citizen_categories_of_the_classifier(client, alpha):
    status, body = get(client, alpha, "v2/services.json")
    assert status == 200 and isinstance(body, list)
    codes = [s["service_code"] for s in body]
    assert {ROAD, SNOW, LIGHTING, HEATING, "0005.0005.0057.1160", "0005.0005.0058.1164"} <= set(codes)
    assert BUDGET not in codes and LARGE_FAMILIES not in codes and "0003.0009.0097" not in codes
    assert codes == sorted(codes)
    road = next(s for s in body if s["service_code"] == ROAD)
    assert set(road) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert road["service_name"] == "Ремонт и содержание дорог"
    assert road["group"] == "Дорожное хозяйство"
    assert (road["metadata"], road["type"]) == (True, "realtime")  # the register object's attribute
    assert "Дорожное хозяйство" in road["keywords"]


def test_one_service_definition_and_an_unknown_one(client, alpha):
    status, body = get(client, alpha, f"v2/services/{HEATING}.json")
    assert status == 200 and body["service_code"] == HEATING
    assert [(a["code"], a["datatype"], a["required"]) for a in body["attributes"]] == [
        ("asset_register_number", "string", False)]
    assert_error(get(client, alpha, f"v2/services/{BUDGET}.json"), 404, "service_code")
    assert_error(get(client, alpha, "v2/services/nonsense.json"), 404)


def test_discovery(client, alpha):
    for path in ("discovery.json", "v2/discovery.json"):
        status, body = get(client, alpha, path)
        assert status == 200
        assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
        (endpoint,) = body["endpoints"]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"].split("://", 1)[1].startswith(alpha.host)
        assert endpoint["url"].endswith("/open311/v2")
        assert "application/json" in endpoint["formats"] and "text/xml" in endpoint["formats"]
        assert endpoint["type"] in ("production", "test")


# --- creating a request ------------------------------------------------------------------------------

def test_post_creates_a_registered_appeal_visible_as_open(client, alpha):
    token = api_client(alpha)
    status, body = post(client, alpha, token, account_id="acc-7")
    assert status == 200, body
    (created,) = body
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    number = created["service_request_id"]
    assert created["account_id"] == "acc-7"
    assert number in created["service_notice"]

    with schema_context(alpha.schema_name):
        appeal = Appeal.objects.get(registration_number=number)
        assert (appeal.channel, appeal.kind, appeal.status) == ("integrator", "statement", "registered")
        assert appeal.applicant_name == "Петров Иван"
        assert (appeal.applicant_email, appeal.applicant_phone) == (PERSON["email"], PERSON["phone"])
        assert appeal.problem_address == "ул. Ленина, 12"
        assert [q.classifier_code for q in appeal.questions.all()] == [ROAD]
        assert appeal.due_at is not None
        assert ApiClient.objects.get().last_used_at is not None
        assert AuditEntry.objects.filter(action="open311.request_received", actor_kind="api_client").exists()

    status, body = get(client, alpha, f"v2/requests/{quote(number)}.json")
    assert status == 200, body
    (request,) = body
    assert (request["service_request_id"], request["status"], request["service_code"]) == (number, "open", ROAD)
    assert request["status_notes"] == "Зарегистрировано"
    assert request["service_name"] == "Ремонт и содержание дорог"
    assert request["address"] == "ул. Ленина, 12"
    assert request["expected_datetime"] == appeal.due_at.astimezone(
        timezone.get_fixed_timezone(7 * 60)).replace(microsecond=0).isoformat()
    assert request["expected_datetime"].endswith("+07:00") and request["requested_datetime"].endswith("+07:00")
    assert set(request) == {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url"}


def test_post_with_coordinates_only(client, alpha):
    token = api_client(alpha)
    status, body = post(client, alpha, token, address_string=None, lat="53.7213", long="91.4425",
                        service_code=LIGHTING, first_name=None, last_name=None, description=None)
    assert status == 200, body
    with schema_context(alpha.schema_name):
        appeal = Appeal.objects.get(registration_number=body[0]["service_request_id"])
        assert appeal.applicant_type == "anonymous"
        assert appeal.text == "Освещение улиц, дорог"
    status, body = get(client, alpha, f"v2/requests/{quote(appeal.registration_number)}.json")
    assert (body[0]["lat"], body[0]["long"], body[0]["address"]) == (53.7213, 91.4425, None)


def test_a_retried_post_does_not_duplicate(client, alpha):
    token = api_client(alpha)
    first = post(client, alpha, token, device_id="phone-1")
    again = post(client, alpha, token, device_id="phone-1")
    assert first[0] == again[0] == 200
    assert first[1][0]["service_request_id"] == again[1][0]["service_request_id"]
    other = post(client, alpha, token, device_id="phone-1", description="Другая яма, во дворе")
    assert other[1][0]["service_request_id"] != first[1][0]["service_request_id"]

    header = {"HTTP_IDEMPOTENCY_KEY": "report-42"}
    numbers = {
        json.loads(client.post("/open311/v2/requests.json",
                               {"api_key": token, "service_code": SNOW, "address_string": "пр. Мира, 3",
                                "description": description}, HTTP_HOST=alpha.host, **header).content)[0][
            "service_request_id"]
        for description in ("Не убран снег", "Не убран снег (повтор с правкой)")
    }
    assert len(numbers) == 1
    with schema_context(alpha.schema_name):
        assert Appeal.objects.count() == 3


def test_a_retry_across_midnight_is_still_recognised(client, alpha):
    from gorodok_graphql.open311.views import idempotency_keys

    token = api_client(alpha)
    status, body = post(client, alpha, token, device_id="phone-9")
    with schema_context(alpha.schema_name):
        appeal = Appeal.objects.get()
        key_id = ApiClient.objects.get().key_id
        params = {"service_code": ROAD, "address_string": "ул. Ленина, 12",
                  "description": "Глубокая яма у остановки", "device_id": "phone-9", **PERSON}
        day = timezone.now().date().toordinal() - 1
        yesterday = idempotency_keys(f"{alpha.schema_name}:{key_id}", params, "", day)[0]
        Appeal.objects.filter(pk=appeal.pk).update(idempotency_key=yesterday)
    assert post(client, alpha, token, device_id="phone-9")[1] == body
    with schema_context(alpha.schema_name):
        assert Appeal.objects.count() == 1


@pytest.mark.parametrize(("params", "status", "text"), [
    ({"service_code": None}, 400, "service_code is required"),
    ({"service_code": BUDGET}, 404, "service_code not found"),
    ({"service_code": "nonsense"}, 404, "service_code not found"),
    ({"address_string": None}, 400, "location is required"),
    ({"address_string": None, "address_id": "545483"}, 400, "address_id"),
    ({"address_string": None, "lat": "53.7"}, 400, "lat and long"),
    ({"lat": "north", "long": "91.4"}, 400, "lat: not a number"),
    ({"lat": "95", "long": "91.4"}, 400, "lat: must be between"),
    ({"lat": "nan", "long": "91.4"}, 400, "lat"),
    ({"email": "not-an-email"}, 400, "email:"),
    ({"phone": "9" * 40}, 400, "phone:"),
    ({"description": "я" * 4001}, 400, "description: at most 4000"),
    ({"description": "яма\x00"}, 400, "NUL"),
    ({"address_string": "д" * 600}, 400, "address_string:"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"jurisdiction_id": "beta.example.org"}, 404, "jurisdiction_id"),
])
def test_invalid_requests_are_refused_with_the_spec_errors(client, alpha, params, status, text):
    token = api_client(alpha)
    assert_error(post(client, alpha, token, **params), status, text)
    with schema_context(alpha.schema_name):
        assert not Appeal.objects.exists()


def test_api_key_problems_are_403(client, alpha):
    good = api_client(alpha)
    reader = api_client(alpha, scopes=("appeals:read",))
    expired = api_client(alpha, expires_at=timezone.now() - timedelta(minutes=1))
    revoked = api_client(alpha, revoked_at=timezone.now())
    key_id = good.split("_")[1]
    cases = [
        (None, "required"), ("", "required"), ("nonsense", "Invalid"), (f"gk_{key_id}_wrong-secret", "Invalid"),
        ("gk_" + "f" * 12 + "_" + good.split("_", 2)[2], "Invalid"), ("gk_" * 200, "Invalid"),
        (reader, "appeals:write"), (expired, "revoked or expired"), (revoked, "revoked or expired"),
    ]
    for token, text in cases:
        assert_error(post(client, alpha, token), 403, text)
    with schema_context(alpha.schema_name):
        assert not Appeal.objects.exists()


def test_bearer_header_is_accepted_too(client, alpha):
    token = api_client(alpha)
    response = client.post("/open311/v2/requests.json", {"service_code": ROAD, "address_string": "ул. Мира, 1"},
                           HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content


def test_regional_client_works_only_where_it_is_named(client, alpha, beta):
    token = api_client(alpha, schema="public", municipalities=[alpha.schema_name])
    assert post(client, alpha, token)[0] == 200
    assert_error(post(client, beta, token), 403, "Invalid")


def test_rate_limit_per_client(client, alpha):
    token = api_client(alpha, rate_limit_per_minute=2)
    assert post(client, alpha, token, description="один")[0] == 200
    assert post(client, alpha, token, description="два")[0] == 200
    response = client.post("/open311/v2/requests.json", {"api_key": token, "service_code": ROAD,
                                                         "address_string": "x", "description": "три"},
                           HTTP_HOST=alpha.host)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1


def test_json_body_and_unsupported_bodies(client, alpha):
    token = api_client(alpha)
    body = {"api_key": token, "service_code": ROAD, "lat": 53.72, "long": 91.44}
    response = client.post("/open311/v2/requests.json", json.dumps(body), content_type="application/json",
                           HTTP_HOST=alpha.host)
    assert response.status_code == 200, response.content
    for content, content_type in (("[1]", "application/json"), ("{", "application/json"),
                                  (json.dumps({"lat": [1]}), "application/json")):
        response = client.post("/open311/v2/requests.json", content, content_type=content_type, HTTP_HOST=alpha.host)
        assert_error((response.status_code, json.loads(response.content)), 400)
    response = client.post("/open311/v2/requests.json", "<x/>", content_type="text/xml", HTTP_HOST=alpha.host)
    assert_error((response.status_code, json.loads(response.content)), 415)


# --- reading requests ----------------------------------------------------------------------------------

def _registered(tenant, code=ROAD, **overrides):
    from gorodok_services.appeals.services import QuestionInput

    appeal = receive(tenant, questions=[QuestionInput(code, "")], **overrides)
    return register(tenant, appeal).appeal


def test_list_filters(client, alpha):
    road = _registered(alpha, ROAD, problem_address="ул. Ленина, 1")
    heating = _registered(alpha, HEATING, problem_address="ул. Пушкина, 2")
    lighting = _registered(alpha, LIGHTING)
    _registered(alpha, LARGE_FAMILIES)  # not a 311 category: never listed
    receive(alpha)  # received, not registered: no number, not listed
    old = _registered(alpha, SNOW)
    with schema_context(alpha.schema_name):
        Appeal.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=120))
        appeal_services.appeal_answer(appeal=heating, answer_text="Подача тепла восстановлена.")
        appeal_services.appeal_forward(appeal=lighting, to="ООО «Горсвет»")

    def numbers(**params):
        status, body = get(client, alpha, "v2/requests.json", **params)
        assert status == 200, body
        return {r["service_request_id"] for r in body}

    assert numbers() == {road.registration_number, heating.registration_number, lighting.registration_number}
    assert numbers(status="open") == {road.registration_number}
    assert numbers(status="closed") == {heating.registration_number, lighting.registration_number}
    assert numbers(status="open,closed") == numbers()
    assert numbers(service_code=f"{HEATING},{LIGHTING}") == {heating.registration_number,
                                                              lighting.registration_number}
    assert numbers(service_request_id=f"{old.registration_number},{road.registration_number}") == {
        old.registration_number, road.registration_number}  # overrides the 90-day window
    start = (timezone.now() - timedelta(days=150)).isoformat()
    end = (timezone.now() - timedelta(days=100)).isoformat()
    assert numbers(start_date=start, end_date=end) == {old.registration_number}
    assert numbers(start_date=start) == {old.registration_number}
    assert numbers(end_date=end) == {old.registration_number}
    assert numbers(end_date=(timezone.now() - timedelta(days=130)).isoformat()) == set()
    zulu = (timezone.now() - timedelta(days=1)).astimezone(timezone.get_fixed_timezone(0))
    assert numbers(start_date=zulu.strftime("%Y-%m-%dT%H:%M:%SZ")) == numbers()
    assert numbers(start_date=zulu.strftime("%Y-%m-%d")) == numbers()  # a date alone: local midnight

    status, body = get(client, alpha, "v2/requests.json", service_request_id=heating.registration_number)
    assert (body[0]["status"], body[0]["status_notes"]) == ("closed", "Ответ дан")
    status, body = get(client, alpha, "v2/requests.json", service_request_id=lighting.registration_number)
    assert body[0]["status_notes"] == "Перенаправлено по компетенции: ООО «Горсвет»"
    assert body[0]["agency_responsible"] == "ООО «Горсвет»"


@pytest.mark.parametrize(("params", "text"), [
    ({"status": "pending"}, "status"),
    ({"service_code": "0000.0000"}, "service_code"),
    ({"start_date": "yesterday"}, "start_date"),
    ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2025-12-01T00:00:00Z"}, "before"),
    ({"start_date": "2025-01-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "90 days"),
    ({"end_date": "0001-01-01T00:00:00Z"}, "range"),
    ({"start_date": "9999-12-31T00:00:00Z"}, "range"),
    ({"service_request_id": ",".join(str(n) for n in range(1001))}, "at most 1000"),
    ({"status": "open\x00"}, "NUL"),
])
def test_bad_list_parameters_are_400(client, alpha, params, text):
    assert_error(get(client, alpha, "v2/requests.json", **params), 400, text)


def test_reads_show_no_personal_data(client, alpha):
    appeal = _registered(alpha, ROAD, problem_address="ул. Ленина, 1", subject="Секретная тема",
                         text="Текст обращения с подробностями")
    status, body = get(client, alpha, "v2/requests.json")
    status_one, body_one = get(client, alpha, f"v2/requests/{quote(appeal.registration_number)}.json")
    for text in (json.dumps(body, ensure_ascii=False), json.dumps(body_one, ensure_ascii=False)):
        assert appeal.registration_number in text and "ул. Ленина, 1" in text
        for private in ("Иванов", "ivanov@example.ru", "+7 900 000-00-00", "г. Альфа, ул. Ленина, 1",
                        "Секретная тема", "Текст обращения"):
            assert private not in text, private
    assert body_one[0]["description"] is None


def test_isolation_between_municipalities(client, alpha, beta):
    theirs = _registered(beta, ROAD, problem_address="Бета, ул. Садовая, 5")
    assert_error(get(client, alpha, f"v2/requests/{quote(theirs.registration_number)}.json"), 404)
    status, body = get(client, alpha, "v2/requests.json", service_request_id=theirs.registration_number)
    assert (status, body) == (200, [])
    status, body = get(client, alpha, "v2/requests.json")
    assert (status, body) == (200, [])

    mine = _registered(alpha, HEATING, problem_address="Альфа, ул. Мира, 7")
    assert mine.registration_number == theirs.registration_number  # numbering is per municipality
    status, body = get(client, alpha, f"v2/requests/{quote(mine.registration_number)}.json")
    assert body[0]["service_code"] == HEATING and body[0]["address"] == "Альфа, ул. Мира, 7"
    assert "Садовая" not in json.dumps(body, ensure_ascii=False)

    alpha_token = api_client(alpha)
    assert_error(post(client, beta, alpha_token), 403, "Invalid")
    with schema_context(beta.schema_name):
        assert Appeal.objects.count() == 1


def test_unknown_ids_and_paths_are_404(client, alpha):
    for path in ("v2/requests/ОГ-1999-00001.json", "v2/requests/" + "9" * 300 + ".json",
                 "v2/requests/%00.json", "v2/requests.csv", "v2/nothing.json", "v3/services.json"):
        assert_error(get(client, alpha, path), 404)


def test_methods_and_the_switched_off_module(client, alpha):
    response = client.delete("/open311/v2/services.json", HTTP_HOST=alpha.host)
    assert response.status_code == 405 and "GET" in response["Allow"]
    assert json.loads(response.content)[0]["code"] == 405
    alpha.municipality.disabled_modules = ["appeals"]
    alpha.municipality.save()
    try:
        from gorodok_tenants.routing import forget_hosts

        forget_hosts(alpha.host)
        assert_error(get(client, alpha, "v2/services.json"), 404, "switched off")
        assert_error(post(client, alpha, api_client(alpha)), 404, "switched off")
    finally:
        alpha.municipality.disabled_modules = []


# --- XML ---------------------------------------------------------------------------------------------------

def test_xml_format(client, alpha):
    token = api_client(alpha)
    response = client.post("/open311/v2/requests.xml", {"api_key": token, "service_code": ROAD,
                                                        "address_string": "ул. Ленина, 12 <&>"},
                           HTTP_HOST=alpha.host)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ElementTree.fromstring(response.content)
    assert root.tag == "service_requests"
    number = root.find("request/service_request_id").text
    assert root.find("request/account_id").text is None

    root = ElementTree.fromstring(client.get("/open311/v2/requests.xml", HTTP_HOST=alpha.host).content)
    request = root.find("request")
    assert request.find("service_request_id").text == number
    assert request.find("status").text == "open"
    assert request.find("address").text == "ул. Ленина, 12 <&>"

    root = ElementTree.fromstring(client.get("/open311/v2/services.xml", HTTP_HOST=alpha.host).content)
    assert root.tag == "services" and root.find("service/metadata").text == "true"
    root = ElementTree.fromstring(client.get(f"/open311/v2/services/{ROAD}.xml", HTTP_HOST=alpha.host).content)
    assert (root.tag, root.find("service_code").text) == ("service_definition", ROAD)
    root = ElementTree.fromstring(client.get("/open311/discovery.xml", HTTP_HOST=alpha.host).content)
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["application/json", "text/xml"]

    response = client.get("/open311/v2/requests/nothing.xml", HTTP_HOST=alpha.host)
    assert response.status_code == 404
    error = ElementTree.fromstring(response.content)
    assert (error.tag, error.find("error/code").text) == ("errors", "404")


def test_one_service_is_looked_up_as_the_catalogue_lists_it(db):
    from gorodok_graphql.open311.catalog import open311_service, open311_services

    catalogue = open311_services()
    assert catalogue
    for code, service in list(catalogue.items())[:20]:
        assert open311_service(code) == service
    assert open311_service("0001") is None and open311_service("") is None and open311_service("9999.1.2.3") is None
