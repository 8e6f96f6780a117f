"""Writes of the housing stock and the utility networks. Each function is atomic and validates the whole
profile before writing anything; a refusal is a ValidationError with codes from ``error_codes`` (several
fields at once). A change is recorded in the object's history and the audit log and tells webhook
subscribers through the existing ``asset.changed`` event with the changed fields
(``housing.wear_percent``, ``utility.length_m``, ...)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gorodok_platform.audit.services import audit_record
from gorodok_platform.integrations.outbox import outbox_emit
from gorodok_services.assets.housing import error_codes as codes
from gorodok_services.assets.housing.models import (
    FACILITY_KINDS,
    HOUSING_ASSET_KINDS,
    NETWORK_KINDS,
    UTILITY_ASSET_KINDS,
    CapacityUnit,
    HousingKind,
    HousingProfile,
    HousingSettings,
    PlannedAction,
    UtilityKind,
    UtilityProfile,
    WallMaterial,
)
from gorodok_services.assets.models import Asset, AssetChange, AssetKind
from gorodok_services.assets.module import CHANGED
from gorodok_services.assets.services import asset_event_data, register_today

EARLIEST_YEAR = 1700
MAX_AREA = Decimal("9999999999.99")
MAX_CAPACITY = Decimal("999999999.999")
MAX_SMALL = 32767

HOUSING_FIELDS = (
    "housing_kind", "building", "year_built", "floors", "entrances", "apartments", "total_area", "living_area",
    "wall_material", "wear_percent", "wear_assessed_on", "emergency", "emergency_decision_number",
    "emergency_decision_date", "planned_action", "resettlement_planned_on",
)
UTILITY_FIELDS = ("kind", "length_m", "diameter_mm", "year_laid", "capacity", "capacity_unit", "wear_percent",
                  "wear_assessed_on")
NETWORK_FIELDS = ("length_m", "diameter_mm", "year_laid")
FACILITY_FIELDS = ("capacity", "capacity_unit")
TEXT_FIELDS = {"housing_kind", "wall_material", "emergency_decision_number", "planned_action", "kind",
               "capacity_unit"}


class Errors(dict):
    def add(self, name: str, message, code: str) -> None:
        self.setdefault(name, []).append(ValidationError(message, code=code))


def _plain(value):
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, Asset):
        return value.register_number
    return value


def _decimal(errors: Errors, name: str, value, limit: Decimal, places: int):
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite():
        errors.add(name, _("Not a number, or too large."), "invalid")
        return None
    if number < 0:
        errors.add(name, _("Cannot be negative."), codes.NEGATIVE_VALUE)
    elif number > limit:
        errors.add(name, _("Not a number, or too large."), "invalid")
    return number


def _clean(values: dict, fields: tuple[str, ...]) -> dict:
    cleaned = {}
    for name in fields:
        value = values.get(name)
        if name in TEXT_FIELDS:
            value = (value or "").strip() if isinstance(value, str) or value is None else value
        elif name == "emergency":
            value = bool(value)
        cleaned[name] = value
    return cleaned


def _check_wear(errors: Errors, values: dict, today: date) -> None:
    wear = values.get("wear_percent")
    if wear is None:
        errors.add("wear_percent", _("Give the physical wear in percent."), "required")
    elif not isinstance(wear, int) or not 0 <= wear <= 100:
        errors.add("wear_percent", _("Physical wear is a percentage from 0 to 100."), codes.WEAR_OUT_OF_RANGE)
    assessed = values.get("wear_assessed_on")
    if assessed is not None and assessed > today:
        errors.add("wear_assessed_on", _("A date cannot be in the future."), codes.FUTURE_DATE)


def _check_year(errors: Errors, name: str, values: dict, today: date) -> None:
    year = values.get(name)
    if year is not None and not (isinstance(year, int) and EARLIEST_YEAR <= year <= today.year):
        errors.add(name, _("A year between %(first)d and this year.") % {"first": EARLIEST_YEAR},
                   codes.YEAR_OUT_OF_RANGE)


def _check_at_least_one(errors: Errors, name: str, values: dict, required: bool = False) -> None:
    value = values.get(name)
    if value is None:
        if required:
            errors.add(name, _("This field is required."), "required")
    elif not isinstance(value, int) or value < 1:
        errors.add(name, _("At least 1."), codes.BELOW_ONE)
    elif value > MAX_SMALL:
        errors.add(name, _("Not a number, or too large."), "invalid")


def _check_asset(errors: Errors, asset: Asset, allowed_kinds, kind_label) -> None:
    if asset.is_removed:
        errors.add("asset", _("The object was removed from the register; it can no longer change."),
                   codes.ALREADY_REMOVED)
    if allowed_kinds is not None and asset.kind not in allowed_kinds:
        errors.add("asset", _("A register object of kind “%(asset)s” cannot carry the profile “%(what)s”.") % {
            "asset": AssetKind(asset.kind).label, "what": kind_label}, codes.WRONG_ASSET_KIND)


# --- housing ------------------------------------------------------------------------------------------------

def validate_housing_values(asset: Asset, values: dict, *, today: date) -> dict[str, list[ValidationError]]:
    """The rules of a housing profile (``values`` already cleaned); reads only the linked building."""
    errors = Errors()
    kind = values["housing_kind"]
    if kind not in HousingKind.values:
        errors.add("housing_kind", _("Choose the housing kind."), "invalid_choice" if kind else "required")
    else:
        _check_asset(errors, asset, HOUSING_ASSET_KINDS[HousingKind(kind)], HousingKind(kind).label)
    building = values.get("building")
    if building is not None:
        if kind != HousingKind.MUNICIPAL_PREMISES:
            errors.add("building", _("Only municipal premises are linked to the building they are in."), "invalid")
        elif building.kind != AssetKind.BUILDING:
            errors.add("building", _("Premises can only be in a register object of kind “building”."),
                       codes.NOT_A_BUILDING)
        elif building.pk == asset.pk:
            errors.add("building", _("Premises cannot be in themselves."), codes.NOT_A_BUILDING)
        elif building.is_removed:
            errors.add("building", _("The building was removed from the register."), codes.ALREADY_REMOVED)
    if values.get("wall_material") and values["wall_material"] not in WallMaterial.values:
        errors.add("wall_material", _("Choose the wall material."), "invalid_choice")
    _check_year(errors, "year_built", values, today)
    building_kinds = (HousingKind.APARTMENT_BUILDING, HousingKind.DORMITORY)
    _check_at_least_one(errors, "floors", values, required=kind in building_kinds)
    _check_at_least_one(errors, "apartments", values, required=kind == HousingKind.APARTMENT_BUILDING)
    _check_at_least_one(errors, "entrances", values)
    if values.get("total_area") is None and "total_area" not in errors:
        errors.add("total_area", _("This field is required."), "required")
    elif values.get("total_area") is not None and values["total_area"] <= 0 and "total_area" not in errors:
        errors.add("total_area", _("The area must be above zero."), codes.NEGATIVE_VALUE)
    total, living = values.get("total_area"), values.get("living_area")
    if (total is not None and living is not None and living > total
            and not {"total_area", "living_area"} & errors.keys()):
        errors.add("living_area", _("The living area cannot exceed the total area."), codes.LIVING_ABOVE_TOTAL)
    _check_wear(errors, values, today)
    if kind == HousingKind.MUNICIPAL_PREMISES and values.get("emergency"):
        errors.add("emergency", _("Premises are not recognised in disrepair: the building they are in is."),
                   "invalid")
    else:
        _check_emergency(errors, values, today)
    if len(values.get("emergency_decision_number") or "") > 64:
        errors.add("emergency_decision_number", _("At most %(limit)d characters.") % {"limit": 64}, "max_length")
    return dict(errors)


def _check_emergency(errors: Errors, values: dict, today: date) -> None:
    number, decided = values.get("emergency_decision_number"), values.get("emergency_decision_date")
    action, resettlement = values.get("planned_action"), values.get("resettlement_planned_on")
    if action and action not in PlannedAction.values:
        errors.add("planned_action", _("Choose demolition or reconstruction."), "invalid_choice")
    if not values.get("emergency"):
        for name, value in (("emergency_decision_number", number), ("emergency_decision_date", decided),
                            ("planned_action", action), ("resettlement_planned_on", resettlement)):
            if value:
                errors.add(name, _("Only a building recognised in disrepair has a decision and planned action."),
                           codes.NOT_EMERGENCY)
        return
    if not number:
        errors.add("emergency_decision_number",
                   _("A building recognised in disrepair needs the decision's number."), codes.DECISION_REQUIRED)
    if decided is None:
        errors.add("emergency_decision_date",
                   _("A building recognised in disrepair needs the decision's date."), codes.DECISION_REQUIRED)
    elif decided > today:
        errors.add("emergency_decision_date", _("A date cannot be in the future."), codes.FUTURE_DATE)
    elif resettlement is not None and resettlement < decided:
        errors.add("resettlement_planned_on", _("Resettlement cannot be planned before the decision."),
                   codes.INVALID_DATES)


def clean_housing_values(values: dict) -> tuple[dict, dict[str, list[ValidationError]]]:
    """The values as the model keeps them, and the errors of turning them into numbers."""
    errors = Errors()
    cleaned = _clean(values, HOUSING_FIELDS)
    for name in ("total_area", "living_area"):
        cleaned[name] = _decimal(errors, name, cleaned[name], MAX_AREA, 2)
    return cleaned, dict(errors)


def _history(asset: Asset, action: str, actor, changes: dict, source: str) -> None:
    entry = AssetChange.objects.create(asset=asset, action=action, changes=changes, source=source,
                                       actor_email=getattr(actor, "email", "")
                                       if getattr(actor, "is_authenticated", False) else "")
    audit_record(action=f"asset.{action}", actor=actor, target=asset,
                 before={k: v[0] for k, v in changes.items()},
                 after={"history_entry": entry.pk, **{k: v[1] for k, v in changes.items()}})


def _locked_asset(asset: Asset) -> Asset:
    return Asset.objects.select_for_update().select_related("holder").get(pk=asset.pk)


def housing_profile_data(profile: HousingProfile) -> dict:
    """A profile as the events carry it (JSON: numbers and dates as text, the building by register number)."""
    return {name: _plain(getattr(profile, name)) for name in HOUSING_FIELDS}


@transaction.atomic
def housing_profile_set(*, asset: Asset, values: dict, actor=None, source: str = "") -> HousingProfile:
    """Give a building, premises or complex its housing profile, or replace it: ``values`` is the whole
    profile (a field left out is empty). Only what differs is written and recorded."""
    asset = _locked_asset(asset)
    cleaned, errors = clean_housing_values(values)
    building = cleaned.get("building")
    if building is not None:
        cleaned["building"] = Asset.objects.filter(pk=building.pk).first()
    for name, found in validate_housing_values(asset, cleaned, today=register_today()).items():
        if name not in errors:
            errors[name] = found
    if errors:
        raise ValidationError(errors)
    return _write_profile(HousingProfile, "housing", asset, cleaned, actor, source, housing_profile_data)


def _write_profile(model, prefix: str, asset: Asset, cleaned: dict, actor, source: str, as_data):
    """Create or replace a profile of ``asset`` (row locked): only what differs is written, recorded in
    the object's history (``<prefix>_set``) and sent as ``asset.changed`` with the whole profile."""
    profile = model.objects.select_for_update().filter(asset=asset).first()
    created = profile is None
    if created:
        profile = model(asset=asset)
    changes = {f"{prefix}.{name}": [None if created else _plain(getattr(profile, name)), _plain(value)]
               for name, value in cleaned.items() if created or getattr(profile, name) != value}
    if created:
        changes = {k: v for k, v in changes.items() if v[1] not in (None, "", False)}
    elif not changes:
        return profile
    for name, value in cleaned.items():
        setattr(profile, name, value)
    profile.save()
    _history(asset, f"{prefix}_set", actor, changes, source)
    outbox_emit(CHANGED, asset_event_data(asset, changed=sorted(changes), **{prefix: as_data(profile)}))
    return profile


