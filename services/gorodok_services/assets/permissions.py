"""Who may do what with the property register: the one rule table every surface asks (the back
office, GraphQL, the import wizard, the extract downloads).

The register is public information about public property (the municipality publishes it), so every
municipal role that follows the municipality's work may read it; only the administrator and asset
managers change it; the numbering and threshold belong to the administrator. An API client is judged
by its scopes instead of roles: it needs every scope its rule lists.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gorodok_platform.accounts.roles import Role
from gorodok_services.assets.module import ASSET_MANAGER, READ_SCOPE, WRITE_SCOPE
from gorodok_services.core.access import Rule, rule_permits
from gorodok_services.reporting.module import REPORTER

READ = "read"  # the register, its documents, encumbrances and history; the extract
CHANGE = "change"  # include, change, remove objects; holders, documents, encumbrances; import
SETTINGS = "settings"  # numbering, threshold of movable property


RULES: dict[str, Rule] = {
    READ: Rule(frozenset({Role.MUNICIPAL_ADMIN, ASSET_MANAGER, Role.VIEWER, REPORTER}), frozenset({READ_SCOPE})),
    CHANGE: Rule(frozenset({Role.MUNICIPAL_ADMIN, ASSET_MANAGER}), frozenset({WRITE_SCOPE})),
    SETTINGS: Rule(frozenset({Role.MUNICIPAL_ADMIN}), frozenset()),
}


def assets_permit(actor, action: str) -> bool:
    """Whether ``actor`` (a staff user, an API client, anonymous or None) may do ``action``."""
    return rule_permits(RULES[action], actor)


def asset_visible_to(actor) -> QuerySet:
    from gorodok_services.assets.models import Asset

    return Asset.objects.all() if assets_permit(actor, READ) else Asset.objects.none()
