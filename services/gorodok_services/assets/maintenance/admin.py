"""Maintenance in the back office: the log (records are added through the service with their documents
and then kept as they are), the schedules with a filter for those with overdue or due work, the page
of due and overdue work, the page of each building's operating cost for a year, the settings, and on an
object's page its maintenance log."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.admin import ModuleAdmin, ReadOnlyInline
from gorodok_services.assets.maintenance import services
from gorodok_services.assets.maintenance.models import (
    MaintenanceDocument,
    MaintenanceRecord,
    MaintenanceSchedule,
    MaintenanceSettings,
)
from gorodok_services.assets.maintenance.selectors import (
    building_operating_costs,
    maintenance_due,
    maintenance_today,
)
from gorodok_services.assets.models import Asset, AssetStatus
from gorodok_services.assets.permissions import SETTINGS
from gorodok_tenants.console.sites import back_office

RECORD_FIELDS = ("asset", "work_type", "cost", "contractor", "started_on", "finished_on", "description")


def _copy(saved, obj) -> None:
    """The admin logs and links ``obj``: give it what the service saved."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))


class DueStateFilter(admin.SimpleListFilter):
    title = _("scheduled work")
    parameter_name = "work"

    def lookups(self, request, model_admin):
        return (("overdue", _("has overdue work")), ("due", _("has work due soon")))

    def queryset(self, request, queryset):
        if self.value() in ("overdue", "due"):
            items = maintenance_due()
            wanted = {item.schedule.pk for item in items if item.overdue == (self.value() == "overdue")}
            return queryset.filter(pk__in=wanted)
        return queryset


# --- the log ---------------------------------------------------------------------------------------------------

class RecordForm(forms.ModelForm):
    document_title = forms.CharField(label=_("document: title"), required=False, max_length=300,
                                     help_text=_("E.g. an act of work done or a contract."))
    document_number = forms.CharField(label=_("document: number"), required=False, max_length=64)
    document_date = forms.DateField(label=_("document: date"), required=False)
    document_file = forms.FileField(label=_("document: file"), required=False)

    class Meta:
        model = MaintenanceRecord
        fields = RECORD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "asset" in self.fields:
            self.fields["asset"].queryset = Asset.objects.exclude(status=AssetStatus.REMOVED).order_by(
                "register_number")

    def clean(self):
        cleaned = super().clean()
        asset = cleaned.get("asset")
        if asset is not None:
            values = {name: cleaned.get(name) for name in RECORD_FIELDS if name != "asset"}
            for name, errors in services.validate_record_values(asset, values, today=maintenance_today()).items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, errors)
        if (cleaned.get("document_file") or cleaned.get("document_number")) and not cleaned.get("document_title"):
            self.add_error("document_title", _("Name the document."))
        return cleaned

    def _post_clean(self):
        pass

    def documents(self) -> list[services.WorkDocument]:
        data = self.cleaned_data
        if not data.get("document_title"):
            return []
        return [services.WorkDocument(title=data["document_title"], number=data.get("document_number") or "",
                                      date=data.get("document_date"), file=data.get("document_file"))]


class DocumentInline(ReadOnlyInline):
    model = MaintenanceDocument
    fields = readonly_fields = ("title", "number", "date", "file")