# --- utilities ----------------------------------------------------------------------------------------------

def validate_utility_values(asset: Asset, values: dict, *, today: date) -> dict[str, list[ValidationError]]:
    errors = Errors()
    kind = values["kind"]
    if kind not in UtilityKind.values:
        errors.add("kind", _("Choose the kind of network or facility."), "invalid_choice" if kind else "required")
    else:
        _check_asset(errors, asset, UTILITY_ASSET_KINDS[UtilityKind(kind)], UtilityKind(kind).label)
    if kind in FACILITY_KINDS:
        for name in NETWORK_FIELDS:
            if values.get(name) not in (None, ""):
                errors.add(name, _("Length, diameter and the year laid are for networks, not facilities."),
                           codes.NETWORK_FIELDS_ON_FACILITY)
        if values.get("capacity") is not None and not values.get("capacity_unit") and "capacity" not in errors:
            errors.add("capacity_unit", _("Give the unit of the capacity."), codes.UNIT_REQUIRED)
        if values.get("capacity_unit") and values["capacity_unit"] not in CapacityUnit.values:
            errors.add("capacity_unit", _("Choose the unit of the capacity."), "invalid_choice")
    if kind in NETWORK_KINDS:
        for name in FACILITY_FIELDS:
            if values.get(name) not in (None, ""):
                errors.add(name, _("Capacity is for facilities, not networks."), codes.FACILITY_FIELDS_ON_NETWORK)
        length = values.get("length_m")
        if length is None and "length_m" not in errors:
            errors.add("length_m", _("Give the length of the network section."), "required")
        elif length is not None and length <= 0 and "length_m" not in errors:
            errors.add("length_m", _("The length must be above zero."), codes.NEGATIVE_VALUE)
        diameter = values.get("diameter_mm")
        if diameter is not None and not (isinstance(diameter, int) and 1 <= diameter <= 10000):
            errors.add("diameter_mm", _("A diameter from 1 to 10,000 mm."),
                       codes.BELOW_ONE if isinstance(diameter, int) and diameter < 1 else "invalid")
        _check_year(errors, "year_laid", values, today)
    _check_wear(errors, values, today)
    return dict(errors)


