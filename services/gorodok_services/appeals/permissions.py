"""Who may do what with appeals: the one rule table every surface asks (the back office, GraphQL,
Open311, downloads and exports).

Least privilege (152-FZ, 59-FZ art. 6): applicants' personal data only for the roles that work with
appeals (the municipal administrator and appeals officers); viewers follow appeals without personal
data; reporters get statistics, not appeals; asset managers nothing of appeals. An API client is
judged by its scopes instead of roles: it needs every scope its rule lists.
"""

from __future__ import annotations

from django.db.models import QuerySet

from gorodok_platform.accounts.roles import Role
from gorodok_services.appeals.module import APPEALS_OFFICER, PERSONAL_DATA_SCOPE, READ_SCOPE, WRITE_SCOPE
from gorodok_services.core.access import Rule, rule_permits
from gorodok_services.reporting.module import REPORTER

READ = "read"  # see that appeals exist, their content and progress
CHANGE = "change"  # register, route, extend, answer, close, attach, receive
PERSONAL_DATA = "personal_data"  # the applicant's name, identifiers, contacts; attachments
STATISTICS = "statistics"  # aggregate figures, no single appeal
SETTINGS = "settings"  # departments, deadline rules, numbering, retention


RULES: dict[str, Rule] = {
    READ: Rule(frozenset({Role.MUNICIPAL_ADMIN, APPEALS_OFFICER, Role.VIEWER}), frozenset({READ_SCOPE})),
    CHANGE: Rule(frozenset({Role.MUNICIPAL_ADMIN, APPEALS_OFFICER}), frozenset({WRITE_SCOPE})),
    PERSONAL_DATA: Rule(frozenset({Role.MUNICIPAL_ADMIN, APPEALS_OFFICER}),
                        frozenset({READ_SCOPE, PERSONAL_DATA_SCOPE})),
    STATISTICS: Rule(frozenset({Role.MUNICIPAL_ADMIN, APPEALS_OFFICER, Role.VIEWER, REPORTER}),
                     frozenset({READ_SCOPE})),
    SETTINGS: Rule(frozenset({Role.MUNICIPAL_ADMIN}), frozenset()),
}


def appeals_permit(actor, action: str) -> bool:
    """Whether ``actor`` (a staff user, an API client, anonymous or None) may do ``action``."""
    return rule_permits(RULES[action], actor)


def appeal_visible_to(actor) -> QuerySet:
    """The appeals ``actor`` may read: all of this municipality's, or none."""
    from gorodok_services.appeals.models import Appeal

    return Appeal.objects.all() if appeals_permit(actor, READ) else Appeal.objects.none()
