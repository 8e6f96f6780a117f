"""The roles Gorodok seeds, and which kind of schema each belongs to.

A role is a Django group named by its code. Municipal roles exist only in municipality schemas,
regional roles only in the public schema, so a role can never be granted on the wrong side.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MUNICIPAL_ADMIN = "municipal_admin", _("Municipal administrator")
    APPEALS_OFFICER = "appeals_officer", _("Appeals officer")
    ASSET_MANAGER = "asset_manager", _("Asset manager")
    REPORTER = "reporter", _("Reporter")
    VIEWER = "viewer", _("Viewer")
    REGIONAL_ADMIN = "regional_admin", _("Regional administrator")
    REGIONAL_ANALYST = "regional_analyst", _("Regional analyst")


MUNICIPAL_ROLES = (
    Role.MUNICIPAL_ADMIN,
    Role.APPEALS_OFFICER,
    Role.ASSET_MANAGER,
    Role.REPORTER,
    Role.VIEWER,
)
REGIONAL_ROLES = (Role.REGIONAL_ADMIN, Role.REGIONAL_ANALYST)


def roles_for_schema(schema_name: str, public_schema_name: str = "public") -> tuple[Role, ...]:
    return REGIONAL_ROLES if schema_name == public_schema_name else MUNICIPAL_ROLES
