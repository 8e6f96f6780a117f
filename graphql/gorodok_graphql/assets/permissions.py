"""The API's side of the register's access rules: it asks ``gorodok_services.assets.permissions`` (the
one rule table every surface uses) about the request's actor and turns a refusal into coded errors."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gorodok_graphql.core.errors import NotAuthenticated, PermissionDenied
from gorodok_graphql.core.permissions import ScopeRequired, request_api_client
from gorodok_services.assets.module import CODE as MODULE
from gorodok_services.assets.module import WRITE_SCOPE
from gorodok_services.assets.permissions import CHANGE, READ, RULES, assets_permit

__all__ = ["MODULE", "WRITE_ROLES", "check_assets_permission", "check_can_read_assets"]


def request_actor(request):
    return request_api_client(request) or getattr(request, "user", None)


def check_assets_permission(info, action: str) -> None:
    request = info.context
    actor = request_actor(request)
    if assets_permit(actor, action):
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


def check_can_read_assets(info) -> None:
    check_assets_permission(info, READ)


# What the mutations declare (``Meta.roles``; their scope is the module's write scope), from the table.
WRITE_ROLES = tuple(sorted(str(role) for role in RULES[CHANGE].roles))
assert RULES[CHANGE].scopes == {WRITE_SCOPE}, "assets mutations declare the module's write scope"
