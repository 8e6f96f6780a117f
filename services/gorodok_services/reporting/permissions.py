"""Who may do what with reports: the one rule table every surface asks (the back office, the console,
GraphQL, exports).

In a municipality, reporters and the municipal administrator fill and submit its reports; viewers see
them. In the region, analysts and administrators read campaigns and figures; only administrators
prepare templates and campaigns and return or accept submissions. An API client is judged by its
scopes: a municipality's clients with ``reports:write``, the region's with ``reports:read``.
"""

from __future__ import annotations

from dataclasses import dataclass

from gorodok_platform.accounts.roles import Role
from gorodok_services.reporting.module import READ_SCOPE, REPORTER, WRITE_SCOPE

VIEW = "view"  # a municipality: its campaigns, deadlines and reports
FILL = "fill"  # a municipality: start, save, submit its reports
REGION_READ = "region_read"  # the region: templates, campaigns, progress, answers, aggregates, exports
REGION_MANAGE = "region_manage"  # the region: templates, campaigns, returning and accepting submissions


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]  # staff holding any one of these
    scopes: frozenset[str]  # API clients holding all of these; empty: staff only


RULES: dict[str, Rule] = {
    VIEW: Rule(frozenset({Role.MUNICIPAL_ADMIN, REPORTER, Role.VIEWER}), frozenset({WRITE_SCOPE})),
    FILL: Rule(frozenset({Role.MUNICIPAL_ADMIN, REPORTER}), frozenset({WRITE_SCOPE})),
    REGION_READ: Rule(frozenset({Role.REGIONAL_ADMIN, Role.REGIONAL_ANALYST}), frozenset({READ_SCOPE})),
    REGION_MANAGE: Rule(frozenset({Role.REGIONAL_ADMIN}), frozenset()),
}
REGIONAL_ACTIONS = (REGION_READ, REGION_MANAGE)


def is_api_client(actor) -> bool:
    return callable(getattr(actor, "has_scope", None))


def actor_roles(user) -> frozenset[str]:
    """The staff member's role codes, read once per user object (that is, once per request)."""
    cached = getattr(user, "_gorodok_reporting_roles", None)
    if cached is None:
        if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
            cached = frozenset()
        else:
            superuser = {str(Role.MUNICIPAL_ADMIN), str(Role.REGIONAL_ADMIN)} if user.is_superuser else set()
            cached = frozenset(user.role_codes) | superuser
        user._gorodok_reporting_roles = cached
    return cached


def reporting_permit(actor, action: str) -> bool:
    """Whether ``actor`` (a staff user, an API client, anonymous or None) may do ``action``. The caller
    is on the side the action belongs to: a municipality's staff exist only in its schema, the
    region's only in public, so a municipal role can never reach a regional action."""
    rule = RULES[action]
    if actor is None:
        return False
    if is_api_client(actor):
        return bool(rule.scopes) and all(actor.has_scope(s) for s in rule.scopes)
    return bool(actor_roles(actor) & {str(role) for role in rule.roles})
