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


class DeferredMessage(models.Model):
    """A job message the broker could not take when it was sent (down, frozen, or known to be down):
    kept in the public schema and sent by the scheduler as soon as the broker answers again."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    message_id = models.CharField(_("message id"), max_length=64, unique=True)
    actor_name = models.CharField(_("job"), max_length=200)
    queue_name = models.CharField(_("queue"), max_length=200)
    tenant_schema = models.CharField(_("municipality schema"), max_length=63, blank=True)
    message = models.JSONField(_("message"))
    error = models.CharField(_("error"), max_length=500, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("deferred job")
        verbose_name_plural = _("deferred jobs")
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.actor_name} @ {self.tenant_schema or 'public'}"


class SchedulerHeartbeat(models.Model):
    """The last state a scheduler process reported (one row per process, public schema): the console
    and /metrics read it, so an operator sees a scheduler that stopped ticking."""

    host = models.CharField(_("process"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=20)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    last_tick_at = models.DateTimeField(_("last successful tick"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("last error"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=500, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    errors_total = models.PositiveIntegerField(_("errors"), default=0)
    updated_at = models.DateTimeField(_("reported"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("scheduler")
        verbose_name_plural = _("schedulers")
        ordering = ("-updated_at",)

    def __str__(self) -> str:
        return self.host
