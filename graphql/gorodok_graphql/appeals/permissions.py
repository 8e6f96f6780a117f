"""The API's side of the appeals access rules: it asks ``gorodok_services.appeals.permissions`` (the
one rule table every surface uses) about the request's actor, an API client or a staff member, and
turns a refusal into the API's coded errors."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gorodok_graphql.core.errors import NotAuthenticated, PermissionDenied
from gorodok_graphql.core.permissions import ScopeRequired, request_api_client
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


def request_actor(request):
    """The API client the request authenticated as, else the signed-in user (or anonymous)."""
    return request_api_client(request) or getattr(request, "user", None)


def check_appeals_permission(info, action: str) -> None:
    """Raise the API's coded error unless the request may do ``action`` with appeals."""
    request = info.context
    actor = request_actor(request)
    if appeals_permit(actor, action):
        return
    client = request_api_client(request)
    if client is not None:
        missing = sorted(scope for scope in RULES[action].scopes if not client.has_scope(scope))
        if missing:
            raise ScopeRequired(missing[0])
        raise PermissionDenied(_("This action is for staff only; API clients may not perform it."))
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated(_("Sign in to perform this action."))
    raise PermissionDenied(_("You do not have permission to perform this action."))


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
