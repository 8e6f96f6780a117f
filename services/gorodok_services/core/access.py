"""What every module's rule table is made of: a rule per action (staff by role, API clients by scope)
and the one way to judge an actor against it. Each module's ``permissions.py`` holds its own table."""

from __future__ import annotations

from dataclasses import dataclass

from gorodok_platform.accounts.roles import Role


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]  # staff holding any one of these
    scopes: frozenset[str]  # API clients holding all of these; empty: staff only


def actor_email(actor) -> str:
    """Who did it, as the history records: a signed-in person's e-mail, empty for the system, an
    anonymous caller or an API client."""
    return getattr(actor, "email", "") if getattr(actor, "is_authenticated", False) else ""


def is_api_client(actor) -> bool:
    """An API client (the model, or the request's authenticated client) is judged by its scopes."""
    return callable(getattr(actor, "has_scope", None))


def actor_roles(user) -> frozenset[str]:
    """The staff member's role codes, read once per user object (that is, once per request). A superuser
    (a regional support account in a support session) acts as the municipal administrator."""
    cached = getattr(user, "_gorodok_role_codes", None)
    if cached is None:
        if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
            cached = frozenset()
        else:
            cached = frozenset(user.role_codes) | ({str(Role.MUNICIPAL_ADMIN)} if user.is_superuser else set())
        user._gorodok_role_codes = cached
    return cached


def rule_permits(rule: Rule, actor) -> bool:
    """Whether ``actor`` (a staff user, an API client, anonymous or None) satisfies ``rule``."""
    if actor is None:
        return False
    if is_api_client(actor):
        return bool(rule.scopes) and all(actor.has_scope(scope) for scope in rule.scopes)
    return bool(actor_roles(actor) & {str(role) for role in rule.roles})
