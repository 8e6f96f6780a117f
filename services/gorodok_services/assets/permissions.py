"""Who may do what with the property register: the one rule table every surface asks (the back
office, GraphQL, the import wizard, the extract downloads).

The register is public information about public property (the municipality publishes it), so every
municipal role that follows the municipality's work may read it; only the administrator and asset
managers change it; the numbering and threshold belong to the administrator. An API client is judged
by its scopes instead of roles: it needs every scope its rule lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from gorodok_platform.accounts.roles import Role
from gorodok_services.assets.module import ASSET_MANAGER, READ_SCOPE, WRITE_SCOPE
from gorodok_services.reporting.module import REPORTER

READ = "read"  # the register, its documents, encumbrances and history; the extract
CHANGE = "change"  # include, change, remove objects; holders, documents, encumbrances; import
SETTINGS = "settings"  # numbering, threshold of movable property


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]  # staff holding any one of these
    scopes: frozenset[str]  # API clients holding all of these; empty: staff only


RULES: dict[str, Rule] = {
    READ: Rule(frozenset({Role.MUNICIPAL_ADMIN, ASSET_MANAGER, Role.VIEWER, REPORTER}), frozenset({READ_SCOPE})),
    CHANGE: Rule(frozenset({Role.MUNICIPAL_ADMIN, ASSET_MANAGER}), frozenset({WRITE_SCOPE})),
    SETTINGS: Rule(frozenset({Role.MUNICIPAL_ADMIN}), frozenset()),
}


def is_api_client(actor) -> bool:
    """An API client (the model, or the request's authenticated client) is judged by its scopes."""
    return callable(getattr(actor, "has_scope", None))


def actor_roles(user) -> frozenset[str]:
    """The staff member's role codes (a superuser, i.e. a regional support account, acts as the
    administrator), read once per user object."""
    cached = getattr(user, "_gorodok_role_codes", None)
    if cached is None:
        if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
            cached = frozenset()
        else:
            cached = frozenset(user.role_codes) | ({str(Role.MUNICIPAL_ADMIN)} if user.is_superuser else set())
        user._gorodok_role_codes = cached
    return cached


def assets_permit(actor, action: str) -> bool:
    """Whether ``actor`` (a staff user, an API client, anonymous or None) may do ``action``."""
    rule = RULES[action]
    if actor is None:
        return False
    if is_api_client(actor):
        return bool(rule.scopes) and all(actor.has_scope(s) for s in rule.scopes)
    return bool(actor_roles(actor) & {str(role) for role in rule.roles})


def asset_visible_to(actor) -> QuerySet:
    from gorodok_services.assets.models import Asset

    return Asset.objects.all() if assets_permit(actor, READ) else Asset.objects.none()
