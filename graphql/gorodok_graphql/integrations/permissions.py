"""Who manages API clients: a municipality's administrators its own clients (tenant API), the
committee's administrators the regional clients (regional API). Roles exist only on their own side
(municipal roles in municipality schemas, regional ones in the public schema), so one tuple serves
both APIs. API clients never manage clients."""

from __future__ import annotations

from gorodok_graphql.core.permissions import check_access
from gorodok_platform.accounts.roles import Role

ADMIN_ROLES = (Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN)


def check_can_manage_clients(info) -> None:
    check_access(info.context, roles=ADMIN_ROLES)
