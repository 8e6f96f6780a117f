"""The public status lookup is limited per client address: after a number of failed lookups the
address must wait. Counters live in the cache, whose keys carry the schema (one municipality's
lookups never count against another's).

An attempt is *reserved* before the access code is checked: the counter moves first, atomically
(``cache.incr``), and a lookup whose reservation goes past the limit is refused without checking
anything. A lookup that succeeds gives its reservation back. Concurrent requests (or many aliases of
``appealStatus`` in one request) can therefore never check more codes than the attempts left."""

from __future__ import annotations

import contextlib

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


def _increment(key: str) -> int:
    cache.add(key, 0, _window())
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, _window())
        return cache.incr(key)


def reserve_lookup(address: str) -> None:
    """Count one attempt for ``address`` before it is made; refuse when none is left."""
    if _increment(_key(address)) > _limit():
        raise RateLimited()


def release_lookup(address: str) -> None:
    """A lookup that found its appeal does not count as a failed attempt."""
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give back
        cache.decr(_key(address))
