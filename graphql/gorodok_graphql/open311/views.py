"""Open311 GeoReport v2 endpoints on a municipality's host.

Reading is public and shows no personal data; creating a request needs an ``api_key`` of an API
client with ``appeals:write`` valid on this host. Every refusal is the spec's error list with its
HTTP status: 400 bad or missing parameters, 403 api_key, 404 unknown service, request or
jurisdiction, 405 method, 413 body too large, 415 body type, 429 rate limit."""

from __future__ import annotations

import hashlib
import json
import math
import re
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_start
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from gorodok_graphql.open311 import serializers
from gorodok_graphql.open311.auth import KeyProblem, check_api_key, mark_used, retry_after_if_limited
from gorodok_graphql.open311.catalog import Service, open311_service, open311_services
from gorodok_graphql.open311.queries import open311_requests, with_service_codes, with_statuses
from gorodok_platform.audit.models import ActorKind
from gorodok_platform.audit.services import audit_record
from gorodok_services.appeals.models import Appeal, AppealKind, AppealStatus, ApplicantType, Channel
from gorodok_services.appeals.services import AppealIntake, QuestionInput, appeal_receive_and_register
from gorodok_tenants.modules import module_enabled
from gorodok_tenants.provisioning.municipalities import public_url

MAX_RESULTS = 1000
MIN_YEAR, MAX_YEAR = 1900, 2999
WINDOW = timedelta(days=90)
MAX_DESCRIPTION = 4000
MAX_NAME = 120
MAX_ID_LENGTH = 128
MAX_URL = 500
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "")

# Where appeal_receive's field names come from, in the request's parameter names.
PARAMETER_OF_FIELD = {
    "applicant_email": "email", "applicant_phone": "phone", "applicant_name": "first_name/last_name",
    "problem_address": "address_string", "text": "description", "subject": "service_code",
    "questions": "service_code",
}


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str, headers: dict | None = None):
        super().__init__(status, descriptions)
        self.status = status
        self.descriptions = descriptions
        self.headers = headers or {}


# --- request plumbing ------------------------------------------------------------------------------

def _zone(request: HttpRequest) -> str:
    return getattr(request.tenant, "timezone", None) or settings.DEFAULT_MUNICIPALITY_TIMEZONE


def _scalar(name: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise Open311Error(400, f"{name}: send a string or a number.")
    return str(value)


def _body_params(request: HttpRequest) -> dict[str, str]:
    content_type = request.content_type or ""
    try:
        if content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError, RecursionError) as error:  # e.g. 100 KiB of "["
                raise Open311Error(400, "The body is not valid JSON.") from error
            if not isinstance(body, dict):
                raise Open311Error(400, "Send the parameters as a JSON object.")
            return {str(key): _scalar(str(key), value) for key, value in body.items()}
        if content_type not in FORM_TYPES:
            raise Open311Error(415, "Send the parameters as application/x-www-form-urlencoded "
                                    "(or multipart/form-data).")
        return {key: request.POST.get(key, "") for key in request.POST}
    except RequestDataTooBig as error:
        raise Open311Error(413, "The request body is too large.") from error
    except (TooManyFieldsSent, MultiPartParserError) as error:
        raise Open311Error(400, "The request body cannot be read.") from error


def _params(request: HttpRequest) -> dict[str, str]:
    params = {key: request.GET.get(key, "") for key in request.GET}
    if request.method == "POST":
        params.update(_body_params(request))
    for key, value in params.items():
        if "\x00" in key or "\x00" in value:
            raise Open311Error(400, "Parameters cannot contain NUL characters.")
    return {key: value.strip() for key, value in params.items()}


def _check_jurisdiction(request: HttpRequest, params: dict[str, str]) -> None:
    """One host serves one municipality, so jurisdiction_id is optional; when sent, it must be this
    host (or the municipality's slug)."""
    wanted = params.get("jurisdiction_id", "").lower()
    tenant = request.tenant
    if wanted and wanted not in {(getattr(tenant, "domain_url", "") or "").lower(), tenant.slug.lower()}:
        raise Open311Error(404, f"jurisdiction_id not found: this address serves {tenant.domain_url}.")


