"""Who may read appeals, who may change them and who may see the applicant's personal data.

The roles of the signed-in user are read once per request and kept on the request, so a list of a
hundred appeals asks the database about roles once, not once per appeal. An API client is judged by
its scopes instead: appeals:read to read, appeals:write to change (every appeals mutation, through
BaseMutation's ``Meta.module``), appeals:personal_data to see applicants.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gorodok_graphql.core.errors import NotAuthenticated, PermissionDenied
from gorodok_graphql.core.permissions import check_client_scopes, request_api_client
from gorodok_platform.accounts.roles import MUNICIPAL_ROLES, Role
from gorodok_platform.integrations.models import Scope

MODULE = "appeals"
READ_SCOPE = Scope.APPEALS_READ.value
WRITE_SCOPE = Scope.APPEALS_WRITE.value
PERSONAL_DATA_SCOPE = Scope.APPEALS_PERSONAL_DATA.value

# Any municipal role may see that appeals exist and how they progress.
READ_ROLES = tuple(str(role) for role in MUNICIPAL_ROLES)
# Back-office actions: registering, routing, extending, answering, closing.
WRITE_ROLES = (Role.APPEALS_OFFICER, Role.MUNICIPAL_ADMIN)
# The applicant's name, contacts and identifiers (59-FZ art. 6): the roles that work with appeals.
PERSONAL_DATA_ROLES = frozenset(
    str(role) for role in (Role.MUNICIPAL_ADMIN, Role.APPEALS_OFFICER, Role.VIEWER, Role.REPORTER)
)


def request_roles(info) -> frozenset[str]:
    """The signed-in user's role codes, read once per request."""
    request = info.context
    cached = getattr(request, "_gorodok_role_codes", None)
    if cached is None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            cached = frozenset()
        else:
            cached = frozenset(user.role_codes)
        request._gorodok_role_codes = cached
    return cached


def check_can_read_appeals(info) -> None:
    """Staff of this municipality with any municipal role, or an API client with appeals:read;
    otherwise a coded error."""
    client = request_api_client(info.context)
    if client is not None:
        check_client_scopes(client, (READ_SCOPE,))
        return
    user = getattr(info.context, "user", None)
    if user is None or not user.is_authenticated:
        raise NotAuthenticated(_("Sign in to perform this action."))
    if not request_roles(info) & set(READ_ROLES):
        raise PermissionDenied(_("You do not have permission to perform this action."))


def can_see_personal_data(info) -> bool:
    """Whether the request may read applicants' personal data.

    The single place that decides it, and every field with personal data asks this function: staff
    by role, an API client by the appeals:personal_data scope (with appeals:read)."""
    client = request_api_client(info.context)
    if client is not None:
        return client.has_scope(READ_SCOPE) and client.has_scope(PERSONAL_DATA_SCOPE)
    return bool(request_roles(info) & PERSONAL_DATA_ROLES)
