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
