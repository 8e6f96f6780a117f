"""Writes of the ICT fleet. Every function is atomic, validates its input (ValidationError with codes
from ``gorodok_services.assets.error_codes``; nothing is half written), records the object's history and
the audit log; a change of an object's ICT profile is an ``asset.changed`` webhook event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gorodok_platform.audit.services import audit_record
from gorodok_platform.integrations.outbox import outbox_emit
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets.fleet.models import ICT_KINDS, FleetSettings, IctCategory, IctProfile, Licence
from gorodok_services.assets.models import Asset, AssetChange, Section
from gorodok_services.assets.module import CHANGED
from gorodok_services.assets.services import asset_event_data
from gorodok_services.core.access import actor_email as _actor_email

PROFILE_FIELDS = ("category", "building", "room", "responsible_name", "responsible_position", "warranty_until",
                  "end_of_life")
LICENCE_FIELDS = ("product", "vendor", "seats", "valid_from", "valid_until", "yearly_cost", "note")
MAX_SEATS = 1_000_000


def _plain(value):
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, Asset):
        return value.register_number
    return value


def _error(errors: dict, name: str, message, code: str) -> None:
    errors.setdefault(name, []).append(ValidationError(message, code=code))


def _text_limits(model, names, values: dict, errors: dict) -> None:
    for name in names:
        field = model._meta.get_field(name)
        limit = getattr(field, "max_length", None)
        if limit and len(str(values.get(name) or "")) > limit:
            _error(errors, name, _("At most %(limit)d characters.") % {"limit": limit}, "max_length")


def money(value, name: str = "yearly_cost") -> Decimal:
    """A sum of money in kopecks; anything that is not a number of at most 15 digits before the point is
    a field error."""
    try:
        number = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({name: ValidationError(_("Not a number, or too large."), code="invalid")}) from exc
    if abs(number) >= Decimal("1e15"):
        raise ValidationError({name: ValidationError(_("Not a number, or too large."), code="invalid")})
    return number


# --- ICT profiles ------------------------------------------------------------------------------------------

def validate_profile_values(asset: Asset, values: dict) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}
    if asset.section != Section.MOVABLE or asset.kind not in ICT_KINDS:
        _error(errors, "asset", _("ICT equipment is movable property: equipment or other movable property."),
               codes.NOT_ICT_EQUIPMENT)
    if values.get("category") not in IctCategory.values:
        _error(errors, "category", _("Choose the category."), "invalid_choice")
    building = values.get("building")
    if building is not None and (building.section != Section.REAL_ESTATE or building.is_removed):
        _error(errors, "building", _("The location is a real-estate object in the register."),
               codes.NOT_REAL_ESTATE)
    warranty, end_of_life = values.get("warranty_until"), values.get("end_of_life")
    for name, value in (("warranty_until", warranty), ("end_of_life", end_of_life)):
        if value is not None and value.year < 1900:
            _error(errors, name, _("A date after 1900."), codes.INVALID_DATES)
    _text_limits(IctProfile, ("room", "responsible_name", "responsible_position"), values, errors)
    return errors


@transaction.atomic
def ict_profile_set(*, asset: Asset, values: dict, actor=None, source: str = "") -> IctProfile:
    """Give an object its ICT profile or change it (only the given values change)."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if asset.is_removed:
        raise ValidationError(_("The object was removed from the register; it can no longer change."),
                              code=codes.ALREADY_REMOVED)
    profile = IctProfile.objects.filter(asset=asset).select_related("building").first()
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items() if k in PROFILE_FIELDS}
    current = {name: getattr(profile, name) if profile else None for name in PROFILE_FIELDS}
    merged = current | cleaned
    for name in ("room", "responsible_name", "responsible_position"):
        merged[name] = merged[name] or ""
    errors = validate_profile_values(asset, merged)
    if errors:
        raise ValidationError(errors)
    changes = {name: [_plain(current[name]), _plain(merged[name])] for name in PROFILE_FIELDS
               if (current[name] or None) != (merged[name] or None)}
    if profile is None:
        profile = IctProfile(asset=asset)
    for name in PROFILE_FIELDS:
        setattr(profile, name, merged[name])
    created = profile.pk is None
    profile.save()
    if changes or created:
        entry = AssetChange.objects.create(asset=asset, action="ict_profile_set", actor_email=_actor_email(actor),
                                           changes=changes, source=source)
        audit_record(action="asset.ict_profile_set", actor=actor, target=asset,
                     before={k: v[0] for k, v in changes.items()} or None,
                     after={"history_entry": entry.pk, **{k: v[1] for k, v in changes.items()}})
        outbox_emit(CHANGED, asset_event_data(asset, changed=["ict_profile"]))
    return profile


