"""Maintenance of the register's objects: the log of work done (what, when, by whom, for how much, with
its documents) and the preventive schedule (every N months, for one object or for a category of
objects), whose due and overdue work the back office lists and webhooks announce once."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.fleet.models import IctCategory
from gorodok_services.assets.models import MONEY, Asset, AssetKind


class WorkType(models.TextChoices):
    MAINTENANCE = "maintenance", _("maintenance")
    REPAIR = "repair", _("repair")
    UPGRADE = "upgrade", _("upgrade")
    INSPECTION = "inspection", _("inspection")


class MaintenanceSettings(models.Model):
    """One row per municipality: how far ahead scheduled work counts as due."""

    due_window_days = models.PositiveSmallIntegerField(
        _("work is due days ahead"), default=30,
        help_text=_("Scheduled work within this many days is listed as due (and announced once)."))

    class Meta:
        verbose_name = _("maintenance settings")
        verbose_name_plural = _("maintenance settings")

    def __str__(self) -> str:
        return str(_("maintenance settings"))

    @classmethod
    def current(cls) -> MaintenanceSettings:
        return cls.objects.order_by("pk").first() or cls()


class MaintenanceRecord(models.Model):
    asset = models.ForeignKey(Asset, verbose_name=_("object"), on_delete=models.PROTECT,
                              related_name="maintenance_records")
    work_type = models.CharField(_("type of work"), max_length=16, choices=WorkType.choices)
    cost = models.DecimalField(_("cost, roubles"), default=0, **MONEY)
    contractor = models.CharField(_("contractor"), max_length=300, blank=True)
    started_on = models.DateField(_("started on"))
    finished_on = models.DateField(_("finished on"), null=True, blank=True, help_text=_("Empty: still in progress."))
    description = models.TextField(_("description"), max_length=4000, blank=True)
    actor_email = models.CharField(_("recorded by"), max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("maintenance record")
        verbose_name_plural = _("maintenance log")
        ordering = ("-started_on", "-pk")
        indexes = [models.Index(fields=["asset", "work_type", "started_on"]),
                   models.Index(fields=["finished_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="maintenance_cost_not_negative"),
            models.CheckConstraint(condition=Q(finished_on__isnull=True) | Q(finished_on__gte=models.F("started_on")),
                                   name="maintenance_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_work_type_display()} {self.started_on:%d.%m.%Y}: {self.asset}"


class MaintenanceDocument(models.Model):
    """A document of the work: a contract, an act of work done, an invoice, a photo."""

    record = models.ForeignKey(MaintenanceRecord, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("document"), max_length=300)
    number = models.CharField(_("number"), max_length=64, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="assets/maintenance/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document of the work")
        verbose_name_plural = _("documents of the work")
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.title} № {self.number or '—'}"


class MaintenanceSchedule(models.Model):
    """Preventive work every ``every_months`` months for one object, for every object of a kind, or for
    every ICT object of a category. An object's next date is its last matching record (same type of work;
    the day it finished, else the day it started) plus the interval; with no record yet, ``starts_on``."""

    title = models.CharField(_("title"), max_length=300)
    asset = models.ForeignKey(Asset, verbose_name=_("object"), on_delete=models.PROTECT, null=True, blank=True,
                              related_name="maintenance_schedules")
    asset_kind = models.CharField(_("every object of the kind"), max_length=16, choices=AssetKind.choices,
                                  blank=True)
    ict_category = models.CharField(_("every ICT object of the category"), max_length=16,
                                    choices=IctCategory.choices, blank=True)
    work_type = models.CharField(_("type of work"), max_length=16, choices=WorkType.choices)
    every_months = models.PositiveSmallIntegerField(_("every N months"))
    starts_on = models.DateField(_("first due on"), help_text=_("When an object has no matching record yet."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("maintenance schedule")
        verbose_name_plural = _("maintenance schedules")
        ordering = ("title", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(every_months__gte=1), name="schedule_interval_positive"),
            models.CheckConstraint(
                condition=(Q(asset__isnull=False, asset_kind="", ict_category="")
                           | Q(asset__isnull=True, ict_category="") & ~Q(asset_kind="")
                           | Q(asset__isnull=True, asset_kind="") & ~Q(ict_category="")),
                name="schedule_one_target"),
        ]

    def __str__(self) -> str:
        return self.title


class NoticeKind(models.TextChoices):
    DUE = "due", _("due")
    OVERDUE = "overdue", _("overdue")


class MaintenanceNotice(models.Model):
    """A ``maintenance.due`` or ``maintenance.overdue`` event emitted for one occurrence (schedule,
    object, due date): the unique key makes the periodic job emit each once."""

    schedule = models.ForeignKey(MaintenanceSchedule, on_delete=models.CASCADE, related_name="notices")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=NoticeKind.choices)
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("schedule", "asset", "kind", "due_on"),
                                               name="maintenance_notice_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on}"
