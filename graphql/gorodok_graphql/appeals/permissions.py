"""The API's side of the appeals access rules: it asks ``gorodok_services.appeals.permissions`` (the
one rule table every surface uses) about the request's actor, an API client or a staff member, and
turns a refusal into the API's coded errors."""

from __future__ import annotations

from gorodok_graphql.core.permissions import check_rule, request_actor
from gorodok_services.appeals.module import CODE as MODULE
from gorodok_services.appeals.module import PERSONAL_DATA_SCOPE, READ_SCOPE, WRITE_SCOPE
from gorodok_services.appeals.permissions import (
    CHANGE,
    PERSONAL_DATA,
    READ,
    RULES,
    STATISTICS,
    appeals_permit,
)

__all__ = ["MODULE", "PERSONAL_DATA_SCOPE", "READ_SCOPE", "WRITE_ROLES", "WRITE_SCOPE", "can_see_personal_data",
           "check_appeals_permission", "check_can_read_appeals", "check_can_read_statistics"]


def check_appeals_permission(info, action: str) -> None:
    """Raise the API's coded error unless the request may do ``action``."""
    check_rule(info, RULES[action], lambda actor: appeals_permit(actor, action))


def check_can_read_appeals(info) -> None:
    check_appeals_permission(info, READ)


def check_can_change_appeals(info) -> None:
    check_appeals_permission(info, CHANGE)


def check_can_read_statistics(info) -> None:
    check_appeals_permission(info, STATISTICS)


def can_see_personal_data(info) -> bool:
    """Whether the request may read applicants' personal data (every such field asks this)."""
    return appeals_permit(request_actor(info.context), PERSONAL_DATA)


# What the mutations declare (``Meta.roles``; their scope is the module's write scope), from the table.
WRITE_ROLES = tuple(sorted(str(role) for role in RULES[CHANGE].roles))
assert RULES[CHANGE].scopes == {WRITE_SCOPE}, "appeals mutations declare the module's write scope"
