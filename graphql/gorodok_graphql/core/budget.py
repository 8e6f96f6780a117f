"""A per-caller time budget for GraphQL: what the cost limit cannot foresee (a slow database, a large
municipality) is bounded by the time each caller actually spends.

Every request's duration is added to its caller's account for the current window (an API client by
its region-wide identity, a signed-in member of staff by schema and id, anyone else by address); once
the account reaches ``GRAPHQL_TIME_BUDGET_SECONDS``, the caller's requests answer 429
``TIME_BUDGET_EXCEEDED`` with ``Retry-After`` until the window of ``GRAPHQL_TIME_BUDGET_WINDOW_SECONDS``
ends. Accounts live in the cache (shared by every process with Redis)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def caller_key(request) -> str:
    client = getattr(request, "api_client", None)
    if client is not None:
        return f"client:{client.ident}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{connection.schema_name}:{user.pk}"
    return f"addr:{request.META.get('REMOTE_ADDR') or 'unknown'}"


def _window() -> int:
    return max(1, int(settings.GRAPHQL_TIME_BUDGET_WINDOW_SECONDS))


def _account(caller: str, now: float | None = None) -> tuple[str, int]:
    """The cache key of the caller's account in the current window, and the seconds left in it."""
    now = time.time() if now is None else now
    window = _window()
    start = int(now // window) * window
    return f"graphql-time:{caller}:{start}", max(1, int(start + window - now))


def budget_left_for(caller: str) -> int | None:
    """None when the caller may go on; otherwise the seconds until its budget is renewed."""
    key, remaining = _account(caller)
    spent_ms = cache.get(key) or 0
    if spent_ms >= settings.GRAPHQL_TIME_BUDGET_SECONDS * 1000:
        return remaining
    return None


def spend(caller: str, seconds: float) -> None:
    key, remaining = _account(caller)
    cache.add(key, 0, remaining + 1)
    try:
        cache.incr(key, max(1, int(seconds * 1000)))
    except ValueError:  # the window ended between add and incr
        cache.add(key, max(1, int(seconds * 1000)), _window())
