"""Second factor for sign-in: a TOTP authenticator app, with one-time recovery codes.

``second_factor_missing`` is the one decision "does this signed-in person still owe a second factor
here?"; ``SecondFactorMiddleware`` asks it on every request, so every surface (the console, the API,
downloads, anything added later) sees such a person as anonymous.

A password alone never enrols an authenticator outside development: enrolment starts from a one-time
link (``enrolment_token_make``) that another administrator, or the operator, hands over out of band.
"""

from __future__ import annotations

import secrets
from io import BytesIO

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import connection, transaction
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


def second_factor_required_here(schema_name: str | None) -> bool:
    """Whether people signed in to ``schema_name`` need a second factor: the region's (public schema)
    staff do, outside development (``REQUIRE_REGIONAL_2FA``)."""
    from django_tenants.utils import get_public_schema_name

    return bool(settings.REQUIRE_REGIONAL_2FA) and schema_name == get_public_schema_name()


def second_factor_missing(user, *, schema_name: str | None = None) -> bool:
    """THE decision: ``user`` is signed in where a second factor is required and has not confirmed one
    in this session. Such a user acts for nobody: not in the console, the API, or a download."""
    if user is None or not user.is_authenticated:
        return False
    if not second_factor_required_here(schema_name if schema_name is not None else connection.schema_name):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def enrolment_link_required() -> bool:
    """Outside development an authenticator is enrolled only through a one-time enrolment link."""
    return bool(settings.REQUIRE_2FA_ENROLMENT_LINK)


class EnrolmentTokenGenerator(PasswordResetTokenGenerator):
    """One-time enrolment tokens: a token stops working once any authenticator of the user is created,
    confirmed or removed (following the link creates one), or the password changes. They expire like
    password-reset links (``PASSWORD_RESET_TIMEOUT``)."""

    key_salt = "gorodok_platform.accounts.two_factor.EnrolmentTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        devices = ",".join(f"{pk}:{confirmed}" for pk, confirmed in
                           TOTPDevice.objects.filter(user=user).order_by("pk").values_list("pk", "confirmed"))
        return f"{user.pk}{user.password}{user.is_active}{timestamp}{devices}"


enrolment_tokens = EnrolmentTokenGenerator()


def enrolment_token_make(user) -> str:
    return enrolment_tokens.make_token(user)


@transaction.atomic
def enrolment_start(*, user, token: str) -> TOTPDevice | None:
    """Spend an enrolment token: a fresh unconfirmed authenticator for ``user``, or None when the token
    is not (or no longer) valid."""
    if not user.is_active or not enrolment_tokens.check_token(user, token):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def has_confirmed_device(user) -> bool:
    return (TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            or StaticDevice.objects.filter(user=user, confirmed=True, token_set__isnull=False).exists())


def totp_device_for_setup(user) -> TOTPDevice:
    """The user's unconfirmed authenticator, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_confirm(*, user, token: str, device_id: int | None = None) -> tuple[TOTPDevice | None, list[str]]:
    """Confirm the authenticator with its first code; returns it and fresh recovery codes.

    With ``device_id`` (enrolment through a link) only that device is confirmed, and it replaces
    the user's other authenticators."""
    devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False)
    if device_id is not None:
        devices = devices.filter(pk=device_id)
    device = devices.first()
    if device is None or not device.verify_token(token.strip().replace(" ", "")):
        return None, []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    if device_id is not None:
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device, recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user) -> list[str]:
    """Replace the user's recovery codes with new ones (each works once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def verify_second_factor(*, user, token: str):
    """The device that accepts ``token`` (authenticator code or recovery code), or None."""
    return match_token(user, token.strip().replace(" ", ""))


def qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()