# --- licences ------------------------------------------------------------------------------------------------

def _clean_licence(values: dict) -> dict:
    cleaned = {}
    for name, value in values.items():
        if name not in (*LICENCE_FIELDS, "assets"):
            continue
        if isinstance(value, str):
            value = value.strip()
        if name == "yearly_cost" and value is not None:
            value = money(value)
        cleaned[name] = value
    return cleaned


def validate_licence_values(values: dict) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}
    if not values.get("product"):
        _error(errors, "product", _("This field is required."), "required")
    seats = values.get("seats")
    if seats is None or not 1 <= seats <= MAX_SEATS:
        _error(errors, "seats", _("At least one seat, at most a million."), "invalid")
    cost = values.get("yearly_cost")
    if cost is None:
        _error(errors, "yearly_cost", _("This field is required."), "required")
    elif cost < 0:
        _error(errors, "yearly_cost", _("Cannot be negative."), codes.NEGATIVE_VALUE)
    valid_from, valid_until = values.get("valid_from"), values.get("valid_until")
    if valid_from is None:
        _error(errors, "valid_from", _("This field is required."), "required")
    elif valid_until is not None and valid_until < valid_from:
        _error(errors, "valid_until", _("The licence ends before it starts."), codes.INVALID_DATES)
    _text_limits(Licence, ("product", "vendor", "note"), values, errors)
    for asset in values.get("assets") or ():
        if asset.section != Section.MOVABLE or asset.kind not in ICT_KINDS:
            _error(errors, "assets", _("A licence is installed on ICT equipment: %(object)s is not.")
                   % {"object": asset.register_number}, codes.NOT_ICT_EQUIPMENT)
            break
    return errors


def _licence_snapshot(licence: Licence, assets=None) -> dict:
    data = {name: _plain(getattr(licence, name)) for name in LICENCE_FIELDS}
    data["assets"] = sorted(a.register_number for a in (assets if assets is not None else licence.assets.all()))
    return data


@transaction.atomic
def licence_create(*, values: dict, actor=None, source: str = "") -> Licence:
    values = _clean_licence({"seats": 1, "yearly_cost": Decimal("0"), "vendor": "", "note": ""} | values)
    errors = validate_licence_values(values)
    if errors:
        raise ValidationError(errors)
    assets = list(values.pop("assets", None) or ())
    licence = Licence.objects.create(**values)
    licence.assets.set(assets)
    audit_record(action="asset_licence.created", actor=actor, target=licence,
                 after={**_licence_snapshot(licence, assets), "source": source})
    return licence


@transaction.atomic
def licence_update(*, licence: Licence, values: dict, actor=None, source: str = "") -> Licence:
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    before = _licence_snapshot(licence)
    cleaned = _clean_licence(values)
    merged = {name: getattr(licence, name) for name in LICENCE_FIELDS} | cleaned
    if "assets" not in merged:
        merged["assets"] = list(licence.assets.all())
    for name in ("vendor", "note"):
        merged[name] = merged[name] or ""
    errors = validate_licence_values(merged)
    if errors:
        raise ValidationError(errors)
    for name in LICENCE_FIELDS:
        setattr(licence, name, merged[name])
    licence.save()
    if "assets" in cleaned:
        licence.assets.set(list(cleaned["assets"] or ()))
    after = _licence_snapshot(licence)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        audit_record(action="asset_licence.changed", actor=actor, target=licence,
                     before={k: before[k] for k in changed}, after={**{k: after[k] for k in changed},
                                                                   "source": source})
    return licence


@transaction.atomic
def fleet_settings_update(*, values: dict, actor=None) -> FleetSettings:
    row = FleetSettings.current()
    days = values.get("reminder_days", row.reminder_days)
    if days is None or not 1 <= days <= 365:
        raise ValidationError({"reminder_days": ValidationError(_("Between 1 and 365 days."),
                                                                code=codes.INVALID_INTERVAL)})
    row.reminder_days = days
    row.reminder_email = (values.get("reminder_email", row.reminder_email) or "").strip()
    row.save()
    audit_record(action="assets_fleet_settings.changed", actor=actor, target=row,
                 after={"reminder_days": row.reminder_days, "reminder_email": row.reminder_email})
    return row
