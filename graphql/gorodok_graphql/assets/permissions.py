"""The API's side of the register's access rules: it asks ``gorodok_services.assets.permissions`` (the
one rule table every surface uses) about the request's actor and turns a refusal into coded errors."""

from __future__ import annotations

from gorodok_graphql.core.permissions import check_rule
from gorodok_services.assets.module import CODE as MODULE
from gorodok_services.assets.module import WRITE_SCOPE
from gorodok_services.assets.permissions import CHANGE, READ, RULES, assets_permit

__all__ = ["MODULE", "WRITE_ROLES", "check_assets_permission", "check_can_read_assets"]


def check_assets_permission(info, action: str) -> None:
    """Raise the API's coded error unless the request may do ``action``."""
    check_rule(info, RULES[action], lambda actor: assets_permit(actor, action))


def check_can_read_assets(info) -> None:
    check_assets_permission(info, READ)


# What the mutations declare (``Meta.roles``; their scope is the module's write scope), from the table.
WRITE_ROLES = tuple(sorted(str(role) for role in RULES[CHANGE].roles))
assert RULES[CHANGE].scopes == {WRITE_SCOPE}, "assets mutations declare the module's write scope"
