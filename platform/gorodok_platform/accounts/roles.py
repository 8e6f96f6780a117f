"""The roles of Gorodok: the platform's own, and those the modules declare in their registry entries.

A role is a Django group named by its code. Municipal roles exist only in municipality schemas,
regional roles only in the public schema, so a role can never be granted on the wrong side.
Role codes are public contracts: they never change value.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gorodok_platform.modules import MUNICIPAL, REGIONAL, ModuleRole, module_roles


class Role(models.TextChoices):
    """The platform's own roles. A module's roles are declared by the module (e.g. appeals_officer)."""

    MUNICIPAL_ADMIN = "municipal_admin", _("Municipal administrator")
    VIEWER = "viewer", _("Viewer")
    REGIONAL_ADMIN = "regional_admin", _("Regional administrator")
    REGIONAL_ANALYST = "regional_analyst", _("Regional analyst")


CORE_ROLES = (
    ModuleRole(Role.MUNICIPAL_ADMIN.value, Role.MUNICIPAL_ADMIN.label, MUNICIPAL),
    ModuleRole(Role.VIEWER.value, Role.VIEWER.label, MUNICIPAL),
    ModuleRole(Role.REGIONAL_ADMIN.value, Role.REGIONAL_ADMIN.label, REGIONAL),
    ModuleRole(Role.REGIONAL_ANALYST.value, Role.REGIONAL_ANALYST.label, REGIONAL),
)
REGIONAL_ROLES = (Role.REGIONAL_ADMIN, Role.REGIONAL_ANALYST)


def all_roles() -> list[ModuleRole]:
    """Every role: the platform's, then the modules' (in module order)."""
    return [*CORE_ROLES, *module_roles()]


def role_codes() -> set[str]:
    return {role.code for role in all_roles()}


def role_label(code: str) -> str:
    return next((role.label for role in all_roles() if role.code == code), code)


def municipal_roles() -> tuple[str, ...]:
    return tuple(role.code for role in all_roles() if role.schema == MUNICIPAL)


def roles_for_schema(schema_name: str, public_schema_name: str = "public") -> tuple[str, ...]:
    kind = REGIONAL if schema_name == public_schema_name else MUNICIPAL
    return tuple(role.code for role in all_roles() if role.schema == kind)
