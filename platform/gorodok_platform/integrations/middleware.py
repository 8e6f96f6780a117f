"""``Authorization: Bearer <token>`` on the API: who the client is, and whether it may ask now.

Goes after the tenant routing middleware (the tenant decides which clients are valid) and after the
authentication middlewares: a request with a bearer token is the client's alone, so the signed-in
user of any session cookie sent along is ignored. Every refusal is JSON in the GraphQL error shape:

- 401 ``INVALID_TOKEN`` (with ``WWW-Authenticate: Bearer``): malformed, unknown, expired, revoked, or
  not valid on this host; ``extensions.reason`` says which.
- 429 ``RATE_LIMITED`` (with ``Retry-After``): the client's requests per minute are used up.
"""

from __future__ import annotations

import structlog
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from gorodok_platform.integrations.auth import InvalidToken, authenticate, rate_limit_exceeded, record_use

DEFAULT_PATHS = ("/graphql/",)


def _messages() -> dict[str, str]:
    return {
        "malformed": _("The bearer token is malformed: expected gk_<key id>_<secret>."),
        "unknown": _("The bearer token is not valid."),
        "expired": _("The bearer token has expired."),
        "revoked": _("The bearer token has been revoked."),
        "not_for_this_host": _("The bearer token is not valid for this municipality."),
    }


def _error(status: int, code: str, message: str, **extensions) -> JsonResponse:
    return JsonResponse({"errors": [{"message": message, "extensions": {"code": code, **extensions}}]},
                        status=status)


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer`` header ("" when empty); None without one."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def _anonymous() -> AnonymousUser:
    user = AnonymousUser()
    # What django-otp's middleware gives every user, so code asking for a second factor gets a "no".
    user.otp_device = None
    user.is_verified = lambda: False
    return user


class ApiClientAuthenticationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = tuple(getattr(settings, "API_CLIENT_AUTH_PATHS", DEFAULT_PATHS))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.api_client = None
        if not request.path_info.startswith(self.paths):
            return self.get_response(request)
        token = bearer_token(request)
        if token is None:
            return self.get_response(request)
        # Never mix a token with a session: the client is not a member of staff.
        request.user = _anonymous()
        try:
            authenticated = authenticate(token)
        except InvalidToken as refusal:
            response = _error(401, "INVALID_TOKEN", _messages()[refusal.reason], reason=refusal.reason)
            response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        retry_after = rate_limit_exceeded(authenticated)
        if retry_after is not None:
            response = _error(
                429, "RATE_LIMITED",
                _("Too many requests: at most %(limit)d a minute. Try again in %(seconds)d seconds.")
                % {"limit": authenticated.client.rate_limit_per_minute, "seconds": retry_after},
                retryAfter=retry_after,
            )
            response["Retry-After"] = str(retry_after)
            return response
        record_use(authenticated)
        request.api_client = authenticated
        structlog.contextvars.bind_contextvars(api_client=authenticated.ident)
        return self.get_response(request)
