from django.db import models
from django.utils.translation import gettext_lazy as _


class JobPing(models.Model):
    """A diagnostic job's trace: proves a job ran, and in which schema."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    schema_seen = models.CharField(_("schema seen by the job"), max_length=63)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("job ping")
        verbose_name_plural = _("job pings")

    def __str__(self) -> str:
        return f"{self.token} @ {self.schema_seen}"


class FailedJob(models.Model):
    """A job that exhausted its retries, kept in the public schema for the regional console."""

    failed_at = models.DateTimeField(_("failed"), auto_now_add=True, db_index=True)
    actor_name = models.CharField(_("job"), max_length=200)
    queue_name = models.CharField(_("queue"), max_length=200)
    tenant_schema = models.CharField(_("municipality schema"), max_length=63, blank=True, db_index=True)
    message_id = models.CharField(_("message id"), max_length=64, unique=True)
    args = models.JSONField(_("arguments"), default=list)
    retries = models.PositiveIntegerField(_("retries"), default=0)
    error = models.TextField(_("error"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed job")
        verbose_name_plural = _("failed jobs")
        ordering = ("-failed_at",)

    def __str__(self) -> str:
        return f"{self.actor_name} @ {self.tenant_schema or 'public'}"
