"""Who may do what with reports: the one rule table every surface asks (the back office, the console,
GraphQL, exports).

In a municipality, reporters and the municipal administrator fill and submit its reports; viewers see
them. In the region, analysts and administrators read campaigns and figures; only administrators
prepare templates and campaigns and return or accept submissions. An API client is judged by its
scopes: a municipality's clients with ``reports:write``, the region's with ``reports:read`` (and
``reports:manage`` to create and extend campaigns and to return or accept reports).
"""

from __future__ import annotations

from gorodok_platform.accounts.roles import Role
from gorodok_services.core.access import Rule, rule_permits
from gorodok_services.reporting.module import MANAGE_SCOPE, READ_SCOPE, REPORTER, WRITE_SCOPE

VIEW = "view"  # a municipality: its campaigns, deadlines and reports
FILL = "fill"  # a municipality: start, save, submit its reports
REGION_READ = "region_read"  # the region: templates, campaigns, progress, answers, aggregates, exports
REGION_MANAGE = "region_manage"  # the region: templates, campaigns, returning and accepting submissions


RULES: dict[str, Rule] = {
    VIEW: Rule(frozenset({Role.MUNICIPAL_ADMIN, REPORTER, Role.VIEWER}), frozenset({WRITE_SCOPE})),
    FILL: Rule(frozenset({Role.MUNICIPAL_ADMIN, REPORTER}), frozenset({WRITE_SCOPE})),
    REGION_READ: Rule(frozenset({Role.REGIONAL_ADMIN, Role.REGIONAL_ANALYST}), frozenset({READ_SCOPE})),
    REGION_MANAGE: Rule(frozenset({Role.REGIONAL_ADMIN}), frozenset({MANAGE_SCOPE})),
}
REGIONAL_ACTIONS = (REGION_READ, REGION_MANAGE)


def reporting_permit(actor, action: str) -> bool:
    """Whether ``actor`` (a staff user, an API client, anonymous or None) may do ``action``."""
    return rule_permits(RULES[action], actor)
