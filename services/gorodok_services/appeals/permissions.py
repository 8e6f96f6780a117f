"""Who may do what with appeals: the one rule table every surface asks (the back office, GraphQL,
Open311, downloads and exports).

Least privilege (152-FZ, 59-FZ art. 6): applicants' personal data only for the roles that work with
appeals (the municipal administrator and appeals officers); viewers follow appeals without personal
data; reporters get statistics, not appeals; asset managers nothing of appeals. An API client is
judged by its scopes instead of roles: it needs every scope its rule lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from gorodok_platform.accounts.roles import Role
from gorodok_services.appeals.module import APPEALS_OFFICER, PERSONAL_DATA_SCOPE, READ_SCOPE, WRITE_SCOPE
from gorodok_services.reporting.module import REPORTER

READ = "read"  # see that appeals exist, their content and progress
CHANGE = "change"  # register, route, extend, answer, close, attach, receive
PERSONAL_DATA = "personal_data"  # the applicant's name, identifiers, contacts; attachments
STATISTICS = "statistics"  # aggregate figures, no single appeal
SETTINGS = "settings"  # departments, deadline rules, numbering, retention


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]  # staff holding any one of these
    scopes: frozenset[str]  # API clients holding all of these; empty: staff only


RULES: dict[str, Rule] = {
    READ: Rule(frozenset({Role.MUNICIPAL_ADMIN, APPEALS_OFFICER, Role.VIEWER}), frozenset({READ_SCOPE})),
    CHANGE: Rule(frozenset({Role.MUNICIPAL_ADMIN, APPEALS_OFFICER}), frozenset({WRITE_SCOPE})),
    PERSONAL_DATA: Rule(frozenset({Role.MUNICIPAL_ADMIN, APPEALS_OFFICER}),
                        frozenset({READ_SCOPE, PERSONAL_DATA_SCOPE})),
    STATISTICS: Rule(frozenset({Role.MUNICIPAL_ADMIN, APPEALS_OFFICER, Role.VIEWER, REPORTER}),
                     frozenset({READ_SCOPE})),
    SETTINGS: Rule(frozenset({Role.MUNICIPAL_ADMIN}), frozenset()),
}


def is_api_client(actor) -> bool:
    """An API client (the model, or the request's authenticated client) is judged by its scopes."""
    return callable(getattr(actor, "has_scope", None))


def actor_roles(user) -> frozenset[str]:
    """The staff member's role codes, read once per user object (that is, once per request)."""
    cached = getattr(user, "_gorodok_role_codes", None)
    if cached is None:
        if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
            cached = frozenset()
        else:
            # A superuser (a regional support account in a support session) acts as the administrator.
            cached = frozenset(user.role_codes) | ({str(Role.MUNICIPAL_ADMIN)} if user.is_superuser else set())
        user._gorodok_role_codes = cached
    return cached


def appeals_permit(actor, action: str) -> bool:
    """Whether ``actor`` (a staff user, an API client, anonymous or None) may do ``action``."""
    rule = RULES[action]
    if actor is None:
        return False
    if is_api_client(actor):
        return bool(rule.scopes) and all(actor.has_scope(s) for s in rule.scopes)
    return bool(actor_roles(actor) & {str(role) for role in rule.roles})


def appeal_visible_to(actor) -> QuerySet:
    """The appeals ``actor`` may read: all of this municipality's, or none."""
    from gorodok_services.appeals.models import Appeal

    return Appeal.objects.all() if appeals_permit(actor, READ) else Appeal.objects.none()
