"""The housing stock and the utility networks in the back office: list pages with filters by condition
band, kind and disrepair; profile pages that save through the services (their refusals as form errors);
the condition scale (the administrator's). Access follows the assets module's rule table."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.admin import ModuleAdmin
from gorodok_services.assets.housing import services
from gorodok_services.assets.housing.models import (
    HOUSING_KINDS_OF_ASSETS,
    UTILITY_KINDS_OF_ASSETS,
    ConditionBand,
    HousingProfile,
    HousingSettings,
    UtilityProfile,
)
from gorodok_services.assets.housing.selectors import band_condition, housing_stock, utility_networks
from gorodok_services.assets.models import Asset, AssetKind, AssetStatus
from gorodok_services.assets.permissions import SETTINGS
from gorodok_tenants.console.sites import back_office


class BandFilter(admin.SimpleListFilter):
    title = _("condition")
    parameter_name = "band"

    def lookups(self, request, model_admin):
        return ConditionBand.choices

    def queryset(self, request, queryset):
        if self.value() in ConditionBand.values:
            return queryset.filter(band_condition(self.value()))
        return queryset


class InRegisterFilter(admin.SimpleListFilter):
    """Objects in the register by default; those removed from it on request (their profiles stay)."""

    title = _("in the register")
    parameter_name = "register"

    def lookups(self, request, model_admin):
        return (("removed", _("removed from the register")), ("all", _("all")))

    def choices(self, changelist):
        yield {"selected": self.value() is None, "display": _("in the register"),
               "query_string": changelist.get_query_string(remove=[self.parameter_name])}
        for lookup, title in self.lookup_choices:
            yield {"selected": self.value() == lookup, "display": title,
                   "query_string": changelist.get_query_string({self.parameter_name: lookup})}

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        if self.value() == "removed":
            return queryset.filter(asset__status=AssetStatus.REMOVED)
        return queryset.exclude(asset__status=AssetStatus.REMOVED)


class ProfileForm(forms.ModelForm):
    """Checks the whole profile with the service's rules, so a refusal shows on its field."""

    clean_values = None
    validate_values = None
    service_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        asset = cleaned.get("asset") or getattr(self.instance, "asset", None)
        if asset is None:
            return cleaned
        values = {name: getattr(self.instance, name, None) for name in self.service_fields}
        values.update({k: v for k, v in cleaned.items() if k in self.service_fields})
        values, errors = type(self).clean_values(values)
        for name, found in type(self).validate_values(asset, values, today=services.register_today()).items():
            errors.setdefault(name, found)
        for name, found in errors.items():
            target = name if name in self.fields else None
            if target is None or target not in self.errors:
                self.add_error(target, found)
        return cleaned

    def _post_clean(self):
        # The service checks and saves the profile; the model's own checks would only repeat its rules.
        pass


def _asset_choices(kinds) -> forms.ModelChoiceField:
    return Asset.objects.filter(kind__in=kinds).exclude(status=AssetStatus.REMOVED).order_by("register_number")


class HousingProfileForm(ProfileForm):
    clean_values = staticmethod(services.clean_housing_values)
    validate_values = staticmethod(services.validate_housing_values)
    service_fields = services.HOUSING_FIELDS

    class Meta:
        model = HousingProfile
        fields = ("asset", *services.HOUSING_FIELDS)


class UtilityProfileForm(ProfileForm):
    clean_values = staticmethod(services.clean_utility_values)
    validate_values = staticmethod(services.validate_utility_values)
    service_fields = services.UTILITY_FIELDS

    class Meta:
        model = UtilityProfile
        fields = ("asset", *services.UTILITY_FIELDS)


