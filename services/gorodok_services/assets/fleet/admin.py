"""The ICT fleet in the back office: equipment (with filters for warranties ending soon), licences (with
filters for expiring and expired ones), the reminder settings, and on an object's page its ICT profile
and licences. Forms validate with the services' rules and save through the services; access follows the
register's rule table."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.admin import ModuleAdmin, ReadOnlyInline
from gorodok_services.assets.fleet import services
from gorodok_services.assets.fleet.models import ICT_KINDS, FleetSettings, IctProfile, Licence
from gorodok_services.assets.fleet.selectors import fleet_today
from gorodok_services.assets.models import Asset, AssetStatus, Section
from gorodok_services.assets.permissions import SETTINGS
from gorodok_tenants.console.sites import back_office


def ict_objects():
    return Asset.objects.filter(section=Section.MOVABLE, kind__in=ICT_KINDS).exclude(
        status=AssetStatus.REMOVED).order_by("register_number")


def buildings():
    return Asset.objects.filter(section=Section.REAL_ESTATE).exclude(status=AssetStatus.REMOVED).order_by("name")


def _copy(saved, obj) -> None:
    """The admin logs and links ``obj``: give it what the service saved."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))


# --- filters ---------------------------------------------------------------------------------------------------

class WarrantyFilter(admin.SimpleListFilter):
    title = _("warranty")
    parameter_name = "warranty"

    def lookups(self, request, model_admin):
        return (("ending", _("ends within the reminder period")), ("ended", _("ended")),
                ("valid", _("valid")), ("none", _("not recorded")))

    def queryset(self, request, queryset):
        today = fleet_today()
        days = FleetSettings.current().reminder_days
        if self.value() == "ending":
            return queryset.filter(warranty_until__gte=today, warranty_until__lte=today + timedelta(days=days))
        if self.value() == "ended":
            return queryset.filter(warranty_until__lt=today)
        if self.value() == "valid":
            return queryset.filter(warranty_until__gte=today)
        if self.value() == "none":
            return queryset.filter(warranty_until__isnull=True)
        return queryset


class LicenceTermFilter(admin.SimpleListFilter):
    title = _("term")
    parameter_name = "term"

    def lookups(self, request, model_admin):
        return (("expiring", _("expires within 30 days")), ("expired", _("expired")), ("valid", _("valid")),
                ("perpetual", _("perpetual")))

    def queryset(self, request, queryset):
        today = fleet_today()
        if self.value() == "expiring":
            return queryset.filter(valid_until__gte=today, valid_until__lte=today + timedelta(days=30))
        if self.value() == "expired":
            return queryset.filter(valid_until__lt=today)
        if self.value() == "valid":
            return queryset.filter(valid_from__lte=today).exclude(valid_until__lt=today)
        if self.value() == "perpetual":
            return queryset.filter(valid_until__isnull=True)
        return queryset


# --- equipment --------------------------------------------------------------------------------------------------

class IctProfileForm(forms.ModelForm):
    class Meta:
        model = IctProfile
        fields = ("asset", *services.PROFILE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "asset" in self.fields:
            self.fields["asset"].queryset = ict_objects().filter(ict_profile__isnull=True)
        if "building" in self.fields:
            self.fields["building"].queryset = buildings()

    def clean(self):
        cleaned = super().clean()
        asset = cleaned.get("asset") or getattr(self.instance, "asset", None)
        if asset is None:
            return cleaned
        merged = {name: cleaned.get(name) for name in services.PROFILE_FIELDS}
        for name, errors in services.validate_profile_values(asset, merged).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, errors)
        return cleaned

    def _post_clean(self):
        pass  # the service saves (the model's own checks would only repeat its rules)