def clean_utility_values(values: dict) -> tuple[dict, dict[str, list[ValidationError]]]:
    errors = Errors()
    cleaned = _clean(values, UTILITY_FIELDS)
    cleaned["length_m"] = _decimal(errors, "length_m", cleaned["length_m"], MAX_AREA, 2)
    cleaned["capacity"] = _decimal(errors, "capacity", cleaned["capacity"], MAX_CAPACITY, 3)
    return cleaned, dict(errors)


def utility_profile_data(profile: UtilityProfile) -> dict:
    return {name: _plain(getattr(profile, name)) for name in UTILITY_FIELDS}


@transaction.atomic
def utility_profile_set(*, asset: Asset, values: dict, actor=None, source: str = "") -> UtilityProfile:
    """Give a structure, building or complex its utility profile (a network section or a facility), or
    replace it: ``values`` is the whole profile. Only what differs is written and recorded."""
    asset = _locked_asset(asset)
    cleaned, errors = clean_utility_values(values)
    for name, found in validate_utility_values(asset, cleaned, today=register_today()).items():
        if name not in errors:
            errors[name] = found
    if errors:
        raise ValidationError(errors)
    return _write_profile(UtilityProfile, "utility", asset, cleaned, actor, source, utility_profile_data)


# --- settings -----------------------------------------------------------------------------------------------

BAND_FIELDS = ("good_max", "satisfactory_max", "unsatisfactory_max", "dilapidated_max")


def validate_bands(values: dict) -> dict[str, list[ValidationError]]:
    """Four rising upper bounds between 0 and 99 (the last band, unusable, ends at 100)."""
    numbers = [values.get(name) for name in BAND_FIELDS]
    if any(not isinstance(n, int) for n in numbers) or not (
            0 <= numbers[0] < numbers[1] < numbers[2] < numbers[3] < 100):
        return {"good_max": [ValidationError(
            _("The bands' upper bounds must rise from 0 to 99, each above the one before."),
            code=codes.INVALID_BANDS)]}
    return {}


@transaction.atomic
def housing_settings_update(*, values: dict, actor=None) -> HousingSettings:
    """Change the condition scale of the municipality."""
    row = HousingSettings.objects.select_for_update().get(pk=HousingSettings.current().pk)
    merged = {name: values.get(name, getattr(row, name)) for name in BAND_FIELDS}
    errors = validate_bands(merged)
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(row, name) for name in BAND_FIELDS}
    for name, value in merged.items():
        setattr(row, name, value)
    row.save()
    audit_record(action="housing_settings.changed", actor=actor, target=row, before=before, after=merged)
    return row
