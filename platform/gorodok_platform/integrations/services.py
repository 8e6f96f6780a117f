"""Creating, changing, rotating and revoking API clients, in the current schema.

In the public schema a client is the committee's (regional): it reaches the regional API and the
municipalities whose schemas it names. In a municipality's schema it is that municipality's own and
names none. The token ``gk_<key_id>_<secret>`` is returned once; only the secret's hash is stored.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from gorodok_platform.audit.services import audit_record, snapshot
from gorodok_platform.integrations.models import TOKEN_PREFIX, ApiClient, all_scopes, hash_secret

NAME_MAX_LENGTH = ApiClient._meta.get_field("name").max_length
MAX_RATE_LIMIT_PER_MINUTE = 100_000
# The latest expiry a token may have: far enough for "never", and readable back from the database.
LATEST_EXPIRY = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Never copied into the audit log.
_SECRET_FIELDS = ("secret_hash",)


def is_regional_schema(schema_name: str | None = None) -> bool:
    return (schema_name or connection.schema_name) == get_public_schema_name()


def _audit_snapshot(client: ApiClient) -> dict:
    data = snapshot(client)
    for name in _SECRET_FIELDS:
        data.pop(name, None)
    return data


def _clean_scopes(scopes: Iterable[str], regional: bool) -> list[str]:
    values = []
    known = {s.code: s for s in all_scopes()}
    for scope in scopes or ():
        scope = str(getattr(scope, "value", scope))
        if scope not in known:
            raise ValidationError({"scopes": ValidationError(
                _("Unknown scope: %(scope)s.") % {"scope": scope}, code="invalid_scope")})
        if known[scope].regional_only and not regional:
            raise ValidationError({"scopes": ValidationError(
                _("The scope %(scope)s is for regional clients only.") % {"scope": scope}, code="invalid_scope")})
        if scope not in values:
            values.append(scope)
    if not values:
        raise ValidationError({"scopes": ValidationError(_("Give at least one scope."), code="required")})
    return sorted(values)


def _clean_municipalities(municipalities: Iterable[str], regional: bool) -> list[str]:
    schemas = []
    for schema in municipalities or ():
        schema = str(schema).strip()
        if not regional:
            raise ValidationError({"municipalities": ValidationError(
                _("Only a regional client names municipalities; this one belongs to its municipality."),
                code="invalid")})
        if not _SCHEMA_NAME.match(schema) or schema == get_public_schema_name():
            raise ValidationError({"municipalities": ValidationError(
                _("Not a municipality's schema: %(schema)s.") % {"schema": schema[:63]}, code="invalid")})
        if schema not in schemas:
            schemas.append(schema)
    return sorted(schemas)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ValidationError(_("Give the client a name."), code="required")})
    if len(name) > NAME_MAX_LENGTH or "\x00" in name:
        raise ValidationError({"name": ValidationError(
            _("At most %(limit)d characters.") % {"limit": NAME_MAX_LENGTH}, code="max_length")})
    return name


def _clean_expiry(expires_at: datetime | None) -> datetime | None:
    if expires_at is None:
        return None
    if timezone.is_naive(expires_at):
        raise ValidationError({"expires_at": ValidationError(_("Give the time with its UTC offset."),
                                                             code="invalid")})
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": ValidationError(_("The expiry must be in the future."),
                                                             code="invalid_expiry")})
    try:
        too_late = expires_at.astimezone(UTC) > LATEST_EXPIRY
    except OverflowError:
        too_late = True
    if too_late:
        # Stored in UTC, a later moment (9999-12-31T23:59:59-14:00 is year 10000) could not be read back.
        raise ValidationError({"expires_at": ValidationError(
            _("The expiry may be at most %(year)d-12-31.") % {"year": LATEST_EXPIRY.year}, code="invalid_expiry")})
    return expires_at


def _clean_rate_limit(value: int | None) -> int | None:
    if value is None:
        return None
    if not 1 <= value <= MAX_RATE_LIMIT_PER_MINUTE:
        raise ValidationError({"rate_limit_per_minute": ValidationError(
            _("Between 1 and %(limit)d requests per minute.") % {"limit": MAX_RATE_LIMIT_PER_MINUTE},
            code="invalid")})
    return value


def _token(key_id: str, secret: str) -> str:
    return f"{TOKEN_PREFIX}_{key_id}_{secret}"


def _new_key_id() -> str:
    # 48 random bits; a collision within one schema is refused by the unique index, so retry.
    for _attempt in range(5):
        key_id, _secret, _token_text = ApiClient.new_credentials()
        if not ApiClient.objects.filter(key_id=key_id).exists():
            return key_id
    raise RuntimeError("could not draw a free key id")  # pragma: no cover


_UNSET = object()
_CLEANERS = {
    "name": lambda value, regional: _clean_name(value),
    "scopes": _clean_scopes,
    "municipalities": _clean_municipalities,
    "expires_at": lambda value, regional: _clean_expiry(value),
    "rate_limit_per_minute": lambda value, regional: _clean_rate_limit(value),
}


def api_client_clean(*, regional: bool | None = None, **values) -> dict:
    """The given fields of a client checked and normalised, every problem at once: a ValidationError
    keyed by field otherwise. For the forms that create and change clients."""
    regional = is_regional_schema() if regional is None else regional
    cleaned, errors = {}, {}
    for name, value in values.items():
        if value is _UNSET:
            continue
        try:
            cleaned[name] = _CLEANERS[name](value, regional)
        except ValidationError as error:
            for field, messages in error.error_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _actor_email(actor) -> str:
    return getattr(actor, "email", "") if getattr(actor, "is_authenticated", False) else ""


@transaction.atomic
def api_client_create(
    *,
    name: str,
    scopes: Iterable[str],
    municipalities: Iterable[str] = (),
    expires_at: datetime | None = None,
    rate_limit_per_minute: int | None = None,
    created_by: str = "",
    actor=None,
) -> tuple[ApiClient, str]:
    """A new client of the current schema and its token (shown once: only its hash is kept)."""
    values = api_client_clean(name=name, scopes=scopes, municipalities=municipalities, expires_at=expires_at,
                              rate_limit_per_minute=rate_limit_per_minute)
    rate_limit = values.pop("rate_limit_per_minute")
    client = ApiClient(created_by=(created_by or _actor_email(actor))[:254], **values)
    if rate_limit is not None:
        client.rate_limit_per_minute = rate_limit
    client.key_id = _new_key_id()
    secret = secrets.token_urlsafe(32)
    client.secret_hash = hash_secret(secret)
    client.save()
    audit_record(action="api_client.create", actor=actor, target=client, after=_audit_snapshot(client))
    return client, _token(client.key_id, secret)


@transaction.atomic
def api_client_update(
    *,
    client: ApiClient,
    name=_UNSET,
    scopes=_UNSET,
    municipalities=_UNSET,
    expires_at=_UNSET,
    rate_limit_per_minute=_UNSET,
    actor=None,
) -> ApiClient:
    """Change what a client may do; the token stays the same. An unchanged expiry is not checked again
    (it may have passed since)."""
    before = _audit_snapshot(client)
    if expires_at is not _UNSET and expires_at == client.expires_at:
        expires_at = _UNSET
    values = api_client_clean(name=name, scopes=scopes, municipalities=municipalities, expires_at=expires_at,
                              rate_limit_per_minute=rate_limit_per_minute)
    if values.get("rate_limit_per_minute", 0) is None:
        del values["rate_limit_per_minute"]
    for field, value in values.items():
        setattr(client, field, value)
    client.save()
    audit_record(action="api_client.update", actor=actor, target=client, before=before,
                 after=_audit_snapshot(client))
    return client


@transaction.atomic
def api_client_rotate(*, client: ApiClient, actor=None) -> str:
    """A new secret for the client: the old token stops working at once. Returns the new token."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise ValidationError(_("A revoked client cannot get a new token."), code="revoked")
    secret = secrets.token_urlsafe(32)
    client.secret_hash = hash_secret(secret)
    client.save(update_fields=["secret_hash"])
    audit_record(action="api_client.rotate", actor=actor, target=client)
    return _token(client.key_id, secret)


@transaction.atomic
def api_client_revoke(*, client: ApiClient, actor=None) -> ApiClient:
    """Stop the client's token for good. Its record stays, for the audit log and its last use."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise ValidationError(_("The client is already revoked."), code="already_revoked")
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    audit_record(action="api_client.revoke", actor=actor, target=client, after=_audit_snapshot(client))
    return client