class ProfileAdmin(ModuleAdmin):
    list_display_links = ("register_number", "asset_name")
    list_select_related = ("asset",)
    search_fields = ("asset__name", "asset__address", "asset__register_number", "asset__cadastral_number")
    asset_kinds: frozenset = frozenset()
    service = None

    @admin.display(description=_("register number"), ordering="asset__register_number")
    def register_number(self, obj) -> str:
        return obj.asset.register_number

    @admin.display(description=_("name"), ordering="asset__name")
    def asset_name(self, obj) -> str:
        return obj.asset.name

    @admin.display(description=_("address"))
    def address(self, obj) -> str:
        return obj.asset.address

    @admin.display(description=_("condition"), ordering="wear_percent")
    def condition(self, obj) -> str:
        band = getattr(obj, "condition_band", None) or HousingSettings.current().band_of(obj.wear_percent)
        return ConditionBand(band).label if band else "—"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.asset.is_removed or not self.has_change_permission(request, obj):
            return ("asset", *self.form.service_fields)
        return ("asset",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "asset":
            kwargs["queryset"] = _asset_choices(self.asset_kinds).filter(
                **{f"{self.model._meta.get_field('asset').remote_field.related_name}__isnull": True})
        if db_field.name == "building":
            kwargs["queryset"] = _asset_choices((AssetKind.BUILDING,))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        asset = obj.asset if change else form.cleaned_data["asset"]
        values = {name: form.cleaned_data.get(name, getattr(obj, name, None)) for name in form.service_fields}
        saved = type(self).service(asset=asset, values=values, actor=request.user, source="back_office")
        for field in saved._meta.concrete_fields:  # what the admin's messages and log show
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False


@admin.register(HousingProfile, site=back_office)
class HousingProfileAdmin(ProfileAdmin):
    form = HousingProfileForm
    service = staticmethod(services.housing_profile_set)
    asset_kinds = HOUSING_KINDS_OF_ASSETS
    list_display = ("register_number", "asset_name", "address", "housing_kind", "year_built", "floors",
                    "apartments", "total_area", "wear_percent", "condition", "emergency")
    list_filter = ("housing_kind", BandFilter, "emergency", "wall_material", InRegisterFilter)
    fieldsets = (
        (_("Object"), {"fields": ("asset", "housing_kind", "building")}),
        (_("Building"), {"fields": ("year_built", "floors", "entrances", "apartments", "total_area", "living_area",
                                    "wall_material")}),
        (_("Condition"), {"fields": ("wear_percent", "wear_assessed_on")}),
        (_("Recognised in disrepair"), {"fields": (
            "emergency", "emergency_decision_number", "emergency_decision_date", "planned_action",
            "resettlement_planned_on")}),
    )

    def get_queryset(self, request):
        return housing_stock(include_removed=True)  # the list shows those in the register by default


@admin.register(UtilityProfile, site=back_office)
class UtilityProfileAdmin(ProfileAdmin):
    form = UtilityProfileForm
    service = staticmethod(services.utility_profile_set)
    asset_kinds = UTILITY_KINDS_OF_ASSETS
    list_display = ("register_number", "asset_name", "address", "kind", "length_m", "diameter_mm", "year_laid",
                    "capacity", "capacity_unit", "wear_percent", "condition")
    list_filter = ("kind", BandFilter, InRegisterFilter)
    fieldsets = (
        (_("Object"), {"fields": ("asset", "kind")}),
        (_("Network section"), {"fields": ("length_m", "diameter_mm", "year_laid")}),
        (_("Facility"), {"fields": ("capacity", "capacity_unit")}),
        (_("Condition"), {"fields": ("wear_percent", "wear_assessed_on")}),
    )

    def get_queryset(self, request):
        return utility_networks(include_removed=True)


class HousingSettingsForm(forms.ModelForm):
    class Meta:
        model = HousingSettings
        fields = services.BAND_FIELDS

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for name, found in services.validate_bands(cleaned).items():
                self.add_error(name, found)
        return cleaned


@admin.register(HousingSettings, site=back_office)
class HousingSettingsAdmin(ModuleAdmin):
    form = HousingSettingsForm
    view_action = change_action = SETTINGS

    def has_add_permission(self, request, *args):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = HousingSettings.current()
        return redirect(reverse(f"{self.admin_site.name}:assets_housing_housingsettings_change", args=[row.pk]))

    def save_model(self, request, obj, form, change):
        services.housing_settings_update(values={name: form.cleaned_data[name] for name in services.BAND_FIELDS},
                                         actor=request.user)
