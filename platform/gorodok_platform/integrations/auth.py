"""Finding the API client a bearer token belongs to, and counting its requests.

A municipality's own client lives in its schema and is valid on its host only. A regional client lives
in the public schema and is valid on the region host and on the hosts of the municipalities whose
schemas it names. Clients are looked up through the cache, and saving or deleting one forgets its
entry, so a revoked or rotated token stops working at once.
"""

from __future__ import annotations

import contextlib
import hmac
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.integrations.models import TOKEN_PREFIX, ApiClient, hash_secret

# gk_<12 hex>_<43 urlsafe base64>; anything much longer is refused before it reaches the database.
MAX_TOKEN_LENGTH = 200
_TOKEN = re.compile(rf"^{TOKEN_PREFIX}_([0-9a-f]{{1,16}})_([A-Za-z0-9_\-]{{16,128}})$")
LAST_USED_RESOLUTION_SECONDS = 60
RATE_WINDOW_SECONDS = 60


class InvalidToken(Exception):
    """Why a token was refused: ``reason`` is one of the REASONS, for the error's extensions."""

    REASONS = ("malformed", "unknown", "expired", "revoked", "not_for_this_host")

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AuthenticatedClient:
    client: ApiClient
    home_schema: str  # the schema the client's record lives in

    @property
    def is_regional(self) -> bool:
        return self.home_schema == get_public_schema_name()

    @property
    def ident(self) -> str:
        """Unique across the region: the key id is unique only within its schema."""
        return f"{self.home_schema}:{self.client.key_id}"

    def has_scope(self, scope: str) -> bool:
        return self.client.has_scope(scope)


def parse_token(token: str) -> tuple[str, str]:
    """(key_id, secret) of a well-formed token; InvalidToken("malformed") otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("malformed")
    match = _TOKEN.match(token)
    if match is None:
        raise InvalidToken("malformed")
    return match.group(1), match.group(2)


_NO_CLIENT = "none"


def client_cache_key(key_id: str) -> str:
    # The cache adds the current schema to every key, so each schema has its own entries.
    return f"api-client:{key_id}"


def _client_by_key(key_id: str) -> ApiClient | None:
    """The client with this key id in the current schema, from the cache when possible: saving or
    deleting a client forgets its entry (signals), so a revoked or rotated token stops at once
    wherever the cache is shared (CACHE_URL); a per-process cache holds entries for a few seconds."""
    key = client_cache_key(key_id)
    cached = cache.get(key)
    if cached == _NO_CLIENT:
        return None
    if cached is not None:
        return cached
    client = ApiClient.objects.filter(key_id=key_id).first()
    cache.set(key, client if client is not None else _NO_CLIENT, settings.API_CLIENT_CACHE_SECONDS)
    return client


def _matching(key_id: str, secret: str) -> ApiClient | None:
    """The client of the current schema with this key id and secret."""
    client = _client_by_key(key_id)
    if client is None or not hmac.compare_digest(client.secret_hash, hash_secret(secret)):
        return None
    return client


def authenticate(token: str) -> AuthenticatedClient:
    """The client a token belongs to, for a request served in the current schema; InvalidToken otherwise."""
    key_id, secret = parse_token(token)
    public = get_public_schema_name()
    current = connection.schema_name
    client = _matching(key_id, secret)
    home = current
    if client is None and current != public:
        with schema_context(public):
            client = _matching(key_id, secret)
        home = public
        if client is not None and current not in (client.municipalities or []):
            raise InvalidToken("not_for_this_host")
    if client is None:
        raise InvalidToken("unknown")
    if client.revoked_at is not None:
        raise InvalidToken("revoked")
    if not client.is_usable():
        raise InvalidToken("expired")
    return AuthenticatedClient(client=client, home_schema=home)


def _in_home_schema(authenticated: AuthenticatedClient):
    """Cache keys carry the current schema; a client's counters are kept under its own schema, so a
    regional client has one counter whichever municipality's host it calls. Already there, nothing is
    switched: a needless switch makes django-tenants set the search path again before the next query."""
    if authenticated.home_schema == connection.schema_name:
        return contextlib.nullcontext()
    return schema_context(authenticated.home_schema)


def rate_limit_exceeded(authenticated: AuthenticatedClient, now: float | None = None) -> int | None:
    """Count one request in the client's current minute; the seconds to wait when over its limit."""
    now = time.time() if now is None else now
    window = int(now // RATE_WINDOW_SECONDS)
    key = f"api-client-rate:{authenticated.ident}:{window}"
    with _in_home_schema(authenticated):
        cache.add(key, 0, RATE_WINDOW_SECONDS * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, RATE_WINDOW_SECONDS * 2)
            count = 1
    if count <= authenticated.client.rate_limit_per_minute:
        return None
    return max(1, math.ceil((window + 1) * RATE_WINDOW_SECONDS - now))


def record_use(authenticated: AuthenticatedClient) -> None:
    """Remember when the client was last used, at most one write a minute."""
    with _in_home_schema(authenticated):
        if cache.add(f"api-client-used:{authenticated.ident}", True, LAST_USED_RESOLUTION_SECONDS):
            ApiClient.objects.filter(pk=authenticated.client.pk).update(last_used_at=timezone.now())
