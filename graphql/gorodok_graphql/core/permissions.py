"""Permission checks declared on fields and mutations.

Staff are checked by role, API clients (``request.api_client``, set by the bearer-token middleware)
by scope: a module's reads need ``<module>:read`` and its changes ``<module>:write``. Where no scope is
declared, the action is for staff only and a client gets PERMISSION_DENIED. A missing scope is
PERMISSION_DENIED with ``extensions.requiredScope``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.utils.translation import gettext as _

from gorodok_graphql.core.errors import NotAuthenticated, PermissionDenied
from graphql import GraphQLError


def user_has_any_role(user, roles: Iterable[str]) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.has_role(*roles)


def read_scope(module: str) -> str:
    return f"{module}:read"


def write_scope(module: str) -> str:
    return f"{module}:write"


def request_api_client(request):
    """The API client the request was authenticated as, or None for staff and anonymous requests."""
    return getattr(request, "api_client", None)


class ScopeRequired(GraphQLError):
    def __init__(self, scope: str):
        super().__init__(
            _("This API client lacks the %(scope)s scope.") % {"scope": scope},
            extensions={"code": "PERMISSION_DENIED", "requiredScope": scope},
        )


def check_client_scopes(client, scopes: Iterable[str]) -> None:
    """Raise unless the API client holds every one of ``scopes``; with none given, refuse: staff only."""
    scopes = list(scopes)
    if not scopes:
        raise PermissionDenied(_("This action is for staff only; API clients may not perform it."))
    for scope in scopes:
        if not client.has_scope(scope):
            raise ScopeRequired(scope)


def check_access(request, *, roles: Iterable[str] = (), scopes: Iterable[str] = ()) -> None:
    """Staff by ``roles`` (any one of them), an API client by ``scopes`` (all of them)."""
    client = request_api_client(request)
    if client is not None:
        check_client_scopes(client, scopes)
        return
    check_roles(getattr(request, "user", None), roles)


def check_roles(user, roles: Iterable[str]) -> None:
    """Raise the right error unless ``user`` holds at least one of ``roles`` (empty: any signed-in user)."""
    if user is None or not user.is_authenticated:
        raise NotAuthenticated(_("Sign in to perform this action."))
    roles = list(roles)
    if roles and not user.has_role(*roles):
        raise PermissionDenied(_("You do not have permission to perform this action."))


def roles_required(*roles: str, scopes: Iterable[str] = ()) -> Callable:
    """Decorate a resolver so that only users with one of ``roles`` (or API clients with all of
    ``scopes``; none given: no API client) reach it."""
    scopes = tuple(scopes)

    def decorator(resolver: Callable) -> Callable:
        @wraps(resolver)
        def wrapper(root, info, *args, **kwargs):
            check_access(info.context, roles=roles, scopes=scopes)
            return resolver(root, info, *args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]
        wrapper.required_scopes = scopes  # type: ignore[attr-defined]
        return wrapper

    return decorator


class ModuleDisabled(GraphQLError):
    def __init__(self, code: str):
        super().__init__(
            _("The %(module)s module is switched off for this municipality.") % {"module": code},
            extensions={"code": "MODULE_DISABLED", "module": code},
        )


def check_module(request, code: str) -> None:
    from gorodok_tenants.modules import module_enabled

    if not module_enabled(getattr(request, "tenant", None), code):
        raise ModuleDisabled(code)


def module_required(code: str) -> Callable:
    """Decorate a resolver of a module's field: a disabled module answers MODULE_DISABLED."""

    def decorator(resolver: Callable) -> Callable:
        @wraps(resolver)
        def wrapper(root, info, *args, **kwargs):
            check_module(info.context, code)
            return resolver(root, info, *args, **kwargs)

        wrapper.required_module = code  # type: ignore[attr-defined]
        return wrapper

    return decorator


def request_actor(request):
    """The API client the request authenticated as, else the signed-in user (or anonymous)."""
    return request_api_client(request) or getattr(request, "user", None)


def check_rule(info, rule, permit: Callable[[object], bool]) -> None:
    """Raise the API's coded error unless the request's actor satisfies a module's ``rule`` (asked
    through ``permit(actor)``): the missing scope for a client, NOT_AUTHENTICATED or PERMISSION_DENIED."""
    request = info.context
    actor = request_actor(request)
    if permit(actor):
        return
    client = request_api_client(request)
    if client is not None:
        missing = sorted(scope for scope in rule.scopes if not client.has_scope(scope))
        if missing:
            raise ScopeRequired(missing[0])
        raise PermissionDenied(_("This action is for staff only; API clients may not perform it."))
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated(_("Sign in to perform this action."))
    raise PermissionDenied(_("You do not have permission to perform this action."))
