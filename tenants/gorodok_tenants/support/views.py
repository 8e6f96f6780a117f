"""Support access on a municipality's host: the entry view and the middleware that ends access."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gorodok_platform.accounts.backends import SIGN_IN_BACKEND
from gorodok_tenants.console.sites import back_office
from gorodok_tenants.routing import is_region
from gorodok_tenants.support import services as support


def _refused(request: HttpRequest, refusal: support.SupportEntryRefused) -> HttpResponse:
    response = render(
        request, "gorodok_tenants/support/refused.html",
        {"code": refusal.code, "message": refusal.message}, status=403,
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_GET
def support_enter(request: HttpRequest, token: str) -> HttpResponse:
    """Follow a one-time support link: sign in as the municipality's support account until the session ends."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or is_region(tenant):
        return _refused(request, support.SupportEntryRefused(support.REFUSED_OTHER_MUNICIPALITY))
    try:
        with transaction.atomic():
            session, user = support.support_session_enter(token=token, tenant=tenant, request=request)
            login(request, user, backend=SIGN_IN_BACKEND)
            request.session[support.SESSION_KEY] = session.pk
            request.session.set_expiry(session.expires_at)
    except support.SupportEntryRefused as refusal:
        return _refused(request, refusal)
    until = formats.date_format(timezone.localtime(session.expires_at), "DATETIME_FORMAT")
    messages.info(request, _("You are in the back office as regional support until %(until)s. Reason: %(reason)s")
                  % {"until": until, "reason": session.reason}, fail_silently=True)
    response = redirect(reverse("admin:index", current_app=back_office.name))
    response["Referrer-Policy"] = "no-referrer"
    return response


class SupportAccessMiddleware:
    """Ends a support sign-in on a municipality's host once its support session expired or was ended.

    Goes after AuthenticationMiddleware and MessageMiddleware. Also signs out a support account that
    got in any other way than through an entry link (e.g. after someone gave it a password).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not is_region(tenant) and hasattr(request, "session"):
            self._check(request, tenant)
        return self.get_response(request)

    def _check(self, request: HttpRequest, tenant) -> None:
        session_id = request.session.get(support.SESSION_KEY)
        user = getattr(request, "user", None)
        is_support = user is not None and user.is_authenticated and support.is_support_user(user)
        if session_id is None and not is_support:
            return
        if is_support and session_id is not None and support.support_session_is_valid(
            session_id=session_id, tenant=tenant
        ):
            return
        logout(request)
        messages.warning(request, _("The support session has ended; regional support access is closed."),
                         fail_silently=True)
