"""The property register in the back office, on the municipality's own host (``back_office`` site).

Lists per section with filters and search; the object page with its documents, encumbrances and
history; actions that each call one service (add a document, an encumbrance, remove from the
register with the basis document); the import wizard (upload, map the columns, dry run, import) and
the extract downloads. Access follows the module's rule table (permissions.py); nothing is deleted.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from gorodok_platform.audit.services import audit_record
from gorodok_platform.storage import local_path
from gorodok_services.assets import downloads, exports, import_jobs, imports, lifecycle, services
from gorodok_services.assets.columns import ASSET_HEADERS, IMPORT_FIELDS
from gorodok_services.assets.housing.inlines import PROFILE_INLINES, profile_links
from gorodok_services.assets.models import (
    Asset,
    AssetChange,
    AssetDocument,
    AssetImport,
    AssetsSettings,
    AssetTransition,
    DocumentKind,
    DocumentRole,
    Encumbrance,
    EncumbranceKind,
    Holder,
    LifecycleStatus,
    Section,
)
from gorodok_services.assets.permissions import CHANGE, READ, SETTINGS, assets_permit
from gorodok_services.assets.selectors import in_register_condition, with_listed_in_extract
from gorodok_tenants.console.mixins import (
    AuditedAdminMixin,
    ModuleAdminMixin,
    ReadOnlyInlineMixin,
    RuleTableAdminMixin,
    add_service_errors,
)
from gorodok_tenants.console.sites import back_office

MODULE = "assets"


def may(request, action: str) -> bool:
    return assets_permit(request.user, action)


class RolesMixin(RuleTableAdminMixin):
    permit = staticmethod(assets_permit)
    view_action = READ
    change_action = CHANGE

    def has_delete_permission(self, request, obj=None):
        return False  # the register keeps everything; objects leave it through the removal service

    def get_actions(self, request):
        return {}


class ModuleAdmin(AuditedAdminMixin, ModuleAdminMixin, RolesMixin, admin.ModelAdmin):
    gorodok_module = MODULE


# --- list filters --------------------------------------------------------------------------------------------

class InRegisterFilter(admin.SimpleListFilter):
    title = _("in the extract")
    parameter_name = "listed"

    def lookups(self, request, model_admin):
        return (("yes", _("listed in the register extract")), ("no", _("tracked only (below the threshold)")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(in_register_condition())
        if self.value() == "no":
            return queryset.exclude(in_register_condition())
        return queryset


# --- inlines ------------------------------------------------------------------------------------------------

class ReadOnlyInline(ReadOnlyInlineMixin, admin.TabularInline):
    def may_view(self, request) -> bool:
        return may(request, READ)


class DocumentInline(ReadOnlyInline):
    model = AssetDocument
    fields = readonly_fields = ("role", "kind", "number", "date", "issuer", "scan")

    @admin.display(description=_("file"))
    def scan(self, obj: AssetDocument) -> str:
        # Never the storage's URL (media files are not served): the audited download.
        if not obj.pk or not obj.file:
            return "—"
        url = reverse(f"{back_office.name}:assets_asset_document_download", args=[obj.asset_id, obj.pk])
        return format_html('<a href="{}" class="asset-document-download">{}</a>', url,
                           downloads.safe_download_name(obj))


class EncumbranceInline(ReadOnlyInline):
    model = Encumbrance
    fields = readonly_fields = ("kind", "basis", "beneficiary", "starts_on", "ends_on", "ended_on", "end_basis",
                                "manage")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("asset")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if may(request, CHANGE) else [name for name in fields if name != "manage"]

    @admin.display(description=_("actions"))
    def manage(self, obj: Encumbrance) -> str:
        if not obj.pk or obj.is_ended or obj.asset.is_removed:
            return "—"
        links = [(reverse(f"{back_office.name}:assets_encumbrance_action", args=[obj.asset_id, obj.pk, code]), label)
                 for code, label in (("change", _("Change")), ("end", _("End")))]
        return format_html_join(" · ", '<a href="{}" class="asset-encumbrance-action">{}</a>', links)


class TransitionInline(ReadOnlyInline):
    model = AssetTransition
    fields = readonly_fields = ("on", "from_status", "to_status", "basis", "actor_email")
    verbose_name_plural = _("status changes")


HISTORY_ACTIONS = {
    "created": _("included in the register"),
    "changed": _("changed"),
    "removed": _("removed from the register"),
    "document_added": _("document added"),
    "encumbrance_added": _("encumbrance added"),
    "encumbrance_changed": _("encumbrance changed"),
    "encumbrance_ended": _("encumbrance ended"),
    "status_changed": _("status changed"),
    "housing_set": _("housing profile set"),
    "utility_set": _("utility profile set"),
    "ict_profile_set": _("ICT details set"),
    "maintenance_recorded": _("maintenance recorded"),
    "depreciation_terms": _("depreciation terms set"),
    "found_elsewhere": _("found elsewhere at a stock-taking"),
}
HISTORY_SOURCES = {"": "—", "back_office": _("back office"), "api": _("API"), "import": _("import"),
                   "stocktaking": _("stock-taking"), "depreciation": _("depreciation"), "close": _("stock-taking"),
                   "demo": _("demo data")}


class HistoryInline(ReadOnlyInline):
    model = AssetChange
    fields = readonly_fields = ("at", "who", "what_happened", "through", "what")
    verbose_name_plural = _("history")

    @admin.display(description=_("when"))
    def at(self, obj: AssetChange):
        return obj.at

    @admin.display(description=_("who"))
    def who(self, obj: AssetChange) -> str:
        return obj.actor_email or "—"

    @admin.display(description=_("what happened"))
    def what_happened(self, obj: AssetChange) -> str:
        return str(HISTORY_ACTIONS.get(obj.action, obj.action))

    @admin.display(description=_("through"))
    def through(self, obj: AssetChange) -> str:
        return str(HISTORY_SOURCES.get(obj.source, obj.source))

    @admin.display(description=_("what changed"))
    def what(self, obj: AssetChange) -> str:
        return "; ".join(f"{name}: {before if before is not None else '—'} → {after if after is not None else '—'}"
                         for name, (before, after) in obj.changes.items())


# --- the object form ---------------------------------------------------------------------------------------

FORM_FIELDS = tuple(name for name in services.ASSET_FIELDS if name != "section")


class AssetForm(forms.ModelForm):
    register_number = forms.CharField(label=_("register number"), required=False, max_length=40,
                                      help_text=_("Empty: the next number of the section."))

    class Meta:
        model = Asset
        fields = ("register_number", *FORM_FIELDS)

    def clean(self):
        cleaned = super().clean()
        merged = {name: getattr(self.instance, name, None) for name in services.ASSET_FIELDS}
        merged.update({k: v for k, v in cleaned.items() if k in services.ASSET_FIELDS})
        merged["section"] = services.KIND_SECTIONS.get(merged.get("kind"))
        merged["holder"] = cleaned.get("holder")
        for name in ("balance_value", "residual_value"):
            if merged.get(name) is None:
                merged[name] = 0
        if merged.get("included_on") is None:
            merged["included_on"] = services.register_today()
        for name, errors in services.validate_asset_values(merged, today=services.register_today()).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, errors)
        return cleaned

    def _post_clean(self):
        # The service assigns the section and the number; the model's own checks would only repeat the
        # service's rules with less helpful messages.
        pass


@dataclass(frozen=True)
class AssetAction:
    code: str
    label: str
    done: str


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=DocumentKind.choices)
    number = forms.CharField(label=_("number"), required=False, max_length=64)
    date = forms.DateField(label=_("date"))
    issuer = forms.CharField(label=_("issued by"), required=False, max_length=300)
    file = forms.FileField(label=_("file"), required=False)

    def document(self) -> services.DocumentInput:
        data = self.cleaned_data
        return services.DocumentInput(kind=data["kind"], number=data["number"], date=data["date"],
                                      issuer=data["issuer"], file=data.get("file"))


class EncumbranceForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=EncumbranceKind.choices)
    basis = forms.CharField(label=_("basis"), max_length=300)
    beneficiary = forms.CharField(label=_("in favour of"), max_length=300)
    starts_on = forms.DateField(label=_("starts on"))
    ends_on = forms.DateField(label=_("ends on"), required=False)


class StatusForm(forms.Form):
    """The statuses offered are the ones the lifecycle table allows from the object's current one."""

    to_status = forms.ChoiceField(label=_("new status"), choices=LifecycleStatus.choices)
    on = forms.DateField(label=_("date of the change"))
    basis = forms.CharField(label=_("basis"), max_length=lifecycle.BASIS_LIMIT,
                            help_text=_("The order, act or note that justifies the change."),
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, asset: Asset | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if asset is not None:
            allowed = set(lifecycle.allowed_next(asset.lifecycle_status))
            self.fields["to_status"].choices = [(value, label) for value, label in LifecycleStatus.choices
                                                if value in allowed]


class EncumbranceEndForm(forms.Form):
    ended_on = forms.DateField(label=_("ended on"))
    basis = forms.CharField(label=_("basis of ending"), max_length=300,
                            help_text=_("E.g. the agreement terminating the lease, its number and date."))


ENCUMBRANCE_ACTIONS = {
    "change": (AssetAction("change", _("Change the encumbrance"), _("The encumbrance is changed.")), EncumbranceForm),
    "end": (AssetAction("end", _("End the encumbrance"), _("The encumbrance is ended.")), EncumbranceEndForm),
}


class RemovalForm(DocumentForm):
    removed_on = forms.DateField(label=_("removed from the register on"))
    reason = forms.CharField(label=_("reason for removal"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].label = _("basis document: kind")
        self.fields["number"].label = _("basis document: number")
        self.fields["date"].label = _("basis document: date")


ACTIONS = {
    "document": (AssetAction("document", _("Add a document"), _("The document is added.")), DocumentForm),
    "encumbrance": (AssetAction("encumbrance", _("Add an encumbrance"), _("The encumbrance is added.")),
                    EncumbranceForm),
    "status": (AssetAction("status", _("Change the status"), _("The status is changed.")), StatusForm),
    "remove": (AssetAction("remove", _("Remove from the register"), _("The object is removed from the register.")),
               RemovalForm),
}


def perform(code: str, *, asset: Asset, form: forms.Form, actor):
    data = form.cleaned_data
    if code == "document":
        return services.asset_document_add(asset=asset, role=DocumentRole.ACQUISITION, document=form.document(),
                                           actor=actor, source="back_office")
    if code == "encumbrance":
        return services.asset_encumbrance_add(asset=asset, kind=data["kind"], basis=data["basis"],
                                              beneficiary=data["beneficiary"], starts_on=data["starts_on"],
                                              ends_on=data["ends_on"], actor=actor, source="back_office")
    if code == "status":
        return lifecycle.asset_transition(asset=asset, to_status=data["to_status"], on=data["on"],
                                          basis=data["basis"], actor=actor, source="back_office")
    if code == "remove":
        return services.asset_remove(asset=asset, removed_on=data["removed_on"], reason=data["reason"],
                                     document=form.document(), actor=actor, source="back_office")
    raise Http404


# --- the import wizard ------------------------------------------------------------------------------------------

class UploadForm(forms.Form):
    file = forms.FileField(label=_("file (XLSX or CSV)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is larger than %(limit)d MB; split it.") % {
                "limit": imports.MAX_IMPORT_BYTES // (1024 * 1024)}, code="file_too_large")
        if not upload.name.lower().endswith((".xlsx", ".csv", ".txt")):
            raise ValidationError(_("Upload an XLSX or CSV file."), code="unreadable_file")
        return upload


FIELD_CHOICES = [("", _("— ignore this column —"))] + [(name, f"{ASSET_HEADERS[name]} ({name})")
                                                        for name in IMPORT_FIELDS]


class MappingForm(forms.Form):
    def __init__(self, *args, headers: list[str], proposed: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        for index, header in enumerate(headers):
            if not str(header).strip():
                continue
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=FIELD_CHOICES, required=False, initial=proposed.get(header, ""))

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(f"column_{index}", "") for index, header in enumerate(self.headers)
                if f"column_{index}" in self.fields}


WIZARD_FOLDER = "assets/wizard/"  # the upload between the wizard's steps, in the municipality's storage


def _wizard_file(name: str):
    """A local path of the wizard's stored upload (any web pod may serve the next step)."""
    return local_path(default_storage, WIZARD_FOLDER + name)


def _wizard_forget(name: str) -> None:
    default_storage.delete(WIZARD_FOLDER + name)


# --- objects --------------------------------------------------------------------------------------------------------

@admin.register(Asset, site=back_office)
class AssetAdmin(ModuleAdmin):
    form = AssetForm
    list_display = ("register_number", "name", "kind", "address", "holder", "right_type", "balance_value",
                    "residual_value", "lifecycle_status", "status", "listed")
    list_display_links = ("register_number", "name")
    list_filter = ("section", "kind", "right_type", "holder", "lifecycle_status", "status", InRegisterFilter)
    list_select_related = ("holder",)
    search_fields = ("name", "address", "register_number", "cadastral_number")
    ordering = ("register_number",)
    autocomplete_fields = ()
    change_form_template = "assets/asset_change_form.html"
    change_list_template = "assets/asset_change_list.html"
    inlines = (DocumentInline, EncumbranceInline, *PROFILE_INLINES, TransitionInline, HistoryInline)
    fieldsets = (
        (_("Object"), {"fields": ("register_number", "kind", "name", "purpose", "address", "latitude", "longitude")}),
        (_("Real estate"), {"fields": ("cadastral_number", "cadastral_date", "cadastral_value", "area", "length",
                                       "parameters")}),
        (_("Movable property, shares and stakes"), {"fields": (
            "make", "model", "year", "vin", "plate", "inventory_number", "serial_number", "share_percent",
            "especially_valuable")}),
        (_("Right"), {"fields": ("right_type", "holder")}),
        (_("Accounting"), {"fields": ("balance_value", "residual_value", "values_date", "included_on")}),
    )
    removed_fieldset = (_("Status"), {"fields": ("lifecycle_status", "status", "removed_on", "removal_reason")})

    def get_queryset(self, request):
        return with_listed_in_extract(super().get_queryset(request))

    @admin.display(description=_("in the extract"), boolean=True, ordering="listed_in_extract")
    def listed(self, obj: Asset) -> bool:
        return getattr(obj, "listed_in_extract", None)

    def get_inline_instances(self, request, obj=None):
        # A new object has no documents, encumbrances or history yet: they come through its services.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return (*self.fieldsets, self.removed_fieldset)
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.is_removed or not self.has_change_permission(request, obj):
            return ("register_number", *FORM_FIELDS, "lifecycle_status", "status", "removed_on", "removal_reason")
        return ("register_number", "lifecycle_status", "status", "removed_on", "removal_reason")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "holder":
            kwargs["queryset"] = Holder.objects.filter(is_active=True).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in FORM_FIELDS if name in form.cleaned_data}
        if change:
            changed = {name: values[name] for name in form.changed_data if name in values}
            saved = services.asset_update(asset=obj, values=changed, actor=request.user, source="back_office")
        else:
            saved = services.asset_create(values=values, actor=request.user, source="back_office",
                                          register_number=form.cleaned_data.get("register_number"))
        obj.pk, obj.register_number, obj.section = saved.pk, saved.register_number, saved.section

    def save_related(self, request, form, formsets, change):
        pass  # documents, encumbrances and history change only through their services

    def construct_change_message(self, request, form, formsets, add=False):
        return super().construct_change_message(request, form, [], add)  # the inlines are read-only

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "assets_links": self._links(request)}
        return super().changelist_view(request, extra_context)

    def _links(self, request) -> list[dict]:
        name = self.admin_site.name
        links = [
            {"label": _("Extract (XLSX)"), "url": reverse(f"{name}:assets_asset_extract", args=["xlsx"])},
            {"label": _("Section 1 (CSV)"), "url": reverse(f"{name}:assets_asset_extract", args=["csv"])
             + "?section=real_estate"},
            {"label": _("Section 2 (CSV)"), "url": reverse(f"{name}:assets_asset_extract", args=["csv"])
             + "?section=movable"},
            {"label": _("Section 3 (CSV)"), "url": reverse(f"{name}:assets_asset_extract", args=["csv"])
             + "?section=holders"},
            {"label": _("Map (GeoJSON)"), "url": reverse(f"{name}:assets_asset_extract", args=["geojson"])},
        ]
        if may(request, CHANGE):
            links.insert(0, {"label": _("Import"), "url": reverse(f"{name}:assets_asset_import")})
            links.insert(1, {"label": _("Imports"), "url": reverse(f"{name}:assets_assetimport_changelist")})
        return links

    def change_view(self, request, object_id, form_url="", extra_context=None):
        asset = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if asset is not None and self.has_change_permission(request, asset) and not asset.is_removed:
            extra_context["asset_actions"] = [
                {"label": action.label, "url": reverse(f"{self.admin_site.name}:assets_asset_action",
                                                       args=[asset.pk, code])}
                for code, (action, _form) in ACTIONS.items()
                if code != "status" or lifecycle.allowed_next(asset.lifecycle_status)
            ] + profile_links(request, asset, self.admin_site.name)
        # The appeals about the object, as far as the appeals module's rules let this person see them.
        if apps.is_installed("gorodok_services.appeals"):
            from gorodok_services.appeals.admin import asset_appeals_panel

            extra_context["asset_appeals"] = asset_appeals_panel(request, asset, self.admin_site.name)
        return super().change_view(request, object_id, form_url, extra_context)

    # -- custom pages --

    def get_urls(self):
        custom = [
            path("imports/<int:import_id>/", self.admin_site.admin_view(self.import_progress_view),
                 name="assets_asset_import_progress"),
            path("imports/<int:import_id>/status.json", self.admin_site.admin_view(self.import_status_view),
                 name="assets_asset_import_status"),
            path("<path:object_id>/documents/<int:document_id>/download/",
                 self.admin_site.admin_view(self.document_download_view), name="assets_asset_document_download"),
            path("<path:object_id>/encumbrances/<int:encumbrance_id>/<str:code>/",
                 self.admin_site.admin_view(self.encumbrance_action_view), name="assets_encumbrance_action"),
            path("import/", self.admin_site.admin_view(self.import_view), name="assets_asset_import"),
            path("extract.<str:fmt>", self.admin_site.admin_view(self.extract_view), name="assets_asset_extract"),
            path("<path:object_id>/act/<str:code>/", self.admin_site.admin_view(self.action_view),
                 name="assets_asset_action"),
        ]
        return custom + super().get_urls()

    def _change_url(self, pk) -> str:
        return reverse(f"{self.admin_site.name}:assets_asset_change", args=[pk])

    def action_view(self, request, object_id, code):
        if code not in ACTIONS:
            raise Http404
        action, form_class = ACTIONS[code]
        asset = self.get_object(request, object_id)
        if asset is None:
            raise Http404
        if not self.has_change_permission(request, asset):
            raise PermissionDenied
        posted = request.method == "POST"
        extra = {"asset": asset} if form_class is StatusForm else {}
        form = form_class(request.POST if posted else None, request.FILES if posted else None, **extra)
        if posted and form.is_valid():
            try:
                perform(code, asset=asset, form=form, actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                self.message_user(request, action.done, messages.SUCCESS)
                return redirect(self._change_url(asset.pk))
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": action.label, "action": action,
            "asset": asset, "form": form, "change_url": self._change_url(asset.pk), "media": self.media + form.media,
        }
        return TemplateResponse(request, "assets/asset_action.html", context)

    def _import_run(self, request, import_id) -> AssetImport:
        if not self.has_change_permission(request):
            raise PermissionDenied
        run = AssetImport.objects.filter(pk=import_id).first()
        if run is None:
            raise Http404
        return run

    def import_progress_view(self, request, import_id):
        run = self._import_run(request, import_id)
        if request.method == "POST":
            try:
                import_jobs.asset_import_resume(row=run, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, _("The import is queued again; it continues where it stopped."),
                                  messages.SUCCESS)
            return redirect(request.path)
        labels = {"queued": _("queued"), "running": _("running"), "done": _("done"), "failed": _("failed"),
                  "checked": _("rows checked"), "written": _("rows written"), "created": _("created"),
                  "updated": _("updated"), "rejected": _("rejected")}
        stalled = not run.is_finished and run.created_at < timezone.now() - timedelta(minutes=5)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "run": run,
            "title": _("Import of the register"),
            "status_url": reverse(f"{self.admin_site.name}:assets_asset_import_status", args=[run.pk]),
            "labels_json": json.dumps({k: str(v) for k, v in labels.items()}, ensure_ascii=False),
            "resume_url": request.path if stalled else "",
        }
        return TemplateResponse(request, "assets/asset_import_progress.html", context)

    def import_status_view(self, request, import_id):
        run = self._import_run(request, import_id)
        return JsonResponse(import_state(run))

    def document_download_view(self, request, object_id, document_id):
        """The scan of a document, to staff who may read the register: audited, as an attachment."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        asset = self.get_object(request, object_id)
        if asset is None:
            raise Http404
        document = AssetDocument.objects.select_related("asset").filter(pk=document_id, asset=asset).first()
        return downloads.document_download(document=document, actor=request.user, request=request,
                                           source="back_office")

    def encumbrance_action_view(self, request, object_id, encumbrance_id, code):
        if code not in ENCUMBRANCE_ACTIONS:
            raise Http404
        action, form_class = ENCUMBRANCE_ACTIONS[code]
        asset = self.get_object(request, object_id)
        if asset is None:
            raise Http404
        encumbrance = Encumbrance.objects.filter(pk=encumbrance_id, asset=asset).first()
        if encumbrance is None:
            raise Http404
        if not self.has_change_permission(request, asset):
            raise PermissionDenied
        posted = request.method == "POST"
        initial = {name: getattr(encumbrance, name) for name in services.ENCUMBRANCE_FIELDS} if code == "change" else {}
        form = form_class(request.POST if posted else None, initial=initial)
        if posted and form.is_valid():
            data = form.cleaned_data
            try:
                if code == "change":
                    services.asset_encumbrance_update(
                        encumbrance=encumbrance, values={n: data[n] for n in services.ENCUMBRANCE_FIELDS},
                        actor=request.user, source="back_office")
                else:
                    services.asset_encumbrance_end(encumbrance=encumbrance, ended_on=data["ended_on"],
                                                   basis=data["basis"], actor=request.user, source="back_office")
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                self.message_user(request, action.done, messages.SUCCESS)
                return redirect(self._change_url(asset.pk))
        context = {
            **self.admin_site.each_context(request), "opts": self.opts,
            "title": f"{action.label}: {encumbrance}", "action": action, "asset": asset, "form": form,
            "change_url": self._change_url(asset.pk), "media": self.media + form.media,
        }
        return TemplateResponse(request, "assets/asset_action.html", context)

    def extract_view(self, request, fmt):
        if not self.has_view_permission(request):
            raise PermissionDenied
        stamp = timezone.localdate().strftime("%Y-%m-%d")
        audit_record(action="asset.extract_downloaded", actor=request.user, after={"format": fmt}, request=request)
        with translation.override("ru"):
            if fmt == "xlsx":
                import tempfile

                handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
                exports.write_xlsx(handle)
                handle.seek(0)
                return FileResponse(handle, as_attachment=True, filename=f"reestr-{stamp}.xlsx",
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            if fmt == "csv":
                section = request.GET.get("section", Section.REAL_ESTATE)
                if section not in (*Section.values, "holders"):
                    raise Http404
                lines = _ru(exports.csv_lines(section))
                response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="reestr-{section}-{stamp}.csv"'
                return response
            if fmt == "geojson":
                return StreamingHttpResponse(_ru(exports.geojson_chunks()), content_type="application/geo+json")
        raise Http404

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": _("Import the register")}
        stored = request.session.get("assets_import")
        step = request.POST.get("step") if request.method == "POST" else None
        if step in ("dry_run", "import") and stored:
            try:
                with _wizard_file(stored["file"]) as path_:
                    headers, proposed = imports.import_preview(path_, stored["name"])
            except (ValidationError, FileNotFoundError, OSError) as exc:
                request.session.pop("assets_import", None)
                context["upload_form"] = UploadForm()
                context["file_errors"] = exc.messages if isinstance(exc, ValidationError) else []
                return TemplateResponse(request, "assets/asset_import.html", context)
            form = MappingForm(request.POST, headers=headers, proposed=proposed)
            report = None
            if form.is_valid() and step == "import":
                # The import itself is a job: this page only starts it and shows its progress.
                try:
                    with _wizard_file(stored["file"]) as path_, path_.open("rb") as handle:
                        run = import_jobs.asset_import_start(upload=File(handle), filename=stored["name"],
                                                             mapping=form.mapping(), actor=request.user,
                                                             source="back_office")
                except ValidationError as exc:
                    context["file_errors"] = exc.messages
                else:
                    _wizard_forget(stored["file"])
                    request.session.pop("assets_import", None)
                    return redirect(reverse(f"{self.admin_site.name}:assets_asset_import_progress", args=[run.pk]))
            elif form.is_valid():
                try:
                    with _wizard_file(stored["file"]) as path_:
                        report = imports.assets_import(path=path_, filename=stored["name"], mapping=form.mapping(),
                                                       dry_run=True, actor=request.user)
                except ValidationError as exc:
                    context["file_errors"] = exc.messages
            if report is not None and report.applied:
                _wizard_forget(stored["file"])
                request.session.pop("assets_import", None)
                self.message_user(request, _("Imported: %(created)d created, %(updated)d updated.") % {
                    "created": report.created, "updated": report.updated}, messages.SUCCESS)
            context.update({"mapping_form": form, "report": report, "file_name": stored["name"],
                            "report_rows": report.rows[:1000] if report else []})
            return TemplateResponse(request, "assets/asset_import.html", context)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            stored_name = default_storage.save(f"{WIZARD_FOLDER}{uuid.uuid4().hex}{suffix}", upload)
            stored_name = stored_name[len(WIZARD_FOLDER):]
            try:
                with _wizard_file(stored_name) as path_:
                    headers, proposed = imports.import_preview(path_, upload.name)
            except ValidationError as exc:
                _wizard_forget(stored_name)
                add_service_errors(form, exc)
            else:
                request.session["assets_import"] = {"file": stored_name, "name": upload.name}
                context.update({"mapping_form": MappingForm(headers=headers, proposed=proposed),
                                "file_name": upload.name})
                return TemplateResponse(request, "assets/asset_import.html", context)
        context["upload_form"] = form
        return TemplateResponse(request, "assets/asset_import.html", context)


def import_state(run: AssetImport) -> dict:
    """What the progress page polls: small, no report rows."""
    return {"status": run.status, "finished": run.is_finished, "checked": run.checked, "percent": run.percent,
            "rowsTotal": run.rows_total, "rowsChecked": run.rows_checked, "rowsDone": run.rows_done,
            "created": run.created_count, "updated": run.updated_count, "rejected": run.rejected_count}


def _ru(chunks):
    """Stream ``chunks`` with Russian labels (the generator runs after the view has returned)."""
    with translation.override("ru"):
        yield from chunks


# --- right holders and settings ----------------------------------------------------------------------------------

class HolderForm(forms.ModelForm):
    class Meta:
        model = Holder
        fields = services.HOLDER_FIELDS

    def clean(self):
        cleaned = super().clean()
        merged = {name: getattr(self.instance, name, None) for name in services.HOLDER_FIELDS} | cleaned
        for name, errors in services.validate_holder_values(merged).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, errors)
        return cleaned


@admin.register(Holder, site=back_office)
class HolderAdmin(ModuleAdmin):
    form = HolderForm
    list_display = ("name", "kind", "inn", "ogrn", "head_name", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "inn", "ogrn")

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in services.HOLDER_FIELDS if name in form.cleaned_data}
        if change:
            saved = services.holder_update(holder=obj, values=values, actor=request.user)
        else:
            saved = services.holder_create(values=values, actor=request.user)
        obj.pk = saved.pk


@admin.register(AssetsSettings, site=back_office)
class AssetsSettingsAdmin(ModuleAdmin):
    view_action = change_action = SETTINGS
    fields = ("number_prefix", "number_digits", "movable_threshold")

    def has_add_permission(self, request, *args):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = AssetsSettings.current()
        return redirect(reverse(f"{self.admin_site.name}:assets_assetssettings_change", args=[row.pk]))

    def save_model(self, request, obj, form, change):
        services.assets_settings_update(values={name: form.cleaned_data[name] for name in self.fields},
                                        actor=request.user)


@admin.register(AssetImport, site=back_office)
class AssetImportAdmin(ModuleAdmin):
    """The register's imports, newest first: each opens its progress page (and report)."""

    view_action = CHANGE
    list_display = ("file_name", "status", "rows_total", "rows_done", "created_count", "updated_count",
                    "rejected_count", "actor_email", "created_at")
    list_display_links = None
    list_filter = ("status",)
    ordering = ("-created_at", "-pk")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        self.list_display_links = None
        return super().changelist_view(request, extra_context)

    def get_list_display(self, request):
        return ("progress", *self.list_display[1:])

    @admin.display(description=_("file"), ordering="file_name")
    def progress(self, obj: AssetImport) -> str:
        url = reverse(f"{self.admin_site.name}:assets_asset_import_progress", args=[obj.pk])
        return format_html('<a href="{}" class="asset-import-link">{}</a>', url, obj.file_name)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect(reverse(f"{self.admin_site.name}:assets_asset_import_progress", args=[object_id]))
