"""Permission checks declared on fields and mutations."""

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


def check_roles(user, roles: Iterable[str]) -> None:
    """Raise the right error unless ``user`` holds at least one of ``roles`` (empty: any signed-in user)."""
    if user is None or not user.is_authenticated:
        raise NotAuthenticated(_("Sign in to perform this action."))
    roles = list(roles)
    if roles and not user.has_role(*roles):
        raise PermissionDenied(_("You do not have permission to perform this action."))


def roles_required(*roles: str) -> Callable:
    """Decorate a resolver so that only users with one of ``roles`` reach it."""

    def decorator(resolver: Callable) -> Callable:
        @wraps(resolver)
        def wrapper(root, info, *args, **kwargs):
            check_roles(info.context.user, roles)
            return resolver(root, info, *args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]
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
