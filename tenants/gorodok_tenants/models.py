from __future__ import annotations

import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

OKTMO_PATTERN = re.compile(r"^(\d{8}|\d{11})$")
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,40}[a-z0-9]$")


def validate_oktmo(value: str) -> None:
    if not OKTMO_PATTERN.match(value or ""):
        raise ValidationError(
            _("OKTMO must be 8 digits (a municipality) or 11 digits (a settlement)."), code="invalid_oktmo"
        )


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s."), code="invalid_timezone", params={"zone": value})


def validate_slug(value: str) -> None:
    if not SLUG_PATTERN.match(value or ""):
        raise ValidationError(
            _("The slug is 2–42 lowercase Latin letters, digits and hyphens, starting with a letter."),
            code="invalid_slug",
        )


class MunicipalityKind(models.TextChoices):
    URBAN_OKRUG = "urban_okrug", _("Urban okrug")
    MUNICIPAL_DISTRICT = "municipal_district", _("Municipal district")
    MUNICIPAL_OKRUG = "municipal_okrug", _("Municipal okrug")
    URBAN_SETTLEMENT = "urban_settlement", _("Urban settlement")
    RURAL_SETTLEMENT = "rural_settlement", _("Rural settlement")


SETTLEMENT_KINDS = (MunicipalityKind.URBAN_SETTLEMENT, MunicipalityKind.RURAL_SETTLEMENT)


class MunicipalityStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ARCHIVED = "archived", _("Archived")


