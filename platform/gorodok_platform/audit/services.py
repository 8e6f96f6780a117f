"""Recording audit entries. Call inside the transaction of the change, so both commit or neither."""

from __future__ import annotations

from typing import Any

import structlog
from django.db import connection
from django.forms.models import model_to_dict

from gorodok_platform.audit.models import ActorKind, AuditEntry
from gorodok_platform.client_address import client_address

_EXCLUDED_FIELDS = ("password",)


def snapshot(instance) -> dict[str, Any]:
    """A JSON-safe picture of a model instance's own fields, for ``before`` and ``after``."""
    data = model_to_dict(instance)
    for field in instance._meta.concrete_fields:
        if field.name in data:
            continue
        data[field.name] = field.value_from_object(instance)
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key in _EXCLUDED_FIELDS:
            continue
        if isinstance(value, list):
            value = [getattr(v, "pk", v) for v in value]
        clean[key] = value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)
    return clean


def audit_record(
    *,
    action: str,
    actor=None,
    actor_kind: str = ActorKind.STAFF,
    tenant_schema: str | None = None,
    target=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    request=None,
) -> AuditEntry:
    """Append an entry to the audit log of the current schema."""
    context = structlog.contextvars.get_contextvars()
    if actor is None or not getattr(actor, "is_authenticated", False):
        actor_email = ""
        if actor_kind == ActorKind.STAFF:
            actor_kind = ActorKind.SYSTEM
    else:
        actor_email = actor.email
    ip_address = None
    if request is not None:
        ip_address = client_address(request)
    return AuditEntry.objects.create(
        action=action,
        actor_email=actor_email,
        actor_kind=actor_kind,
        tenant_schema=tenant_schema if tenant_schema is not None else connection.schema_name,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        before=before,
        after=after,
        reason=reason,
        request_id=str(context.get("request_id", ""))[:64],
        ip_address=ip_address,
    )
