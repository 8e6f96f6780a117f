"""API clients and webhooks. The app lives in every schema: a municipality's own clients in its
schema, the committee's (regional) clients in the public schema, each naming the municipalities it
may reach. The platform layer knows no municipality model, so those are schema names."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gorodok_platform.modules import ModuleScope, module_scopes

TOKEN_PREFIX = "gk"


class Scope(models.TextChoices):
    """The platform's own scopes; each module declares its own (e.g. appeals:read) in the registry."""

    REGION_READ = "region:read", _("read the region's municipalities and reports")
    WEBHOOKS = "webhooks", _("manage its webhook subscriptions")


CORE_SCOPES = (
    ModuleScope(Scope.REGION_READ.value, Scope.REGION_READ.label, regional_only=True),
    ModuleScope(Scope.WEBHOOKS.value, Scope.WEBHOOKS.label),
)


def all_scopes() -> list[ModuleScope]:
    """Every scope a client can hold: the modules' (in module order), then the platform's."""
    return [*module_scopes(), *CORE_SCOPES]


def scope_choices(*, regional: bool = True) -> list[tuple[str, str]]:
    return [(scope.code, scope.label) for scope in all_scopes() if regional or not scope.regional_only]


def hash_secret(secret: str) -> str:
    # Secrets are 256-bit random strings, so a fast hash is as strong as a slow one here, and every
    # API request can afford it.
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=200)
    key_id = models.CharField(_("key id"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    municipalities = models.JSONField(
        _("municipalities (schemas)"), default=list, blank=True,
        help_text=_("Regional clients only: the schemas of the municipalities it may reach."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    created_by = models.CharField(_("created by"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def new_credentials() -> tuple[str, str, str]:
        """(key_id, secret, token); the token ``gk_<key_id>_<secret>`` is shown once."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        return key_id, secret, f"{TOKEN_PREFIX}_{key_id}_{secret}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class WebhookSubscription(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="subscriptions")
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=128, editable=False)
    events = models.JSONField(_("events"), default=list, help_text=_("e.g. appeal.registered; empty: all"))
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class OutboxEvent(models.Model):
    """An event written in the same transaction as the change it reports; delivered afterwards."""

    event_id = models.UUIDField(unique=True)
    event_type = models.CharField(_("event"), max_length=64, db_index=True)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox")
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class WebhookDelivery(models.Model):
    """One attempt to deliver one event to one subscription, logged in the subscription's schema.

    The event is named by its id and schema rather than by a foreign key: a regional client's
    subscription (public schema) receives the events of the municipalities it lists, whose outboxes
    live in their own schemas."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_uuid = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event"), max_length=64, blank=True)
    event_schema = models.CharField(_("schema of the event"), max_length=63, blank=True)
    attempt = models.PositiveIntegerField(default=1)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    delivered = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("subscription", "event_uuid"), name="webhook_delivery_sub_event")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_uuid} → {self.subscription} #{self.attempt}"
