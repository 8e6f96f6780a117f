"""The housing stock and the utility networks of the property register, in each municipality's schema.

A profile adds what a housing or utilities manager needs to a register object: a ``HousingProfile`` to a
building, premises or complex (an apartment building, municipal premises in a building, a dormitory), a
``UtilityProfile`` to a structure, building or complex (a heat, water, sewer, electricity or gas network
section, or a facility such as a boiler house). Physical wear is a whole percentage; the condition band
follows from it by the municipality's scale (``HousingSettings``, the common reading of the
technical-condition scale by default)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.models import Asset, AssetKind


class HousingKind(models.TextChoices):
    APARTMENT_BUILDING = "apartment_building", _("apartment building")
    MUNICIPAL_PREMISES = "municipal_premises", _("municipal premises in a building")
    DORMITORY = "dormitory", _("dormitory")
    OTHER = "other", _("other housing")


# Which register objects may carry which profile.
HOUSING_ASSET_KINDS = {
    HousingKind.APARTMENT_BUILDING: (AssetKind.BUILDING, AssetKind.COMPLEX),
    HousingKind.DORMITORY: (AssetKind.BUILDING, AssetKind.COMPLEX),
    HousingKind.MUNICIPAL_PREMISES: (AssetKind.PREMISES,),
    HousingKind.OTHER: (AssetKind.BUILDING, AssetKind.PREMISES, AssetKind.COMPLEX),
}
HOUSING_KINDS_OF_ASSETS = frozenset(kind for kinds in HOUSING_ASSET_KINDS.values() for kind in kinds)


class WallMaterial(models.TextChoices):
    BRICK = "brick", _("brick")
    PANEL = "panel", _("concrete panels")
    BLOCK = "block", _("blocks")
    MONOLITH = "monolith", _("monolithic concrete")
    WOOD = "wood", _("wood")
    FRAME = "frame", _("frame and fill")
    MIXED = "mixed", _("mixed")
    OTHER = "other", _("other material")


class ConditionBand(models.TextChoices):
    GOOD = "good", _("good")
    SATISFACTORY = "satisfactory", _("satisfactory")
    UNSATISFACTORY = "unsatisfactory", _("unsatisfactory")
    DILAPIDATED = "dilapidated", _("dilapidated")
    UNUSABLE = "unusable", _("unusable")


class PlannedAction(models.TextChoices):
    DEMOLITION = "demolition", _("demolition")
    RECONSTRUCTION = "reconstruction", _("reconstruction")


class UtilityKind(models.TextChoices):
    HEAT_NETWORK = "heat_network", _("heat network")
    WATER_SUPPLY = "water_supply", _("water supply network")
    SEWER = "sewer", _("sewer network")
    ELECTRICITY = "electricity", _("power network")
    GAS = "gas", _("gas network")
    BOILER_HOUSE = "boiler_house", _("boiler house")
    PUMPING_STATION = "pumping_station", _("pumping station")
    TREATMENT_STATION = "treatment_station", _("treatment station")
    OTHER_FACILITY = "other_facility", _("other facility")


NETWORK_KINDS = (UtilityKind.HEAT_NETWORK, UtilityKind.WATER_SUPPLY, UtilityKind.SEWER, UtilityKind.ELECTRICITY,
                 UtilityKind.GAS)
FACILITY_KINDS = (UtilityKind.BOILER_HOUSE, UtilityKind.PUMPING_STATION, UtilityKind.TREATMENT_STATION,
                  UtilityKind.OTHER_FACILITY)
UTILITY_ASSET_KINDS = {
    **dict.fromkeys(NETWORK_KINDS, (AssetKind.STRUCTURE, AssetKind.COMPLEX)),
    **dict.fromkeys(FACILITY_KINDS, (AssetKind.BUILDING, AssetKind.STRUCTURE, AssetKind.COMPLEX)),
}
UTILITY_KINDS_OF_ASSETS = frozenset(kind for kinds in UTILITY_ASSET_KINDS.values() for kind in kinds)


class CapacityUnit(models.TextChoices):
    GCAL_PER_HOUR = "gcal_h", _("Gcal per hour")
    MEGAWATT = "mw", _("megawatts")
    CUBIC_METRES_PER_DAY = "m3_day", _("cubic metres per day")
    CUBIC_METRES_PER_HOUR = "m3_h", _("cubic metres per hour")
    KILOVOLT_AMPERE = "kva", _("kilovolt-amperes")


AREA = {"max_digits": 12, "decimal_places": 2}


class HousingSettings(models.Model):
    """One row per municipality: the upper wear percentage of each condition band (the rest up to 100
    is "unusable")."""

    good_max = models.PositiveSmallIntegerField(_("good: wear up to, %"), default=20)
    satisfactory_max = models.PositiveSmallIntegerField(_("satisfactory: wear up to, %"), default=40)
    unsatisfactory_max = models.PositiveSmallIntegerField(_("unsatisfactory: wear up to, %"), default=60)
    dilapidated_max = models.PositiveSmallIntegerField(
        _("dilapidated: wear up to, %"), default=80, help_text=_("Above it the condition is unusable."))

    class Meta:
        verbose_name = _("condition scale")
        verbose_name_plural = _("condition scale")

    def __str__(self) -> str:
        return str(_("condition scale"))

    @classmethod
    def current(cls) -> HousingSettings:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls.objects.create()

    def bounds(self) -> dict[str, tuple[int, int]]:
        """Each band's wear range, both ends inclusive."""
        return {
            ConditionBand.GOOD: (0, self.good_max),
            ConditionBand.SATISFACTORY: (self.good_max + 1, self.satisfactory_max),
            ConditionBand.UNSATISFACTORY: (self.satisfactory_max + 1, self.unsatisfactory_max),
            ConditionBand.DILAPIDATED: (self.unsatisfactory_max + 1, self.dilapidated_max),
            ConditionBand.UNUSABLE: (self.dilapidated_max + 1, 100),
        }

    def band_of(self, wear: int | None) -> str | None:
        if wear is None:
            return None
        for band, (low, high) in self.bounds().items():
            if low <= wear <= high:
                return band
        return None


