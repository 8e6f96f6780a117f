"""API clients by global ID (see ``gorodok_graphql.core.ids``), looked up in the schema of the
request's host only: another municipality's client (or a regional one, from a municipality's host) is
simply not found."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gorodok_graphql.core.ids import object_from_global_id
from gorodok_platform.integrations.models import ApiClient


def api_client_from_global_id(global_id: str, field: str = "id") -> ApiClient:
    return object_from_global_id(global_id, "ApiClient", ApiClient, field=field, message=_("No such API client."))
