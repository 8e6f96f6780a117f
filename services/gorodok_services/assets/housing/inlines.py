"""The housing and utility profiles on a register object's page (read-only there: they change on their
own pages, through the services), and the links that open those pages from the object."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.housing.models import (
    HOUSING_KINDS_OF_ASSETS,
    UTILITY_KINDS_OF_ASSETS,
    ConditionBand,
    HousingProfile,
    HousingSettings,
    UtilityProfile,
)
from gorodok_services.assets.permissions import CHANGE, READ, assets_permit
from gorodok_tenants.console.mixins import ReadOnlyInlineMixin


class ProfileInline(ReadOnlyInlineMixin, admin.TabularInline):
    asset_kinds: frozenset = frozenset()
    show_change_link = True
    max_num = 1

    def may_view(self, request) -> bool:
        return assets_permit(request.user, READ)

    def has_view_permission(self, request, obj=None):
        # Only on the page of an object that has this profile (the page's links add one); without an
        # object the question is whether its rows may be read at all.
        if obj is None:
            return self.may_view(request)
        return (self.may_view(request) and obj.kind in self.asset_kinds
                and self.model.objects.filter(asset=obj).exists())

    @admin.display(description=_("condition"))
    def condition(self, obj) -> str:
        band = HousingSettings.current().band_of(obj.wear_percent)
        return ConditionBand(band).label if band else "—"


class HousingProfileInline(ProfileInline):
    model = HousingProfile
    fk_name = "asset"
    asset_kinds = HOUSING_KINDS_OF_ASSETS
    verbose_name_plural = _("housing profile")
    # The main figures; the profile's own page (the row's link) has the rest.
    fields = readonly_fields = ("housing_kind", "building", "year_built", "floors", "apartments", "total_area",
                                "wear_percent", "condition", "emergency", "emergency_decision_number",
                                "emergency_decision_date")


class UtilityProfileInline(ProfileInline):
    model = UtilityProfile
    fk_name = "asset"
    asset_kinds = UTILITY_KINDS_OF_ASSETS
    verbose_name_plural = _("utility profile")
    fields = readonly_fields = ("kind", "length_m", "diameter_mm", "year_laid", "capacity", "capacity_unit",
                                "wear_percent", "condition")


PROFILE_INLINES = (HousingProfileInline, UtilityProfileInline)


def profile_links(request, asset, site_name: str) -> list[dict]:
    """Links from an object's page to its profile pages ("add" when it has none yet), for those who change
    the register."""
    if not assets_permit(request.user, CHANGE) or asset.is_removed:
        return []
    links = []
    for model, kinds, add_label, change_label in (
            (HousingProfile, HOUSING_KINDS_OF_ASSETS, _("Add a housing profile"), _("Change the housing profile")),
            (UtilityProfile, UTILITY_KINDS_OF_ASSETS, _("Add a utility profile"), _("Change the utility profile"))):
        if asset.kind not in kinds:
            continue
        name = f"{site_name}:assets_housing_{model._meta.model_name}"
        existing = model.objects.filter(asset=asset).values_list("pk", flat=True).first()
        if existing is None:
            links.append({"label": add_label, "url": reverse(f"{name}_add") + f"?asset={asset.pk}"})
        else:
            links.append({"label": change_label, "url": reverse(f"{name}_change", args=[existing])})
    return links
