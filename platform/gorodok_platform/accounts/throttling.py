"""Sign-in throttling: after a few failures an account (or an address) must wait.

Counters live in the cache, whose keys carry the schema, so one municipality's attempts never count
against another's accounts. Production uses a shared cache (CACHE_URL) so every process agrees.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gorodok_platform.client_address import client_address


def _keys(username: str, address: str | None) -> list[tuple[str, int]]:
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    keys = [(f"signin-failures:user:{username.strip().lower()}", limit)]
    if address:
        keys.append((f"signin-failures:address:{address}", limit * 4))
    return keys


def signin_blocked(username: str, address: str | None) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(username, address))


def signin_failed(username: str, address: str | None) -> None:
    for key, _limit in _keys(username, address):
        cache.add(key, 0, settings.LOGIN_THROTTLE_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_THROTTLE_SECONDS)


def signin_succeeded(username: str) -> None:
    cache.delete(_keys(username, None)[0][0])


class ThrottledAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": _("Too many failed sign-in attempts. Wait %(minutes)d minutes and try again."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else None
        if signin_blocked(username, address):
            raise ValidationError(self.error_messages["throttled"], code="throttled",
                                  params={"minutes": max(1, settings.LOGIN_THROTTLE_SECONDS // 60)})
        try:
            cleaned = super().clean()
        except ValidationError:
            signin_failed(username, address)
            raise
        signin_succeeded(username)
        return cleaned