@admin.register(IctProfile, site=back_office)
class IctProfileAdmin(ModuleAdmin):
    form = IctProfileForm
    list_display = ("asset", "inventory_number", "category", "building", "room", "responsible_name",
                    "warranty_until", "end_of_life")
    list_filter = ("category", WarrantyFilter, ("building", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("asset", "building")
    search_fields = ("asset__name", "asset__inventory_number", "asset__serial_number", "room", "responsible_name")
    ordering = ("asset__register_number",)

    @admin.display(description=_("inventory number"), ordering="asset__inventory_number")
    def inventory_number(self, obj: IctProfile) -> str:
        return obj.asset.inventory_number or "—"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.asset.is_removed or not self.has_change_permission(request, obj):
            return ("asset", *services.PROFILE_FIELDS)
        return ("asset",)

    def save_model(self, request, obj, form, change):
        asset = obj.asset if change else form.cleaned_data["asset"]
        values = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS if name in form.cleaned_data}
        saved = services.ict_profile_set(asset=asset, values=values, actor=request.user, source="back_office")
        _copy(saved, obj)

    def save_related(self, request, form, formsets, change):
        pass


# --- licences ---------------------------------------------------------------------------------------------------

class LicenceForm(forms.ModelForm):
    class Meta:
        model = Licence
        fields = (*services.LICENCE_FIELDS, "assets")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "assets" in self.fields:
            self.fields["assets"].queryset = ict_objects()
            self.fields["assets"].required = False

    def clean(self):
        cleaned = super().clean()
        merged = {name: cleaned.get(name) for name in services.LICENCE_FIELDS}
        merged["assets"] = list(cleaned.get("assets") or ())
        for name, errors in services.validate_licence_values(merged).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, errors)
        return cleaned

    def _post_clean(self):
        pass


@admin.register(Licence, site=back_office)
class LicenceAdmin(ModuleAdmin):
    form = LicenceForm
    list_display = ("product", "vendor", "seats", "valid_from", "valid_until", "yearly_cost", "installed")
    list_filter = (LicenceTermFilter,)
    search_fields = ("product", "vendor")
    filter_horizontal = ("assets",)

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(installed_on=Count("assets"))

    @admin.display(description=_("installed on, objects"), ordering="installed_on")
    def installed(self, obj: Licence) -> int:
        return obj.installed_on

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in services.LICENCE_FIELDS if name in form.cleaned_data}
        values["assets"] = list(form.cleaned_data.get("assets") or ())
        if change:
            saved = services.licence_update(licence=obj, values=values, actor=request.user, source="back_office")
        else:
            saved = services.licence_create(values=values, actor=request.user, source="back_office")
        _copy(saved, obj)

    def save_related(self, request, form, formsets, change):
        pass  # the service sets the objects it is installed on


@admin.register(FleetSettings, site=back_office)
class FleetSettingsAdmin(ModuleAdmin):
    view_action = change_action = SETTINGS
    fields = ("reminder_days", "reminder_email")

    def has_add_permission(self, request, *args):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = FleetSettings.current()
        if row.pk is None:
            row.save()
        return redirect(reverse(f"{self.admin_site.name}:assets_fleet_fleetsettings_change", args=[row.pk]))

    def save_model(self, request, obj, form, change):
        services.fleet_settings_update(values={name: form.cleaned_data[name] for name in self.fields},
                                       actor=request.user)


# --- on the object's page -------------------------------------------------------------------------------------

class IctProfileInline(ReadOnlyInline):
    model = IctProfile
    fk_name = "asset"
    fields = readonly_fields = ("category", "building", "room", "responsible_name", "responsible_position",
                                "warranty_until", "end_of_life")
    verbose_name = _("ICT profile")
    verbose_name_plural = _("ICT profile")


class LicenceInline(ReadOnlyInline):
    model = Licence.assets.through
    fields = readonly_fields = ("product", "valid_until")
    verbose_name = _("software licence")
    verbose_name_plural = _("software licences")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("licence")

    @admin.display(description=_("product"))
    def product(self, obj) -> str:
        return str(obj.licence)

    @admin.display(description=_("valid until"))
    def valid_until(self, obj):
        return obj.licence.valid_until or _("perpetual")


def _add_to_the_object_page(*inlines) -> None:
    """Show these on a register object's page (the site keeps its own copy of the admin's inlines)."""
    model_admin = back_office.get_model_admin(Asset)
    model_admin.inlines = [*model_admin.inlines, *inlines]


_add_to_the_object_page(IctProfileInline, LicenceInline)