class HousingProfile(models.Model):
    asset = models.OneToOneField(Asset, verbose_name=_("register object"), on_delete=models.CASCADE,
                                 related_name="housing_profile")
    housing_kind = models.CharField(_("housing kind"), max_length=24, choices=HousingKind.choices)
    building = models.ForeignKey(Asset, verbose_name=_("building"), on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="housing_premises",
                                 help_text=_("For municipal premises: the building they are in, when it is in the "
                                             "register."))
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    entrances = models.PositiveSmallIntegerField(_("entrances"), null=True, blank=True)
    apartments = models.PositiveSmallIntegerField(_("apartments"), null=True, blank=True)
    total_area = models.DecimalField(_("total area, sq. m"), **AREA)
    living_area = models.DecimalField(_("living area, sq. m"), null=True, blank=True, **AREA)
    wall_material = models.CharField(_("wall material"), max_length=16, choices=WallMaterial.choices, blank=True)
    wear_percent = models.PositiveSmallIntegerField(_("physical wear, %"))
    wear_assessed_on = models.DateField(_("wear assessed on"), null=True, blank=True)
    emergency = models.BooleanField(_("recognised in disrepair"), default=False)
    emergency_decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    emergency_decision_date = models.DateField(_("decision date"), null=True, blank=True)
    planned_action = models.CharField(_("planned action"), max_length=16, choices=PlannedAction.choices, blank=True)
    resettlement_planned_on = models.DateField(_("planned resettlement date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("housing profile")
        verbose_name_plural = _("housing stock")
        ordering = ("asset__register_number", "pk")
        indexes = [models.Index(fields=["wear_percent"]), models.Index(fields=["emergency"])]
        constraints = [
            models.CheckConstraint(condition=Q(wear_percent__lte=100), name="housing_wear_percent_range"),
            models.CheckConstraint(condition=Q(living_area__isnull=True) | Q(living_area__lte=models.F("total_area")),
                                   name="housing_living_within_total"),
            models.CheckConstraint(condition=Q(emergency=False) | (Q(emergency_decision_date__isnull=False)
                                                                   & ~Q(emergency_decision_number="")),
                                   name="housing_emergency_has_decision"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} — {self.get_housing_kind_display()}"


class UtilityProfile(models.Model):
    asset = models.OneToOneField(Asset, verbose_name=_("register object"), on_delete=models.CASCADE,
                                 related_name="utility_profile")
    kind = models.CharField(_("utility kind"), max_length=24, choices=UtilityKind.choices)
    length_m = models.DecimalField(_("length, m"), null=True, blank=True, **AREA)
    diameter_mm = models.PositiveIntegerField(_("diameter, mm"), null=True, blank=True)
    year_laid = models.PositiveSmallIntegerField(_("year laid"), null=True, blank=True)
    capacity = models.DecimalField(_("capacity"), max_digits=12, decimal_places=3, null=True, blank=True)
    capacity_unit = models.CharField(_("capacity unit"), max_length=8, choices=CapacityUnit.choices, blank=True)
    wear_percent = models.PositiveSmallIntegerField(_("physical wear, %"))
    wear_assessed_on = models.DateField(_("wear assessed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("utility profile")
        verbose_name_plural = _("utility networks and facilities")
        ordering = ("asset__register_number", "pk")
        indexes = [models.Index(fields=["kind", "wear_percent"])]
        constraints = [
            models.CheckConstraint(condition=Q(wear_percent__lte=100), name="utility_wear_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} — {self.get_kind_display()}"

    @property
    def is_network(self) -> bool:
        return self.kind in NETWORK_KINDS