class Municipality(TenantMixin):
    """A municipal formation of the region, served from its own PostgreSQL schema."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    slug = models.CharField(_("slug"), max_length=42, unique=True, validators=[validate_slug])
    oktmo = models.CharField(_("OKTMO"), max_length=11, unique=True, validators=[validate_oktmo])
    kind = models.CharField(_("kind"), max_length=32, choices=MunicipalityKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent district"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="settlements",
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Krasnoyarsk", validators=[validate_timezone]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MunicipalityStatus.choices, default=MunicipalityStatus.ACTIVE
    )
    disabled_modules = models.JSONField(
        _("disabled modules"), default=list, blank=True,
        help_text=_("Codes of the modules switched off for this municipality; their data is kept."),
    )
    schema_version = models.CharField(
        _("schema version"), max_length=80, blank=True,
        help_text=_("The migration state applied to the municipality's schema."),
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Upgrades (gorodok_tenants.upgrades). db_default: a column added with a database default, so the
    # previous release's code, which does not know these fields, can still insert rows (expand first).
    upgrade_canary = models.BooleanField(
        _("canary"), default=False, db_default=False,
        help_text=_("Upgraded in the first wave of every upgrade run, before all the others."),
    )
    maintenance_since = models.DateTimeField(
        _("in maintenance since"), null=True, blank=True,
        help_text=_("Set while the municipality's schema is being upgraded: its hosts answer 503."),
    )
    maintenance_message = models.CharField(_("maintenance message"), max_length=500, blank=True,
                                           default="", db_default="")

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ("name",)
        # Lists of municipalities are read in name order (the console, the comparison of reports): a page
        # of them is then read off the index instead of sorting them all.
        indexes = [models.Index(fields=["name"], name="municipality_by_name")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(oktmo__regex=r"^([0-9]{8}|[0-9]{11})$"), name="municipality_oktmo_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # django-tenants recreates a missing schema on any save of an existing tenant; ours are
        # created once, then only dropped (archive) or loaded (restore) on purpose.
        if self._state.adding:
            return super().save(*args, **kwargs)
        self.auto_create_schema = False
        try:
            return super().save(*args, **kwargs)
        finally:
            del self.auto_create_schema

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """Provision the schema the fast way (see gorodok_tenants.provisioning.schemas)."""
        from gorodok_tenants.provisioning.schemas import create_tenant_schema

        return create_tenant_schema(self, check_if_exists=check_if_exists, sync_schema=sync_schema,
                                    verbosity=verbosity)

    def clean(self) -> None:
        super().clean()
        if self.kind in SETTLEMENT_KINDS:
            if self.parent is None:
                raise ValidationError({"parent": ValidationError(
                    _("A settlement belongs to a municipal district."), code="parent_required")})
            if self.parent.kind != MunicipalityKind.MUNICIPAL_DISTRICT:
                raise ValidationError({"parent": ValidationError(
                    _("The parent of a settlement must be a municipal district."), code="invalid_parent")})
        elif self.parent is not None:
            raise ValidationError({"parent": ValidationError(
                _("Only settlements have a parent district."), code="invalid_parent")})

    @property
    def is_active(self) -> bool:
        return self.status == MunicipalityStatus.ACTIVE

    @property
    def in_maintenance(self) -> bool:
        return self.maintenance_since is not None

    @property
    def primary_domain(self) -> str | None:
        domain = next((d for d in self.domains.all() if d.is_primary), None)
        return domain.domain if domain else None


class Domain(DomainMixin):
    """A host name that serves a municipality (``<slug>.<REGION_DOMAIN>`` and any extras)."""

    class Meta:
        verbose_name = _("host")
        verbose_name_plural = _("hosts")

    def __str__(self) -> str:
        return self.domain


class MunicipalityCounter(models.Model):
    """A figure a module reports about a municipality (e.g. open appeals), kept current by jobs so
    the console never has to query a hundred schemas to draw one page."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="counters")
    key = models.CharField(_("counter"), max_length=64)
    value = models.BigIntegerField(_("value"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [models.UniqueConstraint(fields=("municipality", "key"), name="counter_unique_key")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class MunicipalityMonthlyFigure(models.Model):
    """A module's report source for one municipality and one month (``ModuleInfo.monthly``), kept by the
    counter jobs so the committee's monthly chart never queries a schema per municipality."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="monthly_figures")
    month = models.DateField(_("month"))  # its first day
    key = models.CharField(_("figure"), max_length=64)
    value = models.BigIntegerField(_("value"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        constraints = [models.UniqueConstraint(fields=("municipality", "month", "key"), name="monthly_figure_unique")]
        indexes = [models.Index(fields=("month", "key"), name="monthly_figure_month_key")]

    def __str__(self) -> str:
        return f"{self.key} {self.month:%Y-%m}={self.value}"


class MunicipalityArchive(models.Model):
    """An export of a municipality's schema: a dump plus a manifest with version and checksums."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.SET_NULL, null=True, blank=True, related_name="archives"
    )
    schema_name = models.CharField(_("schema"), max_length=63)
    municipality_name = models.CharField(_("municipality"), max_length=200)
    oktmo = models.CharField(_("OKTMO"), max_length=11)
    path = models.CharField(_("file"), max_length=500)
    size_bytes = models.BigIntegerField(_("size, bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    manifest = models.JSONField(_("manifest"), default=dict)
    created_by = models.CharField(_("created by"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("archive")
        verbose_name_plural = _("archives")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.municipality_name} {self.created_at:%Y-%m-%d %H:%M}"


class ConsoleTaskKind(models.TextChoices):
    EXPORT = "export", _("export")
    ARCHIVE = "archive", _("archiving")
    RESTORE = "restore", _("restore")
    BULK_IMPORT = "bulk_import", _("import of municipalities")


class ConsoleTaskStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ConsoleTask(models.Model):
    """Long work started from the console (an export, an archiving, a restore, a bulk import), run by a
    job; the console shows its progress and, at the end, its result."""

    kind = models.CharField(_("task"), max_length=16, choices=ConsoleTaskKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=ConsoleTaskStatus.choices,
                              default=ConsoleTaskStatus.QUEUED)
    municipality = models.ForeignKey(Municipality, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="console_tasks", verbose_name=_("municipality"))
    archive = models.ForeignKey(MunicipalityArchive, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="console_tasks", verbose_name=_("archive"))
    params = models.JSONField(default=dict, blank=True)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.CharField(_("started by"), max_length=254, blank=True)
    started_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ConsoleTaskStatus.DONE:
            return 100
        return int(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def finished(self) -> bool:
        return self.status in (ConsoleTaskStatus.DONE, ConsoleTaskStatus.FAILED)


class SupportSession(models.Model):
    """A regional admin's time-limited, reasoned entry into a municipality's back office."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="support_sessions")
    regional_user_email = models.EmailField(_("regional administrator"))
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    entered_at = models.DateTimeField(_("entered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("support session")
        verbose_name_plural = _("support sessions")
        ordering = ("-started_at",)

    def __str__(self) -> str:
        return f"{self.regional_user_email} → {self.municipality}"

    def is_open(self, now=None) -> bool:
        from django.utils import timezone

        now = now or timezone.now()
        return self.ended_at is None and self.expires_at > now


# --- Upgrades (gorodok_tenants.upgrades) ------------------------------------------------------------


class UpgradeRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    DONE_WITH_FAILURES = "done_with_failures", _("Done, some municipalities failed")
    HALTED = "halted", _("Halted (a canary failed)")


class UpgradeRun(models.Model):
    """One upgrade of every municipality to the code's migration state (``release``). Resumable: the
    truth is each schema's django_migrations; these rows record what happened and show progress."""

    release = models.CharField(_("release"), max_length=80, db_index=True,
                               help_text=_("The schema version the run brings every schema to."))
    status = models.CharField(_("status"), max_length=24, choices=UpgradeRunStatus.choices,
                              default=UpgradeRunStatus.RUNNING)
    started_by = models.CharField(_("started by"), max_length=254, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("starts"), default=1,
                                           help_text=_("How many times the run was started (resumed or retried)."))
    workers = models.PositiveIntegerField(_("workers"), default=1)
    public_migrations = models.JSONField(_("public schema migrations"), default=list, blank=True)
    municipalities_total = models.PositiveIntegerField(_("municipalities"), default=0)
    municipalities_current = models.PositiveIntegerField(
        _("already current"), default=0, help_text=_("Municipalities that had nothing pending.")
    )
    municipalities_done = models.PositiveIntegerField(_("upgraded"), default=0)
    municipalities_failed = models.PositiveIntegerField(_("failed"), default=0)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("upgrade run")
        verbose_name_plural = _("upgrade runs")
        ordering = ("-started_at",)

    def __str__(self) -> str:
        return f"{self.release} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def is_running(self) -> bool:
        return self.status == UpgradeRunStatus.RUNNING


class UpgradeTenantStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class UpgradeTenantState(models.Model):
    """A municipality's part in an upgrade run: written only for municipalities with pending migrations."""

    run = models.ForeignKey(UpgradeRun, on_delete=models.CASCADE, related_name="tenants")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="upgrade_states")
    schema_name = models.CharField(_("schema"), max_length=63)
    wave = models.CharField(_("wave"), max_length=16, default="main")
    status = models.CharField(_("status"), max_length=16, choices=UpgradeTenantStatus.choices,
                              default=UpgradeTenantStatus.PENDING, db_index=True)
    pending = models.JSONField(_("pending migrations"), default=list, blank=True)
    applied = models.JSONField(_("applied migrations"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), null=True, blank=True)

    class Meta:
        verbose_name = _("municipality upgrade")
        verbose_name_plural = _("municipality upgrades")
        ordering = ("run", "id")
        constraints = [
            models.UniqueConstraint(fields=("run", "municipality"), name="upgrade_state_unique_municipality"),
        ]

    def __str__(self) -> str:
        return f"{self.schema_name}: {self.status}"


class ReleaseNote(models.Model):
    """What changed in a release, shown once to each administrator of a municipality after its upgrade."""

    release = models.CharField(_("release"), max_length=80, db_index=True,
                               help_text=_("The schema version of the release (as shown by manage.py upgrade plan)."))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("release note")
        verbose_name_plural = _("release notes")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.title


class ReleaseNoteReceipt(models.Model):
    """That one administrator of one municipality has seen a release note."""

    note = models.ForeignKey(ReleaseNote, on_delete=models.CASCADE, related_name="receipts")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="release_note_receipts")
    user_id = models.PositiveIntegerField(_("user"))
    seen_at = models.DateTimeField(_("seen"), auto_now_add=True)

    class Meta:
        verbose_name = _("release note receipt")
        verbose_name_plural = _("release note receipts")
        constraints = [
            models.UniqueConstraint(fields=("note", "municipality", "user_id"), name="release_note_seen_once"),
        ]

    def __str__(self) -> str:
        return f"{self.note_id}/{self.municipality_id}/{self.user_id}"