def endpoint(*methods: str):
    """Method check, the appeals module, the parameters, jurisdiction_id; errors in the spec's form
    and in the requested format."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view):
        @csrf_exempt  # api_key authenticates a POST, never a cookie
        @wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str = "json", **kwargs) -> HttpResponse:
            try:
                if request.method not in allowed:
                    raise Open311Error(405, f"Method {request.method} is not allowed here.",
                                       headers={"Allow": ", ".join(sorted(allowed))})
                if not module_enabled(getattr(request, "tenant", None), "appeals"):
                    raise Open311Error(404, "The appeals module is switched off for this municipality.")
                params = _params(request)
                _check_jurisdiction(request, params)
                return view(request, params, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return serializers.render_errors(fmt, error.status, *error.descriptions, headers=error.headers)

        return wrapper

    return decorator


# --- discovery and services ------------------------------------------------------------------------

@endpoint("GET")
def discovery(request: HttpRequest, params: dict[str, str], fmt: str) -> HttpResponse:
    tenant = request.tenant
    document = serializers.discovery_document(
        url=public_url(tenant.domain_url, "/open311/v2"),
        contact=getattr(settings, "OPEN311_CONTACT", "") or (
            f"{tenant.name}: администрация муниципального образования. "
            "Вопросы по API — региональный комитет цифрового развития."),
        key_service=getattr(settings, "OPEN311_KEY_SERVICE", "") or (
            "Ключ (API-клиента с правом appeals:write) выдаёт администратор муниципалитета "
            "или региональный комитет цифрового развития."),
        production=getattr(settings, "IS_PRODUCTION", False),
    )
    return serializers.render(document, fmt, root="discovery")


@endpoint("GET")
def services(request: HttpRequest, params: dict[str, str], fmt: str) -> HttpResponse:
    assets_on = module_enabled(getattr(request, "tenant", None), "assets")
    documents = [serializers.service_document(s, asset_attribute=assets_on) for s in open311_services().values()]
    return serializers.render(documents, fmt, root="services", item="service")


@endpoint("GET")
def service_definition(request: HttpRequest, params: dict[str, str], code: str, fmt: str) -> HttpResponse:
    service = open311_service(code)
    if service is None:
        raise Open311Error(404, f"service_code not found: {code[:40]}")
    assets_on = module_enabled(getattr(request, "tenant", None), "assets")
    return serializers.render(serializers.service_definition_document(service, asset_attribute=assets_on), fmt,
                              root="service_definition")


# --- reading requests --------------------------------------------------------------------------------

def _documents(request: HttpRequest, appeals, catalog: dict[str, Service]) -> list[dict]:
    zone, name = _zone(request), request.tenant.name
    documents = []
    for appeal in appeals:
        service = next((catalog[q.classifier_code] for q in appeal.questions.all() if q.classifier_code in catalog),
                       None)
        if service is not None:
            documents.append(serializers.request_document(appeal, service, zone=zone, municipality_name=name))
    return documents


def _parse_moment(name: str, value: str, zone: str) -> datetime:
    text = value.strip()
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", text)  # an unencoded "+" in a query string arrives as a space
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), day_start.min, tzinfo=zoneinfo.ZoneInfo(zone))
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise Open311Error(400, f"{name}: use the w3 format, e.g. 2026-01-01T00:00:00+07:00.") from error
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    try:
        in_utc = moment.astimezone(UTC)
    except OverflowError as error:
        raise Open311Error(400, f"{name} is out of range.") from error
    if not MIN_YEAR <= in_utc.year <= MAX_YEAR:
        raise Open311Error(400, f"{name} is out of range.")
    return moment


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _window(params: dict[str, str], zone: str) -> tuple[datetime, datetime]:
    start = _parse_moment("start_date", params["start_date"], zone) if params.get("start_date") else None
    end = _parse_moment("end_date", params["end_date"], zone) if params.get("end_date") else None
    try:
        if start is None and end is None:
            end = timezone.now()
            start = end - WINDOW
        elif start is None:
            start = end - WINDOW
        elif end is None:
            end = start + WINDOW
    except OverflowError as error:
        raise Open311Error(400, "start_date or end_date is out of range.") from error
    if end < start:
        raise Open311Error(400, "end_date is before start_date.")
    if end - start > WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days.")
    return start, end


@endpoint("GET", "POST")
def service_requests(request: HttpRequest, params: dict[str, str], fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, params, fmt)
    catalog = open311_services()
    appeals = open311_requests(catalog)
    ids = _split_list(params.get("service_request_id", ""))
    if ids:  # the spec: this overrides every other argument
        if len(ids) > MAX_RESULTS:
            raise Open311Error(400, f"service_request_id: at most {MAX_RESULTS} at once.")
        appeals = appeals.filter(registration_number__in=ids)
    else:
        codes = _split_list(params.get("service_code", ""))
        unknown = [code for code in codes if code not in catalog]
        if unknown:
            raise Open311Error(400, f"service_code: no such service: {', '.join(unknown)[:200]}")
        statuses = {status.lower() for status in _split_list(params.get("status", ""))}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status: use open, closed or both, comma separated.")
        start, end = _window(params, _zone(request))
        appeals = with_statuses(appeals.filter(received_at__gte=start, received_at__lte=end), statuses)
        if codes:
            appeals = with_service_codes(appeals, codes)
    documents = _documents(request, appeals[:MAX_RESULTS], catalog)
    return serializers.render(documents, fmt, root="service_requests", item="request")


@endpoint("GET")
def request_detail(request: HttpRequest, params: dict[str, str], request_id: str, fmt: str) -> HttpResponse:
    catalog = open311_services()
    appeal = None
    if len(request_id) <= MAX_ID_LENGTH and "\x00" not in request_id:
        appeal = open311_requests(catalog).filter(registration_number=request_id).first()
    documents = _documents(request, [appeal], catalog) if appeal is not None else []
    if not documents:
        raise Open311Error(404, f"service_request_id not found: {request_id[:40]}")
    return serializers.render(documents, fmt, root="service_requests", item="request")


# --- creating a request ------------------------------------------------------------------------------

def _api_key(request: HttpRequest, params: dict[str, str]) -> str:
    if params.get("api_key"):
        return params["api_key"]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _authenticate(request: HttpRequest, params: dict[str, str]):
    token = _api_key(request, params)
    if not token:
        raise Open311Error(403, "api_key is required to create a service request.")
    check = check_api_key(token)
    if check.problem == KeyProblem.UNUSABLE:
        raise Open311Error(403, "api_key is revoked or expired.")
    if check.problem == KeyProblem.SCOPE:
        raise Open311Error(403, "api_key lacks the appeals:write scope.")
    if check.client is None:
        raise Open311Error(403, "Invalid api_key for this municipality.")
    wait = retry_after_if_limited(check)
    if wait is not None:
        raise Open311Error(429, f"Rate limit exceeded: try again in {wait} s.", headers={"Retry-After": str(wait)})
    return check


def _coordinate(name: str, value: str, limit: float) -> float:
    try:
        number = float(value)
    except ValueError as error:
        raise Open311Error(400, f"{name}: not a number.") from error
    if not math.isfinite(number) or abs(number) > limit:
        raise Open311Error(400, f"{name}: must be between -{limit:g} and {limit:g} (WGS84).")
    return number


def _point(params: dict[str, str]) -> tuple[float, float] | None:
    lat_text, long_text = params.get("lat", ""), params.get("long", "")
    if not (lat_text or long_text):
        return None
    if not (lat_text and long_text):
        raise Open311Error(400, "lat and long are sent together.")
    return _coordinate("lat", lat_text, 90), _coordinate("long", long_text, 180)


def _location(params: dict[str, str]) -> str:
    point = _point(params)
    lat, long = point if point is not None else (None, None)
    address = params.get("address_string", "")
    if lat is None and not address:
        if params.get("address_id"):
            raise Open311Error(400, "address_id is not supported here: send lat and long, or address_string.")
        raise Open311Error(400, "A location is required: lat and long, or address_string.")
    return serializers.location_text(address, lat, long)


ASSET_PARAMETER = f"attribute[{serializers.ASSET_ATTRIBUTE}]"


def asset_radius_m() -> float:
    return float(getattr(settings, "OPEN311_ASSET_RADIUS_METERS", 100))


def _asset(request: HttpRequest, params: dict[str, str]) -> int | None:
    """The register object a request is about: the one its ``attribute[asset_register_number]`` names
    (unknown or removed: 400), else the nearest object in the register with coordinates within
    ``OPEN311_ASSET_RADIUS_METERS`` (100 m) of ``lat``/``long``, else none. Only with the register on."""
    from gorodok_services.assets.models import Asset
    from gorodok_services.assets.selectors import asset_nearest

    number = params.get(ASSET_PARAMETER, "")
    if not module_enabled(getattr(request, "tenant", None), "assets"):
        if number:
            raise Open311Error(400, f"{ASSET_PARAMETER}: the property register is not kept here.")
        return None
    if number:
        asset = Asset.objects.filter(register_number=number).first() if len(number) <= 40 else None
        if asset is None:
            raise Open311Error(400, f"{ASSET_PARAMETER}: no object with this register number: {number[:40]}")
        if asset.is_removed:
            raise Open311Error(400, f"{ASSET_PARAMETER}: the object {asset.register_number} was removed "
                                    "from the register.")
        return asset.pk
    point = _point(params)
    if point is None:
        return None
    nearest = asset_nearest(point[0], point[1], asset_radius_m())
    return nearest.pk if nearest is not None else None


def _check_lengths(params: dict[str, str]) -> None:
    if len(params.get("description", "")) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description: at most {MAX_DESCRIPTION} characters.")
    for name in ("first_name", "last_name"):
        if len(params.get(name, "")) > MAX_NAME:
            raise Open311Error(400, f"{name}: at most {MAX_NAME} characters.")
    for name in ("device_id", "account_id"):
        if len(params.get(name, "")) > MAX_ID_LENGTH:
            raise Open311Error(400, f"{name}: at most {MAX_ID_LENGTH} characters.")
    media_url = params.get("media_url", "")
    if media_url and (len(media_url) > MAX_URL or not re.match(r"^https?://[^\s]+$", media_url)):
        raise Open311Error(400, f"media_url: an http(s) URL of at most {MAX_URL} characters.")


IDEMPOTENCY_FIELDS = ("device_id", "account_id", "email", "phone", "first_name", "last_name", "service_code",
                      "lat", "long", "address_string", "description", "media_url")


def idempotency_keys(client_ident: str, params: dict[str, str], header_key: str, today: int) -> list[str]:
    """The keys that make a retried POST return the first request instead of a second one.

    With an ``Idempotency-Key`` header: that key, per client. Without: the client and every field
    the request carries, within a UTC day; the previous day's key is also tried, so a retry across
    midnight is still recognised. The same report sent again a day later is a new request."""

    def digest(*material) -> str:
        return "open311:" + hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()

    if header_key:
        return [digest("header", client_ident, header_key)]
    fields = [params.get(name, "") for name in IDEMPOTENCY_FIELDS]
    if params.get(ASSET_PARAMETER):  # only when sent, so the keys of requests without it stay as they were
        fields.append(params[ASSET_PARAMETER])
    return [digest("form", client_ident, day, *fields) for day in (today, today - 1)]


def _validation_descriptions(error: ValidationError) -> list[str]:
    items = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.error_list)]
    descriptions = []
    for field, errors in items:
        for item in errors:
            message = item.message % item.params if item.params else item.message
            name = PARAMETER_OF_FIELD.get(field or "", field or "")
            descriptions.append(f"{name}: {message}" if name else str(message))
    return descriptions or ["The request is not valid."]


def _create(request: HttpRequest, params: dict[str, str], fmt: str) -> HttpResponse:
    check = _authenticate(request, params)
    client = check.client
    code = params.get("service_code", "")
    if not code:
        raise Open311Error(400, "service_code is required.")
    service = open311_service(code)
    if service is None:
        raise Open311Error(404, f"service_code not found: {code[:40]}")
    _check_lengths(params)
    problem_address = _location(params)
    asset_id = _asset(request, params)
    header_key = request.headers.get("Idempotency-Key", "").strip()[:MAX_ID_LENGTH]
    now = timezone.now()
    keys = idempotency_keys(check.authenticated.ident, params, header_key, now.date().toordinal())
    # Every key in one lookup: today's (which intake would look up again otherwise) and yesterday's.
    found = {appeal.idempotency_key: appeal for appeal in Appeal.objects.filter(idempotency_key__in=keys)}
    earlier = next((found[key] for key in keys[1:]
                    if key in found and found[key].received_at >= now - timedelta(days=1)), None)
    if earlier is not None and earlier.status != AppealStatus.RECEIVED:
        return _created_response(request, earlier, params, fmt)

    description = params.get("description", "")
    text = description or service.name
    if params.get("media_url"):
        text += f"\n\nМатериалы: {params['media_url']}"
    name = " ".join(part for part in (params.get("last_name", ""), params.get("first_name", "")) if part)
    intake = AppealIntake(
        channel=Channel.INTEGRATOR, kind=AppealKind.STATEMENT, subject=service.name[:300], text=text,
        questions=[QuestionInput(classifier_code=service.code, asset_id=asset_id)],
        applicant_type=ApplicantType.PERSON if name else ApplicantType.ANONYMOUS, applicant_name=name,
        applicant_email=params.get("email", ""), applicant_phone=params.get("phone", ""),
        problem_address=problem_address,
    )
    try:
        with transaction.atomic():
            appeal, created = appeal_receive_and_register(
                data=intake, idempotency_key=keys[0], looked_up=keys[0] not in found,
                verified_codes=frozenset({service.code}))
            if created:
                audit_record(action="open311.request_received", actor_kind=ActorKind.API_CLIENT, target=appeal,
                             after={"client": client.name, "key_id": client.key_id, "service_code": service.code},
                             request=request)
    except ValidationError as error:
        raise Open311Error(400, *_validation_descriptions(error)) from error
    mark_used(check)
    return _created_response(request, appeal, params, fmt)


def _created_response(request: HttpRequest, appeal: Appeal, params: dict[str, str], fmt: str) -> HttpResponse:
    document = serializers.created_document(appeal, zone=_zone(request), account_id=params.get("account_id"))
    return serializers.render([document], fmt, root="service_requests", item="request")


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    fmt = "xml" if path.endswith(".xml") else "json"
    return serializers.render_errors(fmt, 404, "No such Open311 resource: see /open311/discovery.json.")
