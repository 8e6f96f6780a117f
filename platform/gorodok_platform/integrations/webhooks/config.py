"""Webhook settings (all optional; see the package's description for their defaults)."""

from __future__ import annotations

from django.conf import settings


def setting(name: str, default):
    return getattr(settings, name, default)


def allow_private_targets() -> bool:
    return bool(setting("WEBHOOK_ALLOW_PRIVATE_TARGETS", setting("GORODOK_ENV", "production") != "production"))


def retry_options() -> dict:
    """Dramatiq options of a delivery message: bounded retries with exponential backoff."""
    return {
        "max_retries": int(setting("WEBHOOK_MAX_RETRIES", 8)),
        "min_backoff": int(setting("WEBHOOK_MIN_BACKOFF_MS", 10_000)),
        "max_backoff": int(setting("WEBHOOK_MAX_BACKOFF_MS", 1_500_000)),
    }
