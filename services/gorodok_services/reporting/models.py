"""The region's side of reporting, in the public schema: templates and their versions, campaigns,
the copy of each municipality's submission (its status always, its values once submitted) and the
standing indicators. Region-wide figures are read from these rows, never by visiting schemas."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gorodok_services.reporting import error_codes


class ReportTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=300)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ("title",)

    def __str__(self) -> str:
        return self.title


class TemplateVersion(models.Model):
    """One version of a template. A published version never changes: a new version is a copy."""

    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="versions",
                                 verbose_name=_("template"))
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ("template", "-number")
        constraints = [models.UniqueConstraint(fields=("template", "number"), name="reporting_version_unique")]

    def __str__(self) -> str:
        return f"{self.template} · v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise ValidationError(_("A published template version never changes; make a new version."),
                                  code=error_codes.VERSION_PUBLISHED)
        super().save(*args, **kwargs)

    @property
    def parsed(self):
        """The definition read into fields and rules; a published version's once per process (it never
        changes: ``save`` refuses), a draft's once per object."""
        from gorodok_services.reporting.definition import parse_definition

        cached = getattr(self, "_parsed", None)
        if cached is None:
            key = (self.pk, self.published_at) if self.pk is not None and self.published_at is not None else None
            cached = _PUBLISHED_PARSED.get(key) if key else None
            if cached is None:
                cached = parse_definition(self.definition)
                if key:
                    if len(_PUBLISHED_PARSED) >= _PUBLISHED_PARSED_LIMIT:
                        _PUBLISHED_PARSED.clear()
                    _PUBLISHED_PARSED[key] = cached
            self._parsed = cached
        return cached


_PUBLISHED_PARSED: dict = {}  # (version id, published at) -> its parsed definition
_PUBLISHED_PARSED_LIMIT = 256


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Audience(models.TextChoices):
    ALL = "all", _("All municipalities")
    KIND = "kind", _("Municipalities of one kind")
    LIST = "list", _("Listed municipalities")


class Campaign(models.Model):
    """A template version sent to municipalities for a period, with a deadline."""

    version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="campaigns",
                                verbose_name=_("template version"))
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    deadline = models.DateField(_("deadline"))
    audience = models.CharField(_("municipalities asked"), max_length=8, choices=Audience.choices,
                                default=Audience.ALL)
    audience_kind = models.CharField(_("kind of municipality"), max_length=32, blank=True)
    municipalities = models.ManyToManyField("gorodok_tenants.Municipality", blank=True, related_name="+",
                                            verbose_name=_("listed municipalities"))
    status = models.CharField(_("status"), max_length=8, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report campaign")
        verbose_name_plural = _("report campaigns")
        ordering = ("-deadline", "-pk")

    def __str__(self) -> str:
        return self.title


class SubmissionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


DELIVERED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)


class SubmissionCopy(models.Model):
    """A municipality's place in a campaign as the region sees it: the status of its submission and,
    once submitted, a copy of its values (the original stays in the municipality's schema)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="copies",
                                 verbose_name=_("campaign"))
    municipality = models.ForeignKey("gorodok_tenants.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"))
    status = models.CharField(_("status"), max_length=12, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.NOT_STARTED)
    values = models.JSONField(_("values"), default=dict, blank=True)
    comment = models.TextField(_("committee's comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ("campaign", "municipality__name")
        constraints = [models.UniqueConstraint(fields=("campaign", "municipality"), name="reporting_copy_unique")]
        indexes = [models.Index(fields=("campaign", "status"), name="reporting_copy_status")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.municipality_id}"


class CampaignFigures(models.Model):
    """The campaign's aggregates over every submitted or accepted copy, kept in the public schema.

    ``revision`` moves with every change to a municipality's status or values in the campaign, in the
    change's own transaction (a row of its own, so that the committee's locks on the campaign and the
    municipalities' locks on their copies never wait on each other through it). The figures are
    computed after a change (by a job, or by the first reader that finds them behind) and kept with the
    revision they were computed at; the committee's pages and the regional API read this one row
    instead of every copy while the two revisions agree."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, primary_key=True, related_name="figures",
                                    verbose_name=_("campaign"))
    revision = models.PositiveBigIntegerField(_("revision of the copies"), default=0)
    computed_revision = models.PositiveBigIntegerField(_("revision of the figures"), null=True, blank=True)
    delivered = models.PositiveIntegerField(_("reports counted"), null=True, blank=True)
    figures = models.JSONField(_("figures"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign figures")
        verbose_name_plural = _("campaign figures")

    def __str__(self) -> str:
        return f"{self.campaign_id} · r{self.computed_revision}/{self.revision}"


class Indicator(models.Model):
    """A standing region-wide figure: one report source of one municipality for one period."""

    municipality = models.ForeignKey("gorodok_tenants.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"))
    key = models.CharField(_("report source"), max_length=100)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=5)
    refreshed_at = models.DateTimeField(_("refreshed"))

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=("municipality", "key", "period_start", "period_end"),
                                               name="reporting_indicator_unique")]
        indexes = [models.Index(fields=("key", "period_start"), name="reporting_indicator_key")]

    def __str__(self) -> str:
        return f"{self.key} {self.period_start}–{self.period_end}"


class SummaryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def summary_file_path(instance: AppealsSummary, filename: str) -> str:
    # The storage puts it under the public schema's folder; the name is ours, never the caller's.
    suffix = filename.rsplit(".", 1)[-1].lower()
    return f"reporting/appeals-summaries/{instance.pk}-{instance.token}.{suffix[:4]}"


class AppealsSummary(models.Model):
    """The region-wide summary of citizens' appeals for a period, in the layout of a municipality's own:
    one row per municipality and the region's total, made from each municipality's report sources by a
    job (or at once for a small region), with its progress and the files it produced."""

    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(_("status"), max_length=8, choices=SummaryStatus.choices,
                              default=SummaryStatus.PENDING)
    total = models.PositiveIntegerField(_("municipalities"), default=0)
    done = models.PositiveIntegerField(_("municipalities done"), default=0)
    columns = models.JSONField(_("columns"), default=list, blank=True)  # report source keys, in the report's order
    rows = models.JSONField(_("rows"), default=list, blank=True)  # [{municipality, oktmo, kind, values}]
    xlsx = models.FileField(_("XLSX file"), upload_to=summary_file_path, max_length=200, blank=True)
    csv = models.FileField(_("CSV file"), upload_to=summary_file_path, max_length=200, blank=True)
    token = models.CharField(max_length=32, editable=False)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.CharField(_("requested by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("region-wide appeals summary")
        verbose_name_plural = _("region-wide appeals summaries")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.period_start:%d.%m.%Y} — {self.period_end:%d.%m.%Y}"

    @property
    def percent(self) -> int:
        return 100 if self.status == SummaryStatus.DONE else (self.done * 100 // self.total if self.total else 0)
