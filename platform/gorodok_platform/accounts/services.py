"""Writes for accounts: creating staff with their roles, seeding the roles of a schema."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import connection, transaction

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import Role, roles_for_schema


def roles_seed(*, schema_name: str | None = None) -> list[Group]:
    """Create the groups for the roles of the current schema (idempotent)."""
    schema_name = schema_name or connection.schema_name
    return [Group.objects.get_or_create(name=code)[0] for code in roles_for_schema(schema_name)]


@transaction.atomic
def staff_user_create(
    *, email: str, password: str | None, roles: Iterable[str], full_name: str = ""
) -> User:
    allowed = set(roles_for_schema(connection.schema_name))
    wanted = [str(role) for role in roles]
    foreign = [role for role in wanted if role not in allowed]
    if foreign:
        raise ValueError(f"Roles {foreign} do not exist in schema {connection.schema_name!r}.")
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, is_staff=True,
        is_superuser=Role.MUNICIPAL_ADMIN in wanted or Role.REGIONAL_ADMIN in wanted,
    )
    roles_seed()
    user.groups.set(Group.objects.filter(name__in=wanted))
    return user
