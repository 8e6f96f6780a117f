"""A municipality's reports, in its own schema: the submission it fills and the history of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gorodok_services.reporting.models import SubmissionStatus


class Submission(models.Model):
    # The campaign lives in the public schema; no database constraint crosses schemas.
    campaign = models.ForeignKey("reporting.Campaign", on_delete=models.DO_NOTHING, db_constraint=False,
                                 related_name="+", verbose_name=_("campaign"))
    status = models.CharField(_("status"), max_length=12, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.DRAFT)
    values = models.JSONField(_("values"), default=dict, blank=True)
    # What the report sources gave when the draft was started ({code: value}), and why a clerk changed one.
    prefilled = models.JSONField(_("pre-filled values"), default=dict, blank=True)
    reasons = models.JSONField(_("reasons for changing pre-filled values"), default=dict, blank=True)
    comment = models.TextField(_("committee's comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ("-created_at",)
        constraints = [models.UniqueConstraint(fields=("campaign",), name="reporting_submission_one_per_campaign")]

    def __str__(self) -> str:
        return str(self.campaign)


class SubmissionEvent(models.Model):
    """One change or transition of a submission: who, when, what (values before and after)."""

    class Kind(models.TextChoices):
        STARTED = "started", _("started")
        SAVED = "saved", _("saved")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        RESUBMITTED = "resubmitted", _("resubmitted")
        ACCEPTED = "accepted", _("accepted")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events",
                                   verbose_name=_("report"))
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("report history entry")
        verbose_name_plural = _("report history")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
