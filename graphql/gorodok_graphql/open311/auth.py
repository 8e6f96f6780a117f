"""Checking an Open311 ``api_key``: an API client token ``gk_<key_id>_<secret>`` valid on this host.

The same rules as the bearer token of the GraphQL API (``gorodok_platform.integrations.auth``): a
municipality's own clients on its host only, the committee's regional clients on the hosts of the
municipalities they name; revoked and expired clients refused; one request budget per client."""

from __future__ import annotations

from dataclasses import dataclass

from gorodok_platform.integrations.auth import (
    AuthenticatedClient,
    InvalidToken,
    authenticate,
    rate_limit_exceeded,
    record_use,
)
from gorodok_platform.integrations.models import ApiClient
from gorodok_services.appeals.module import WRITE_SCOPE


class KeyProblem:
    INVALID = "invalid"
    UNUSABLE = "unusable"
    SCOPE = "scope"


@dataclass(frozen=True)
class KeyCheck:
    authenticated: AuthenticatedClient | None
    problem: str = ""

    @property
    def client(self) -> ApiClient | None:
        return self.authenticated.client if self.authenticated is not None else None


def check_api_key(token: str, scope: str = WRITE_SCOPE) -> KeyCheck:
    """The client behind ``token`` if it may act on this host with ``scope``; otherwise the problem.

    An unknown key, a wrong secret and a regional client that does not name this municipality are
    all the same ``invalid``: the answer does not tell which part was wrong."""
    try:
        authenticated = authenticate((token or "").strip())
    except InvalidToken as refusal:
        problem = KeyProblem.UNUSABLE if refusal.reason in ("expired", "revoked") else KeyProblem.INVALID
        return KeyCheck(authenticated=None, problem=problem)
    if not authenticated.has_scope(scope):
        return KeyCheck(authenticated=None, problem=KeyProblem.SCOPE)
    return KeyCheck(authenticated=authenticated)


def retry_after_if_limited(check: KeyCheck) -> int | None:
    """Count one request against the client's per-minute budget (shared with its GraphQL calls)."""
    return rate_limit_exceeded(check.authenticated)


def mark_used(check: KeyCheck) -> None:
    if check.authenticated is not None:
        record_use(check.authenticated)
