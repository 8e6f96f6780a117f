"""The public status lookup is limited per client address: after a number of failed lookups the
address must wait. Counters live in the cache, whose keys carry the schema (one municipality's
lookups never count against another's)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from gorodok_platform.client_address import client_address as resolve_client_address
from graphql import GraphQLError


def _limit() -> int:
    return getattr(settings, "APPEAL_STATUS_LOOKUP_ATTEMPTS", 10)


def _window() -> int:
    return getattr(settings, "APPEAL_STATUS_LOOKUP_SECONDS", 600)


def _key(address: str) -> str:
    return f"appeal-status-failures:{address}"


def client_address(request) -> str:
    return resolve_client_address(request) or "unknown"


class RateLimited(GraphQLError):
    def __init__(self):
        minutes = max(1, _window() // 60)
        super().__init__(
            _("Too many failed lookups. Wait %(minutes)d minutes and try again.") % {"minutes": minutes},
            extensions={"code": "RATE_LIMITED", "retryAfter": _window()},
        )


def check_lookup_allowed(address: str) -> None:
    if (cache.get(_key(address)) or 0) >= _limit():
        raise RateLimited()


def lookup_failed(address: str) -> None:
    key = _key(address)
    cache.add(key, 0, _window())
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, _window())
