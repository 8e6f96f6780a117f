"""Open311 over HTTP: an API client's key, GET and POST of the GeoReport endpoints."""

from __future__ import annotations

import json

from django_tenants.utils import schema_context

from gorodok_platform.integrations.models import ApiClient, hash_secret
from tests.support.appeals import ROAD

PERSON = {"first_name": "Иван", "last_name": "Петров", "email": "petrov@example.ru", "phone": "+7 913 000-11-22"}


def api_client(tenant, scopes=("appeals:write",), schema: str | None = None, **fields) -> str:
    """An API client in the municipality's schema (or ``schema``); returns its token."""
    with schema_context(schema or tenant.schema_name):
        key_id, secret, token = ApiClient.new_credentials()
        ApiClient.objects.create(name="Городской портал 311", key_id=key_id, secret_hash=hash_secret(secret),
                                 scopes=list(scopes), **fields)
    return token


def get(client, tenant, path: str, **params):
    response = client.get(f"/open311/{path}", params, HTTP_HOST=tenant.host)
    return response.status_code, json.loads(response.content)


def post(client, tenant, token: str | None, **params):
    data = {"service_code": ROAD, "address_string": "ул. Ленина, 12", "description": "Глубокая яма у остановки",
            **PERSON, **params}
    if token is not None:
        data["api_key"] = token
    data = {key: value for key, value in data.items() if value is not None}
    response = client.post("/open311/v2/requests.json", data, HTTP_HOST=tenant.host)
    return response.status_code, json.loads(response.content)
