"""The second factor on every surface: who still owes it is anonymous to everything but its own page."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from gorodok_platform.accounts.two_factor import second_factor_missing

PENDING_ATTRIBUTE = "_second_factor_pending_user"


def _anonymous() -> AnonymousUser:
    user = AnonymousUser()
    user.otp_device = None
    user.is_verified = lambda: False
    return user


def _gate(request: HttpRequest, user, schema_name: str):
    if second_factor_missing(user, schema_name=schema_name):
        setattr(request, PENDING_ATTRIBUTE, user)
        return _anonymous()
    return user


def second_factor_pending_user(request: HttpRequest):
    """The person who signed in with a password here but still owes the second factor, or None.

    Only the sign-in steps (the login page and the second-factor page) may use it; every other view
    sees ``request.user`` as anonymous."""
    user = getattr(request, "user", None)
    if user is not None:
        user.is_authenticated  # noqa: B018 - evaluates the lazy user (and so the gate)
    return getattr(request, PENDING_ATTRIBUTE, None)


class SecondFactorMiddleware:
    """Goes right after django-otp's OTPMiddleware. Where a second factor is required (the region's
    staff outside development) and the session has not confirmed one, ``request.user`` is anonymous:
    the console, the regional API, downloads and whatever is added later all refuse it by themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        schema_name = getattr(tenant, "schema_name", None) or connection.schema_name
        if hasattr(request, "user"):
            request.user = SimpleLazyObject(partial(_gate, request, request.user, schema_name))
        return self.get_response(request)
