"""Plain functions that turn services and appeals into GeoReport v2 documents, and documents into
JSON or XML responses. No personal data ever passes through here: no names, e-mails, phones,
postal addresses, and not the text of the appeal (59-FZ art. 6 protects its content)."""

from __future__ import annotations

import json
import re
import zoneinfo
from datetime import datetime
from xml.etree import ElementTree

from django.http import HttpResponse

from gorodok_graphql.open311.catalog import Service
from gorodok_services.appeals.models import OPEN_STATUSES, Appeal, AppealStatus

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00Z"  # the date this API last changed
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
FORMATS = ["application/json", "text/xml"]

STATUS_NOTES = {
    AppealStatus.RECEIVED: "Получено, ожидает регистрации",
    AppealStatus.REGISTERED: "Зарегистрировано",
    AppealStatus.IN_PROGRESS: "На рассмотрении",
    AppealStatus.FORWARDED: "Перенаправлено по компетенции",
    AppealStatus.ANSWERED: "Ответ дан",
    AppealStatus.CLOSED: "Рассмотрение завершено",
    AppealStatus.WITHOUT_ANSWER: "Оставлено без ответа по существу",
    AppealStatus.AWAITING_CLARIFICATION: "Ожидает уточнения от автора",
}

# The coordinates of a request are kept in the problem's address, readable by staff:
# "ул. Ленина, 1 (координаты: 53.721300, 91.442500)" or "Координаты: 53.721300, 91.442500".
_COORDINATES = re.compile(
    r"^(?P<address>.*?)\s*\(?[Кк]оординаты: (?P<lat>-?\d{1,2}\.\d+), (?P<long>-?\d{1,3}\.\d+)\)?$"
)
# Characters XML 1.0 cannot carry at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ITEM_TAGS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


# --- values ------------------------------------------------------------------------------------------

def w3_datetime(value: datetime | None, zone: str) -> str | None:
    """ISO 8601 with the UTC offset, in the municipality's time zone, to the second."""
    if value is None:
        return None
    return value.astimezone(zoneinfo.ZoneInfo(zone)).replace(microsecond=0).isoformat()


def location_text(address: str, lat: float | None, long: float | None) -> str:
    if lat is None or long is None:
        return address
    coordinates = f"{lat:.6f}, {long:.6f}"
    return f"{address} (координаты: {coordinates})" if address else f"Координаты: {coordinates}"


def split_location(text: str) -> tuple[str, float | None, float | None]:
    match = _COORDINATES.match(text or "")
    if match is None:
        return text or "", None, None
    return match["address"].strip(), float(match["lat"]), float(match["long"])


def status_notes(appeal: Appeal, zone: str) -> str:
    note = STATUS_NOTES.get(appeal.status, "")
    if appeal.status == AppealStatus.FORWARDED and appeal.forwarded_to:
        note = f"{note}: {appeal.forwarded_to}"
    if appeal.status in OPEN_STATUSES and appeal.extended_at is not None and appeal.due_at is not None:
        local = appeal.due_at.astimezone(zoneinfo.ZoneInfo(zone))
        note = f"{note}. Срок рассмотрения продлён до {local:%d.%m.%Y}"
    return note


def agency_responsible(appeal: Appeal, municipality_name: str) -> str:
    if appeal.status == AppealStatus.FORWARDED and appeal.forwarded_to:
        return appeal.forwarded_to
    department = appeal.department if appeal.department_id else None
    return department.name if department is not None else municipality_name


def _updated(appeal: Appeal) -> datetime:
    """For a closed request the spec wants the moment it was closed."""
    if appeal.status not in OPEN_STATUSES:
        return appeal.closed_at or appeal.answered_at or appeal.forwarded_at or appeal.updated_at
    return appeal.updated_at


# --- documents -----------------------------------------------------------------------------------------

def service_document(service: Service, *, asset_attribute: bool = False) -> dict:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": asset_attribute,
        "type": "realtime",
        "keywords": service.keywords,
        "group": service.group,
    }


ASSET_ATTRIBUTE = "asset_register_number"


def service_definition_document(service: Service, *, asset_attribute: bool = False) -> dict:
    # With the property register kept, one optional attribute on every service: the object the request
    # is about. Without it, no attribute (and metadata is false).
    if not asset_attribute:
        return {"service_code": service.code, "attributes": []}
    return {"service_code": service.code, "attributes": [{
        "variable": True,
        "code": ASSET_ATTRIBUTE,
        "datatype": "string",
        "required": False,
        "datatype_description": "Реестровый номер объекта муниципального имущества, например 1.000012.",
        "order": 1,
        "description": "Объект реестра (здание, участок сети), о котором сообщение. Если не указан, "
                       "берётся ближайший к lat/long объект реестра в пределах радиуса.",
        "values": [],
    }]}


def request_document(appeal: Appeal, service: Service, *, zone: str, municipality_name: str) -> dict:
    address, lat, long = split_location(appeal.problem_address)
    return {
        "service_request_id": appeal.registration_number,
        "status": "open" if appeal.status in OPEN_STATUSES else "closed",
        "status_notes": status_notes(appeal, zone),
        "service_name": service.name,
        "service_code": service.code,
        "description": None,
        "agency_responsible": agency_responsible(appeal, municipality_name),
        "service_notice": None,
        "requested_datetime": w3_datetime(appeal.received_at, zone),
        "updated_datetime": w3_datetime(_updated(appeal), zone),
        "expected_datetime": w3_datetime(appeal.due_at, zone),
        "address": address or None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": long,
        "media_url": None,
    }


def created_document(appeal: Appeal, *, zone: str, account_id: str | None) -> dict:
    notice = f"Обращение зарегистрировано под номером {appeal.registration_number}."
    if appeal.due_at is not None:
        local = appeal.due_at.astimezone(zoneinfo.ZoneInfo(zone))
        notice += f" Ответ будет дан не позднее {local:%d.%m.%Y}."
    return {"service_request_id": appeal.registration_number, "service_notice": notice,
            "account_id": account_id or None}


def discovery_document(*, url: str, contact: str, key_service: str, production: bool) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url,
            "changeset": CHANGESET,
            "type": "production" if production else "test",
            "formats": FORMATS,
        }],
    }


def error_documents(status: int, *descriptions: str) -> list[dict]:
    return [{"code": status, "description": description} for description in descriptions]


# --- rendering -----------------------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, tag: str, value) -> None:
    child = ElementTree.SubElement(element, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(child, key, item)
    elif isinstance(value, list):
        for item in value:
            _fill(child, _ITEM_TAGS.get(tag, "item"), item)
    else:
        child.text = _text(value)


def to_xml(document, root: str, item: str = "") -> bytes:
    """The spec's schemaless XML: a list becomes ``<root><item>…</item>…</root>``."""
    element = ElementTree.Element(root)
    if isinstance(document, list):
        for entry in document:
            _fill(element, item, entry)
    else:
        for key, value in document.items():
            _fill(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(element, encoding="unicode").encode()


def render(document, fmt: str, *, status: int = 200, root: str = "", item: str = "") -> HttpResponse:
    body = to_xml(document, root, item) if fmt == "xml" else json.dumps(document, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"]))


def render_errors(fmt: str, status: int, *descriptions: str, headers: dict | None = None) -> HttpResponse:
    response = render(error_documents(status, *descriptions), fmt, status=status, root="errors", item="error")
    for name, value in (headers or {}).items():
        response[name] = value
    return response
