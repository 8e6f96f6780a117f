"""API clients by global ID, looked up in the schema of the request's host only: another
municipality's client (or a regional one, from a municipality's host) is simply not found."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from graphql_relay import from_global_id

from gorodok_platform.integrations.models import ApiClient

MAX_PK = 2**31 - 1


def api_client_from_global_id(global_id: str, field: str = "id") -> ApiClient:
    try:
        type_name, pk = from_global_id(global_id or "")
    except Exception:
        type_name, pk = "", ""
    if type_name != "ApiClient" or not pk.isascii() or not pk.isdigit() or not 0 < int(pk) <= MAX_PK:
        raise ValidationError({field: ValidationError(_("Not an API client ID."), code="invalid")})
    client = ApiClient.objects.filter(pk=int(pk)).first()
    if client is None:
        raise ValidationError({field: ValidationError(_("No such API client."), code="not_found")})
    return client
