"""The console's second sign-in step: set up an authenticator once, then enter its code each time.

Outside development an authenticator is set up only after following a one-time enrolment link that
another regional administrator issued (or the operator printed with ``manage.py
two_factor_enrolment_link``): a password alone can never enrol a device."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gorodok_platform.accounts.middleware import second_factor_pending_user
from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.throttling import signin_blocked, signin_failed, signin_succeeded
from gorodok_platform.accounts.two_factor import (
    enrolment_link_required,
    enrolment_start,
    enrolment_token_make,
    enrolment_tokens,
    has_confirmed_device,
    qr_svg,
    totp_confirm,
    totp_device_for_setup,
    verify_second_factor,
)
from gorodok_platform.audit.services import audit_record
from gorodok_platform.client_address import client_address

ENROLMENT_SESSION_KEY = "gorodok_two_factor_enrolment"


class CodeForm(forms.Form):
    token = forms.CharField(label=_("Code"), max_length=16,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}))


def enrolment_path(user) -> str:
    """The path (on the region host) of a one-time link that lets ``user`` set up an authenticator."""
    from gorodok_tenants.console.sites import region_console

    return reverse(f"{region_console.name}:two_factor_enrol", urlconf=settings.PUBLIC_SCHEMA_URLCONF,
                   kwargs={"uidb64": urlsafe_base64_encode(str(user.pk).encode()),
                           "token": enrolment_token_make(user)})


def _enrolment_device(request, user) -> TOTPDevice | None:
    """The authenticator this session may confirm for ``user``, opened by following an enrolment link."""
    grant = request.session.get(ENROLMENT_SESSION_KEY) or {}
    if grant.get("user") != user.pk:
        return None
    return TOTPDevice.objects.filter(user=user, pk=grant.get("device"), confirmed=False).first()


@never_cache
def enrol_view(request, site, uidb64: str, token: str):
    """Follow a one-time enrolment link: this browser may set up the account's authenticator.

    Opening the link only shows a button; pressing it spends the link, so a mail scanner or a chat
    preview that fetches the address does not use it up."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    context = {**site.each_context(request), "title": _("Two-factor sign-in")}
    refused = {**context, "message": _("This enrolment link is not valid: it was used already, has expired, or "
                                       "was replaced. Ask another regional administrator for a new one.")}
    if request.method != "POST":
        valid = user is not None and user.is_active and enrolment_tokens.check_token(user, token)
        response = TemplateResponse(request, "gorodok_tenants/console/two_factor.html",
                                    {**context, "enrolment_email": user.email} if valid else refused,
                                    status=200 if valid else 403)
    else:
        device = enrolment_start(user=user, token=token) if user is not None else None
        if device is None:
            response = TemplateResponse(request, "gorodok_tenants/console/two_factor.html", refused, status=403)
        else:
            request.session[ENROLMENT_SESSION_KEY] = {"user": user.pk, "device": device.pk}
            audit_record(action="user.two_factor_enrolment_link_used", actor=None, target=user, request=request)
            response = redirect(reverse(f"{site.name}:two_factor"))
    response["Referrer-Policy"] = "no-referrer"
    return response


def two_factor_view(request, site):
    pending = second_factor_pending_user(request)
    user = pending or request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse(f"{site.name}:login"))
    next_url = request.POST.get("next") or request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/admin/"
    enrolment_device = _enrolment_device(request, user)
    setting_up = enrolment_device is not None or not has_confirmed_device(user)
    may_enrol = enrolment_device is not None or not enrolment_link_required()
    form = CodeForm(request.POST or None)
    context = {**site.each_context(request), "title": _("Two-factor sign-in"), "form": form, "next": next_url,
               "setting_up": setting_up, "may_enrol": may_enrol, "recovery_codes": None}
    if setting_up and not may_enrol:
        context["message"] = _("Your account has no authenticator yet. Setting one up needs a one-time enrolment "
                               "link: ask another regional administrator to issue one for you.")
        return TemplateResponse(request, "gorodok_tenants/console/two_factor.html", context,
                                status=403 if request.method == "POST" else 200)
    address = client_address(request)
    throttle_key = f"2fa:{user.email}"
    if request.method == "POST" and form.is_valid():
        if signin_blocked(throttle_key, address):
            form.add_error("token", _("Too many wrong codes. Wait a few minutes and try again."))
        elif setting_up:
            device, codes = totp_confirm(user=user, token=form.cleaned_data["token"],
                                         device_id=enrolment_device.pk if enrolment_device else None)
            if device is not None:
                request.user = user
                otp_login(request, device)
                request.session.pop(ENROLMENT_SESSION_KEY, None)
                signin_succeeded(throttle_key)
                audit_record(action="user.two_factor_enrol", actor=user, target=user, request=request)
                context.update(recovery_codes=codes, setting_up=False)
                return TemplateResponse(request, "gorodok_tenants/console/two_factor.html", context)
            signin_failed(throttle_key, address)
            form.add_error("token", _("That code is not right. Check the time on your phone and try again."))
        else:
            device = verify_second_factor(user=user, token=form.cleaned_data["token"])
            if device is not None:
                request.user = user
                otp_login(request, device)
                signin_succeeded(throttle_key)
                return redirect(next_url)
            signin_failed(throttle_key, address)
            form.add_error("token", _("That code is not right."))
    if setting_up:
        device = enrolment_device or totp_device_for_setup(user)
        context["otpauth_uri"] = device.config_url
        context["qr_svg"] = mark_safe(qr_svg(device.config_url))  # noqa: S308 - generated by qrcode, not input
    return TemplateResponse(request, "gorodok_tenants/console/two_factor.html", context)