@admin.register(MaintenanceRecord, site=back_office)
class MaintenanceRecordAdmin(ModuleAdmin):
    form = RecordForm
    list_display = ("asset", "work_type", "started_on", "finished_on", "cost", "contractor")
    list_filter = ("work_type", "asset__section", "asset__kind")
    list_select_related = ("asset",)
    search_fields = ("asset__name", "asset__register_number", "contractor", "description")
    date_hierarchy = "started_on"
    change_list_template = "assets_maintenance/record_change_list.html"
    inlines = (DocumentInline,)

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": RECORD_FIELDS}),
                    (_("Document of the work"), {"fields": ("document_title", "document_number", "document_date",
                                                             "document_file")}))
        return ((None, {"fields": (*RECORD_FIELDS, "actor_email")}),)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else (*RECORD_FIELDS, "actor_email")  # the log keeps what was recorded

    def save_model(self, request, obj, form, change):
        if change:
            return
        values = {name: form.cleaned_data[name] for name in RECORD_FIELDS if name != "asset"}
        saved = services.maintenance_record(asset=form.cleaned_data["asset"], values=values,
                                            documents=form.documents(), actor=request.user, source="back_office")
        _copy(saved, obj)

    def save_related(self, request, form, formsets, change):
        pass

    def changelist_view(self, request, extra_context=None):
        name = self.admin_site.name
        links = [{"label": _("Due and overdue work"), "url": reverse(f"{name}:assets_maintenance_due")},
                 {"label": _("Operating cost of buildings"), "url": reverse(f"{name}:assets_maintenance_buildings")}]
        return super().changelist_view(request, {**(extra_context or {}), "maintenance_links": links})

    def get_urls(self):
        return [
            path("due/", self.admin_site.admin_view(self.due_view), name="assets_maintenance_due"),
            path("buildings/", self.admin_site.admin_view(self.buildings_view), name="assets_maintenance_buildings"),
            *super().get_urls(),
        ]

    def due_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        overdue_only = request.GET.get("overdue") == "1"
        items = maintenance_due(overdue_only=overdue_only)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": _("Due and overdue work"),
                   "items": items, "overdue_only": overdue_only, "today": maintenance_today(),
                   "window": MaintenanceSettings.current().due_window_days}
        return TemplateResponse(request, "assets_maintenance/due.html", context)

    def buildings_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        this_year = maintenance_today().year
        try:
            year = int(request.GET.get("year") or this_year)
        except ValueError:
            year = this_year
        year = min(max(year, 1990), this_year + 1)
        rows = list(building_operating_costs(year))
        context = {**self.admin_site.each_context(request), "opts": self.opts,
                   "title": _("Operating cost of buildings"), "rows": rows, "year": year,
                   "years": list(range(this_year, this_year - 6, -1)),
                   "totals": {"upkeep": sum(r.upkeep for r in rows), "ict": sum(r.ict for r in rows),
                              "total": sum(r.total for r in rows)}}
        return TemplateResponse(request, "assets_maintenance/buildings.html", context)


# --- schedules ---------------------------------------------------------------------------------------------------

class ScheduleForm(forms.ModelForm):
    class Meta:
        model = MaintenanceSchedule
        fields = services.SCHEDULE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "asset" in self.fields:
            self.fields["asset"].queryset = Asset.objects.exclude(status=AssetStatus.REMOVED).order_by(
                "register_number")

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned.get(name) for name in services.SCHEDULE_FIELDS}
        for name, errors in services.validate_schedule_values(values).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, errors)
        return cleaned

    def _post_clean(self):
        pass


@admin.register(MaintenanceSchedule, site=back_office)
class MaintenanceScheduleAdmin(ModuleAdmin):
    form = ScheduleForm
    list_display = ("title", "target", "work_type", "every_months", "starts_on", "is_active")
    list_filter = (DueStateFilter, "work_type", "is_active")
    list_select_related = ("asset",)
    search_fields = ("title",)

    @admin.display(description=_("for"))
    def target(self, obj: MaintenanceSchedule) -> str:
        if obj.asset_id:
            return str(obj.asset)
        if obj.asset_kind:
            return str(obj.get_asset_kind_display())
        return str(obj.get_ict_category_display())

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in services.SCHEDULE_FIELDS if name in form.cleaned_data}
        if change:
            saved = services.maintenance_schedule_update(schedule=obj, values=values, actor=request.user,
                                                         source="back_office")
        else:
            saved = services.maintenance_schedule_create(values=values, actor=request.user, source="back_office")
        _copy(saved, obj)


@admin.register(MaintenanceSettings, site=back_office)
class MaintenanceSettingsAdmin(ModuleAdmin):
    view_action = change_action = SETTINGS
    fields = ("due_window_days",)

    def has_add_permission(self, request, *args):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = MaintenanceSettings.current()
        if row.pk is None:
            row.save()
        return redirect(reverse(f"{self.admin_site.name}:assets_maintenance_maintenancesettings_change",
                                args=[row.pk]))

    def save_model(self, request, obj, form, change):
        services.maintenance_settings_update(values={"due_window_days": form.cleaned_data["due_window_days"]},
                                             actor=request.user)


# --- on the object's page -------------------------------------------------------------------------------------

class MaintenanceInline(ReadOnlyInline):
    model = MaintenanceRecord
    fk_name = "asset"
    fields = readonly_fields = ("work_type", "started_on", "finished_on", "cost", "contractor")
    verbose_name = _("maintenance record")
    verbose_name_plural = _("maintenance log")
    show_change_link = True


def _add_to_the_object_page(*inlines) -> None:
    """Show these on a register object's page (the site keeps its own copy of the admin's inlines)."""
    model_admin = back_office.get_model_admin(Asset)
    model_admin.inlines = [*model_admin.inlines, *inlines]


_add_to_the_object_page(MaintenanceInline)
