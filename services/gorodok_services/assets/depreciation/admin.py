"""Depreciation in the back office: the defaults per kind of object, objects' own terms, the settings
(where the residual value comes from), and the month page (the municipality's totals for a month and
the refresh of residual values). Every change goes through one service; access follows the register's
rule table (``gorodok_services.assets.permissions``)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.admin import ModuleAdmin
from gorodok_services.assets.depreciation import services
from gorodok_services.assets.depreciation.models import (
    CategoryDefault,
    DepreciationProfile,
    DepreciationSettings,
)
from gorodok_services.assets.depreciation.selectors import depreciation_summary
from gorodok_services.assets.permissions import CHANGE, READ, SETTINGS, assets_permit
from gorodok_services.assets.services import register_today
from gorodok_tenants.console.mixins import add_service_errors
from gorodok_tenants.console.sites import back_office

MONTH_FORMATS = ["%Y-%m", "%m.%Y", "%Y-%m-%d", "%d.%m.%Y"]


class MonthForm(forms.Form):
    month = forms.DateField(label=_("month"), input_formats=MONTH_FORMATS,
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                            help_text=_("Year and month, e.g. 2026-11."))


class ServiceRulesForm(forms.ModelForm):
    """A model form whose values the service checks (get_form adds the check and its coded errors), not
    the model's full_clean."""

    def _post_clean(self):
        pass


class CategoryDefaultForm(ServiceRulesForm):
    class Meta:
        model = CategoryDefault
        fields = ("kind", "method", "useful_life_months", "coefficient")


@admin.register(CategoryDefault, site=back_office)
class CategoryDefaultAdmin(ModuleAdmin):
    form = CategoryDefaultForm
    list_display = ("kind", "method", "useful_life_months", "coefficient", "updated_at")
    list_filter = ("method",)
    change_list_template = "assets_depreciation/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return ("kind",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.depreciation_default_set(
            kind=obj.kind if change else data["kind"], method=data["method"],
            useful_life_months=data["useful_life_months"], coefficient=data.get("coefficient"), actor=request.user)
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        kind = obj.kind if obj is not None else None

        class ServiceCheckedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                if self.errors:
                    return cleaned
                try:
                    # Checked without saving: the service validates before it writes anything.
                    services.validate_default(kind=kind or cleaned.get("kind"), method=cleaned.get("method"),
                                              useful_life_months=cleaned.get("useful_life_months"),
                                              coefficient=cleaned.get("coefficient"), is_new=kind is None)
                except ValidationError as exc:
                    add_service_errors(self, exc)
                return cleaned

        return ServiceCheckedForm

    def changelist_view(self, request, extra_context=None):
        links = [{"label": _("Depreciation for a month"),
                  "url": reverse(f"{self.admin_site.name}:assets_depreciation_month")}]
        extra_context = {**(extra_context or {}), "depreciation_links": links}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [path("month/", self.admin_site.admin_view(self.month_view), name="assets_depreciation_month"),
                *super().get_urls()]

    def month_view(self, request):
        if not (self._module_on(request) and assets_permit(request.user, READ)):
            raise PermissionDenied
        may_refresh = assets_permit(request.user, CHANGE)
        today = register_today()
        month_form = MonthForm(request.GET or {"month": today.strftime("%Y-%m")})
        refresh_form = None
        if may_refresh:
            refresh_form = MonthForm(request.POST if request.method == "POST" else None,
                                     initial={"month": today.replace(day=1)}, prefix="refresh")
        elif request.method == "POST":
            raise PermissionDenied
        if refresh_form is not None and request.method == "POST" and refresh_form.is_valid():
            try:
                result = services.residual_values_refresh(month=refresh_form.cleaned_data["month"],
                                                          actor=request.user, source="back_office")
            except ValidationError as exc:
                add_service_errors(refresh_form, exc)
            else:
                self.message_user(request, _("Residual values refreshed for %(month)s: %(changed)d of %(considered)d "
                                             "objects changed.") % {"month": result.month.strftime("%m.%Y"),
                                                                    "changed": result.changed,
                                                                    "considered": result.considered},
                                  messages.SUCCESS)
                return redirect(reverse(f"{self.admin_site.name}:assets_depreciation_month")
                                + f"?month={result.month:%Y-%m}")
        summary = depreciation_summary(month_form.cleaned_data["month"]) if month_form.is_valid() else None
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("Depreciation for a month"),
            "month_form": month_form, "refresh_form": refresh_form, "summary": summary,
            "residual_source": DepreciationSettings.current().get_residual_source_display(),
        }
        return TemplateResponse(request, "assets_depreciation/month.html", context)


class ProfileForm(ServiceRulesForm):
    class Meta:
        model = DepreciationProfile
        fields = ("asset", "commissioned_on", "method", "useful_life_months", "coefficient")


@admin.register(DepreciationProfile, site=back_office)
class DepreciationProfileAdmin(ModuleAdmin):
    form = ProfileForm
    list_display = ("asset", "commissioned_on", "method", "useful_life_months", "coefficient")
    list_filter = ("method",)
    list_select_related = ("asset",)
    search_fields = ("asset__register_number", "asset__name", "asset__inventory_number")
    autocomplete_fields = ("asset",)

    def get_readonly_fields(self, request, obj=None):
        return ("asset",) if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        asset = obj.asset if obj is not None else None

        class ServiceCheckedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                target = asset or cleaned.get("asset")
                if self.errors or target is None:
                    return cleaned
                if asset is None and DepreciationProfile.objects.filter(asset=target).exists():
                    self.add_error("asset", _("This object already has its own terms: change them instead."))
                    return cleaned
                try:
                    services.validate_profile(asset=target, commissioned_on=cleaned.get("commissioned_on"),
                                              method=cleaned.get("method") or "",
                                              useful_life_months=cleaned.get("useful_life_months"),
                                              coefficient=cleaned.get("coefficient"))
                except ValidationError as exc:
                    add_service_errors(self, exc)
                return cleaned

        return ServiceCheckedForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.depreciation_profile_set(
            asset=obj.asset if change else data["asset"], commissioned_on=data.get("commissioned_on"),
            method=data.get("method") or "", useful_life_months=data.get("useful_life_months"),
            coefficient=data.get("coefficient"), actor=request.user, source="back_office")
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False


@admin.register(DepreciationSettings, site=back_office)
class DepreciationSettingsAdmin(ModuleAdmin):
    view_action = change_action = SETTINGS
    fields = ("residual_source",)

    def has_add_permission(self, request, *args):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = DepreciationSettings.current()
        return redirect(reverse(f"{self.admin_site.name}:assets_depreciation_depreciationsettings_change",
                                args=[row.pk]))

    def save_model(self, request, obj, form, change):
        services.depreciation_settings_update(residual_source=form.cleaned_data["residual_source"],
                                              actor=request.user)
