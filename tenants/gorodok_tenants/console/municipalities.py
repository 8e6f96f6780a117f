"""The municipalities list and forms of the regional console."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gorodok_tenants.console.permissions import RegionalPermissionsMixin, is_regional_admin
from gorodok_tenants.lifecycle.services import (
    UPDATABLE_FIELDS,
    municipality_host_delete,
    municipality_host_save,
    municipality_resume,
    municipality_suspend,
    municipality_update,
)
from gorodok_tenants.models import (
    Domain,
    Municipality,
    MunicipalityCounter,
    MunicipalityKind,
    MunicipalityStatus,
)
from gorodok_tenants.modules import registered_modules
from gorodok_tenants.modules.counters import counter_labels, short_counter_labels
from gorodok_tenants.provisioning.municipalities import (
    MunicipalitySpec,
    municipality_admin_invite,
    municipality_build,
    municipality_create,
)
from gorodok_tenants.upgrades.schema_version import code_schema_version

TIMEZONE_CHOICES = [
    (zone, zone) for zone in sorted(zoneinfo.available_timezones()) if zone.startswith(("Asia/", "Europe/"))
]


class MunicipalityCreateForm(forms.ModelForm):
    admin_email = forms.EmailField(
        label=_("Administrator's e-mail"),
        help_text=_("Receives a one-time sign-in link to the municipality's back office."),
    )
    timezone = forms.ChoiceField(label=_("time zone"), choices=TIMEZONE_CHOICES, initial="Asia/Krasnoyarsk")

    class Meta:
        model = Municipality
        fields = ("name", "name_en", "slug", "oktmo", "kind", "parent", "timezone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Municipality.objects.filter(kind=MunicipalityKind.MUNICIPAL_DISTRICT)

    def spec(self) -> MunicipalitySpec:
        data = self.cleaned_data
        return MunicipalitySpec(
            name=data["name"], name_en=data["name_en"], slug=data["slug"], oktmo=data["oktmo"], kind=data["kind"],
            parent_oktmo=data["parent"].oktmo if data.get("parent") else None, timezone=data["timezone"],
        )

    def _post_clean(self):
        # The provisioning service validates exactly what it will create (host included).
        if self.errors:
            return
        try:
            municipality_build(spec=self.spec())
        except ValidationError as error:
            items = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.error_list)]
            for field, errors in items:
                if field == "schema_name":  # derived from the slug
                    field = None if "slug" in getattr(error, "error_dict", {}) else "slug"
                    if field is None:
                        continue
                self.add_error(field if field in self.fields else None, errors)


class MunicipalityChangeForm(forms.ModelForm):
    modules = forms.MultipleChoiceField(
        label=_("modules"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("A module switched off disappears from the municipality's back office and API; "
                    "its data is kept and returns when it is switched on again."),
    )

    class Meta:
        model = Municipality
        fields = ("name", "name_en", "timezone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        modules = registered_modules()
        self.fields["modules"].choices = [(code, module.name) for code, module in modules.items()]
        disabled = set(self.instance.disabled_modules or [])
        self.fields["modules"].initial = [code for code in modules if code not in disabled]


class DomainForm(forms.ModelForm):
    class Meta:
        model = Domain
        fields = ("domain", "is_primary")
        labels = {"domain": _("host"), "is_primary": _("primary host")}


class DomainInline(admin.TabularInline):
    model = Domain
    form = DomainForm
    extra = 0
    fields = ("domain", "is_primary")
    verbose_name = _("host")
    verbose_name_plural = _("hosts")

    def has_add_permission(self, request, obj=None):
        return is_regional_admin(request)

    def has_change_permission(self, request, obj=None):
        return is_regional_admin(request)

    def has_delete_permission(self, request, obj=None):
        return is_regional_admin(request)

    def has_view_permission(self, request, obj=None):
        return True


class MunicipalityAdmin(RegionalPermissionsMixin, admin.ModelAdmin):
    list_display = ("name", "oktmo", "kind", "status_badge", "hosts", "modules", "schema_state", "figures",
                    "last_activity_at")
    list_filter = ("status", "kind")
    search_fields = ("name", "name_en", "oktmo", "slug")
    ordering = ("name",)
    list_per_page = 100
    actions = ("suspend_selected", "resume_selected", "export_selected", "refresh_figures")
    inlines = (DomainInline,)
    readonly_fields = ("slug", "oktmo", "kind", "parent", "schema", "status", "schema_version",
                       "figures", "created_at", "updated_at", "last_activity_at")
    change_list_template = "gorodok_tenants/console/municipality_change_list.html"
    change_form_template = "gorodok_tenants/console/municipality_change_form.html"

    # --- list ------------------------------------------------------------------------------------

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .select_related("parent")
            .prefetch_related(
                Prefetch("domains", queryset=Domain.objects.order_by("-is_primary", "domain")),
                Prefetch("counters", queryset=MunicipalityCounter.objects.order_by("key")),
            )
        )

    @admin.display(description=_("schema"))
    def schema(self, obj: Municipality) -> str:
        return obj.schema_name

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: Municipality):
        colours = {MunicipalityStatus.ACTIVE: "#2e7d32", MunicipalityStatus.SUSPENDED: "#e65100",
                   MunicipalityStatus.ARCHIVED: "#616161"}
        return format_html('<strong style="color:{}">{}</strong>', colours.get(obj.status, "#000"),
                           obj.get_status_display())

    @admin.display(description=_("hosts"))
    def hosts(self, obj: Municipality):
        return format_html_join(", ", "{}", ((d.domain,) for d in obj.domains.all()))

    @admin.display(description=_("modules"))
    def modules(self, obj: Municipality):
        # Every module on is the usual case: say so in a word, the names in the tooltip, so a row stays short.
        modules = registered_modules()
        disabled = set(obj.disabled_modules or [])
        names = [str(module.name) for code, module in modules.items() if code not in disabled]
        if not names:
            return "—"
        if len(names) == len(modules) > 1:
            return format_html('<span title="{}">{}</span>', ", ".join(names),
                               _("all (%(count)d)") % {"count": len(names)})
        return ", ".join(names)

    @admin.display(description=_("schema version"), ordering="schema_version")
    def schema_state(self, obj: Municipality):
        if not obj.schema_version:
            return "—"
        if obj.schema_version == code_schema_version():
            return format_html('<span title="{}">✓ {}</span>', obj.schema_version, _("current"))
        return format_html('<span style="color:#e65100" title="{}">{}</span>', obj.schema_version,
                           _("upgrade pending"))

    @admin.display(description=_("figures"))
    def figures(self, obj: Municipality):
        # Short labels ("open: 5"), the module's name in the tooltip, side by side and wrapping in the
        # column: a row stays a few lines high however many modules report figures.
        labels = counter_labels()
        short = short_counter_labels()
        disabled = set(obj.disabled_modules or [])
        rows = [(labels.get(c.key, c.key), short.get(c.key, c.key), c.value) for c in obj.counters.all()
                if c.key.split(".", 1)[0] not in disabled]
        if not rows:
            return "—"
        return format_html('<span class="gorodok-figures">{}</span>',
                           format_html_join(mark_safe(" · "), '<span title="{}">{}:&nbsp;{}</span>', rows))

    # --- forms -----------------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = MunicipalityChangeForm if obj is not None else MunicipalityCreateForm
        kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ("name", "name_en", "slug", "oktmo", "kind", "parent", "timezone",
                                       "admin_email")}),)
        return (
            (None, {"fields": ("name", "name_en", "timezone", "modules")}),
            (_("Identity"), {"fields": ("slug", "oktmo", "kind", "parent", "schema")}),
            (_("State"), {"fields": ("status", "schema_version", "figures", "last_activity_at",
                                     "created_at", "updated_at")}),
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if not change:
            created = municipality_create(spec=form.spec(), actor=request.user)
            invitation = municipality_admin_invite(municipality=created, email=form.cleaned_data["admin_email"],
                                                   actor=request.user)
            obj.pk = created.pk
            obj._state = created._state
            self.message_user(request, _("Sign-in link for %(email)s (also sent by e-mail outside development): "
                                         "%(link)s") % {"email": invitation.email, "link": invitation.link})
            return
        updated = municipality_update(municipality=obj, actor=request.user, request=request,
                                      modules=form.cleaned_data.get("modules") or [],
                                      **{name: form.cleaned_data[name] for name in UPDATABLE_FIELDS})
        obj.__dict__.update(updated.__dict__)

    def save_formset(self, request, form, formset, change):
        # The inline's form validated each host; saving and deleting go through the services.
        municipality = form.instance
        for host in formset.save(commit=False):
            municipality_host_save(municipality=municipality, host=host, actor=request.user, request=request)
        for host in formset.deleted_objects:
            municipality_host_delete(municipality=municipality, host=host, actor=request.user, request=request)

    # --- actions ---------------------------------------------------------------------------------

    def get_actions(self, request):
        return super().get_actions(request) if is_regional_admin(request) else {}

    def _each(self, request, queryset, operation, done_message):
        done = 0
        for municipality in queryset:
            try:
                operation(municipality=municipality, actor=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{municipality}: {'; '.join(error.messages)}", messages.WARNING)
        if done:
            self.message_user(request, done_message(done))

    @admin.action(description=_("Suspend the selected municipalities"))
    def suspend_selected(self, request, queryset):
        self._each(request, queryset, municipality_suspend,
                   lambda n: ngettext("%d municipality suspended.", "%d municipalities suspended.", n) % n)

    @admin.action(description=_("Resume the selected municipalities"))
    def resume_selected(self, request, queryset):
        self._each(request, queryset, municipality_resume,
                   lambda n: ngettext("%d municipality resumed.", "%d municipalities resumed.", n) % n)

    @admin.action(description=_("Export the selected municipalities (archive files, nothing dropped)"))
    def export_selected(self, request, queryset):
        from gorodok_tenants.console.lifecycle import task_url
        from gorodok_tenants.lifecycle.tasks import console_task_start
        from gorodok_tenants.models import ConsoleTaskKind

        def export(*, municipality, actor):
            task = console_task_start(kind=ConsoleTaskKind.EXPORT, actor=actor, municipality=municipality)
            self.message_user(request, format_html('{}: <a href="{}">{}</a>', municipality.name,
                                                   task_url(self.admin_site, task), _("export started, progress")))

        self._each(request, queryset.exclude(status=MunicipalityStatus.ARCHIVED), export,
                   lambda n: ngettext("%d export started.", "%d exports started.", n) % n)

    @admin.action(description=_("Refresh the figures of the selected municipalities now"))
    def refresh_figures(self, request, queryset):
        from gorodok_tenants.modules.counters import municipality_counters_refresh

        for municipality in queryset.exclude(status=MunicipalityStatus.ARCHIVED):
            municipality_counters_refresh(municipality=municipality)
        self.message_user(request, _("Figures refreshed at %(time)s.") % {
            "time": timezone.localtime().strftime("%H:%M")})

    # --- extra views -----------------------------------------------------------------------------

    def get_urls(self):
        from gorodok_tenants.console.bulk import BulkImportView
        from gorodok_tenants.console.lifecycle import archive_view

        site = self.admin_site
        custom = [
            path("import/", site.admin_view(BulkImportView.as_view(model_admin=self)),
                 name="gorodok_tenants_municipality_import"),
            path("<int:municipality_id>/archive/",
                 site.admin_view(lambda request, municipality_id: archive_view(request, site, municipality_id)),
                 name="gorodok_tenants_municipality_archive"),
        ]
        return custom + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = extra_context or {}
        extra_context["can_import"] = is_regional_admin(request)
        extra_context["import_url"] = reverse(f"{self.admin_site.name}:gorodok_tenants_municipality_import")
        return super().changelist_view(request, extra_context)

