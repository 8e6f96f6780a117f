from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Audit entries are never changed or removed by the application."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    SUPPORT = "support", _("Regional support")
    SYSTEM = "system", _("System")
    API_CLIENT = "api_client", _("API client")


class AuditEntry(models.Model):
    """Who did what, when, to what, on which municipality, with the state before and after."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor_email = models.CharField(_("who"), max_length=254, blank=True)
    actor_kind = models.CharField(_("actor kind"), max_length=16, choices=ActorKind.choices,
                                  default=ActorKind.STAFF)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    tenant_schema = models.CharField(_("municipality schema"), max_length=63, blank=True, db_index=True)
    target_type = models.CharField(_("object type"), max_length=64, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email or self.actor_kind} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")
