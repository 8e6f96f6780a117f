"""Writes of the property register. Every function is atomic, validates its input, records the
object's history and the audit log, and tells webhook subscribers through the outbox. Invalid
requests raise ValidationError with a code from ``error_codes``; objects are never deleted: they
leave the register through ``asset_remove`` with the basis document and date."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gorodok_platform.audit.services import audit_record
from gorodok_platform.integrations.outbox import outbox_emit
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets.models import (
    KIND_SECTIONS,
    SECTION_NUMBERS,
    Asset,
    AssetChange,
    AssetDocument,
    AssetsSettings,
    AssetStatus,
    DocumentKind,
    DocumentRole,
    Encumbrance,
    Holder,
    HolderKind,
    LifecycleStatus,
    RegisterCounter,
    Section,
)
from gorodok_services.assets.module import CHANGED, CREATED, REMOVED
from gorodok_services.core.access import actor_email as _actor_email
from gorodok_services.core.calendar import local_date
from gorodok_services.core.identifiers import valid_inn, valid_ogrn

# The cadastral number of the unified state register (EGRN): district:area:quarter:object,
# e.g. 19:01:010101:123.
CADASTRAL_NUMBER = re.compile(r"^\d{2}:\d{2}:\d{6,7}:\d{1,9}$")
VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")

# What a caller may set on an object (the register number only on creation, when a register kept
# elsewhere already gave one).
ASSET_FIELDS = (
    "section", "kind", "name", "purpose", "address", "latitude", "longitude", "cadastral_number",
    "cadastral_date", "cadastral_value", "area", "length", "parameters", "make", "model", "year", "vin", "plate",
    "inventory_number", "serial_number", "especially_valuable", "share_percent", "right_type", "holder",
    "balance_value", "residual_value", "values_date", "included_on",
)
MONEY_FIELDS = ("cadastral_value", "balance_value", "residual_value")
MEASURE_FIELDS = ("area", "length", "share_percent")
DATE_FIELDS = ("cadastral_date", "values_date", "included_on")
TEXT_LIMITS = {name: Asset._meta.get_field(name).max_length for name in ASSET_FIELDS
               if getattr(Asset._meta.get_field(name), "max_length", None) and name not in (
                   "section", "kind", "right_type")}


def municipality_timezone() -> str:
    return getattr(getattr(connection, "tenant", None), "timezone", None) or settings.DEFAULT_MUNICIPALITY_TIMEZONE


def register_today() -> date:
    """Today in the municipality's time zone: what "a date in the future" is measured against."""
    return local_date(timezone.now(), municipality_timezone())


def asset_global_id(asset_or_pk) -> str:
    pk = getattr(asset_or_pk, "pk", asset_or_pk)
    return base64.b64encode(f"Asset:{pk}".encode()).decode("ascii")


def _plain(value):
    """A value as the history and the events store it (JSON: money and dates as text)."""
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, Holder):
        return value.inn
    return value


# --- validation ---------------------------------------------------------------------------------------

def validate_asset_values(values: dict, *, today: date) -> dict[str, list[ValidationError]]:
    """The register's rules for an object's values (no database reads): the import checks each row
    with them before anything is written, the services check every change."""
    errors: dict[str, list[ValidationError]] = {}

    def add(name: str, message, code: str) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    for name in ("name",):
        if not str(values.get(name) or "").strip():
            add(name, _("This field is required."), "required")
    for name in ("section", "kind", "right_type", "included_on"):
        if not values.get(name):
            add(name, _("This field is required."), "required")
    if values.get("holder") is None:
        add("holder", _("Name the right holder."), codes.HOLDER_REQUIRED)
    kind, section = values.get("kind"), values.get("section")
    if kind and section and KIND_SECTIONS.get(kind) != section:
        add("kind", _("This kind of property belongs to another section of the register."), codes.KIND_NOT_IN_SECTION)
    for name, limit in TEXT_LIMITS.items():
        if len(str(values.get(name) or "")) > limit:
            add(name, _("At most %(limit)d characters.") % {"limit": limit}, "max_length")
    cadastral = values.get("cadastral_number") or ""
    if cadastral and not CADASTRAL_NUMBER.match(cadastral):
        add("cadastral_number", _("A cadastral number looks like 19:01:010101:123."), codes.INVALID_CADASTRAL_NUMBER)
    vin = values.get("vin") or ""
    if vin and not VIN.match(vin):
        add("vin", _("A VIN is 17 letters and digits, without I, O and Q."), "invalid")
    for name in (*MONEY_FIELDS, *MEASURE_FIELDS):
        value = values.get(name)
        if value is not None and value < 0:
            add(name, _("Cannot be negative."), codes.NEGATIVE_VALUE)
    balance, residual = values.get("balance_value"), values.get("residual_value")
    if balance is not None and residual is not None and balance >= 0 and residual > balance:
        add("residual_value", _("The residual value cannot exceed the balance value."), codes.RESIDUAL_ABOVE_BALANCE)
    share = values.get("share_percent")
    if share is not None and share > 100:
        add("share_percent", _("A share is at most 100%."), "invalid")
    for name in DATE_FIELDS:
        value = values.get(name)
        if value is not None and value > today:
            add(name, _("A date cannot be in the future."), codes.FUTURE_DATE)
    year = values.get("year")
    if year is not None and not 1800 <= year <= today.year:
        add("year", _("A year of manufacture between 1800 and this year."), codes.FUTURE_DATE if year > today.year
            else "invalid")
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if (latitude is None) != (longitude is None):
        add("latitude", _("Give both latitude and longitude, or neither."), codes.INVALID_COORDINATES)
    elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        add("latitude", _("Coordinates out of range."), codes.INVALID_COORDINATES)
    return errors


def validate_holder_values(values: dict) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}

    def add(name: str, message, code: str) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    if not str(values.get("name") or "").strip():
        add("name", _("This field is required."), "required")
    if values.get("kind") not in HolderKind.values:
        add("kind", _("Choose the kind of right holder."), "invalid_choice")
    inn = values.get("inn") or ""
    if not (len(inn) == 10 and valid_inn(inn)):
        add("inn", _("An organisation's INN is 10 digits with valid check digits."), codes.INVALID_INN)
    ogrn = values.get("ogrn") or ""
    if ogrn and not (len(ogrn) == 13 and valid_ogrn(ogrn)):
        add("ogrn", _("An organisation's OGRN is 13 digits with a valid check digit."), codes.INVALID_OGRN)
    for name in ("name", "short_name", "address", "head_name", "head_position"):
        limit = Holder._meta.get_field(name).max_length
        if len(str(values.get(name) or "")) > limit:
            add(name, _("At most %(limit)d characters.") % {"limit": limit}, "max_length")
    return errors


# --- register numbers ---------------------------------------------------------------------------------

def format_register_number(section: str, number: int, row: AssetsSettings | None = None) -> str:
    row = row or AssetsSettings.current()
    return f"{row.number_prefix}{SECTION_NUMBERS[Section(section)]}.{number:0{row.number_digits}d}"


def take_register_numbers(section: str, count: int) -> list[str]:
    """``count`` new register numbers of ``section``, taken under the counter's row lock (call inside a
    transaction). A number a register kept elsewhere already used is skipped."""
    if count <= 0:
        return []
    row = AssetsSettings.current()
    RegisterCounter.objects.get_or_create(section=section)
    counter = RegisterCounter.objects.select_for_update().get(section=section)
    numbers: list[str] = []
    while len(numbers) < count:
        wanted = count - len(numbers)
        candidates = [format_register_number(section, counter.last_number + i, row) for i in range(1, wanted + 1)]
        counter.last_number += wanted
        taken = set(Asset.objects.filter(register_number__in=candidates).values_list("register_number", flat=True))
        numbers.extend(n for n in candidates if n not in taken)
    counter.save(update_fields=["last_number"])
    return numbers


# --- events ------------------------------------------------------------------------------------------

def asset_event_data(asset: Asset, **extra) -> dict:
    data = {
        "id": asset_global_id(asset),
        "register_number": asset.register_number,
        "section": asset.section,
        "kind": asset.kind,
        "name": asset.name,
        "status": asset.status,
        "lifecycle_status": asset.lifecycle_status,
        "right_type": asset.right_type,
        "holder_inn": asset.holder.inn if asset.holder_id else None,
        "balance_value": str(asset.balance_value),
        "residual_value": str(asset.residual_value),
        "included_on": asset.included_on,
        "removed_on": asset.removed_on,
    }
    data.update(extra)
    return data


def _history(asset: Asset, action: str, actor, changes: dict, source: str = "") -> AssetChange:
    entry = AssetChange.objects.create(asset=asset, action=action, actor_email=_actor_email(actor),
                                       changes=changes, source=source)
    audit_record(action=f"asset.{action}", actor=actor, target=asset,
                 before={k: v[0] for k, v in changes.items()} or None,
                 after={"history_entry": entry.pk, **{k: v[1] for k, v in changes.items()}})
    return entry


# --- holders ----------------------------------------------------------------------------------------------

HOLDER_FIELDS = ("kind", "name", "short_name", "inn", "ogrn", "address", "head_name", "head_position", "is_active")


def _clean_holder(values: dict) -> dict:
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items() if k in HOLDER_FIELDS}
    return cleaned


@transaction.atomic
def holder_create(*, values: dict, actor=None) -> Holder:
    values = _clean_holder(values)
    errors = validate_holder_values(values)
    if not errors and Holder.objects.filter(inn=values["inn"]).exists():
        errors["inn"] = [ValidationError(_("A right holder with this INN is already in the register."),
                                         code=codes.DUPLICATE)]
    if errors:
        raise ValidationError(errors)
    holder = Holder.objects.create(**values)
    audit_record(action="asset_holder.created", actor=actor, target=holder, after={"inn": holder.inn})
    return holder


@transaction.atomic
def holder_update(*, holder: Holder, values: dict, actor=None) -> Holder:
    holder = Holder.objects.select_for_update().get(pk=holder.pk)
    values = _clean_holder(values)
    merged = {name: getattr(holder, name) for name in HOLDER_FIELDS} | values
    errors = validate_holder_values(merged)
    if not errors and Holder.objects.filter(inn=merged["inn"]).exclude(pk=holder.pk).exists():
        errors["inn"] = [ValidationError(_("A right holder with this INN is already in the register."),
                                         code=codes.DUPLICATE)]
    if errors:
        raise ValidationError(errors)
    changes = {k: [getattr(holder, k), v] for k, v in values.items() if getattr(holder, k) != v}
    for name, value in values.items():
        setattr(holder, name, value)
    holder.save()
    audit_record(action="asset_holder.changed", actor=actor, target=holder,
                 before={k: v[0] for k, v in changes.items()}, after={k: v[1] for k, v in changes.items()})
    return holder


# --- objects ------------------------------------------------------------------------------------------------

def _quantized(name: str, value):
    """A number in its column's precision; one too large for the column is a field error."""
    field = Asset._meta.get_field(name)
    try:
        number = Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({name: ValidationError(_("Not a number, or too large."), code="invalid")}) from exc
    if len(number.as_tuple().digits) > field.max_digits and number != 0:
        raise ValidationError({name: ValidationError(_("Not a number, or too large."), code="invalid")})
    return number


def _clean_asset(values: dict) -> dict:
    cleaned = {}
    for name, value in values.items():
        if name not in ASSET_FIELDS:
            continue
        if isinstance(value, str):
            value = value.strip()
        if name in ("vin", "plate") and isinstance(value, str):
            value = value.upper()
        if name in (*MONEY_FIELDS, *MEASURE_FIELDS, "latitude", "longitude") and value is not None:
            value = _quantized(name, value)
        cleaned[name] = value
    return cleaned


def _defaults(values: dict) -> dict:
    values = dict(values)
    if values.get("kind") and not values.get("section"):
        values["section"] = KIND_SECTIONS.get(values["kind"], "")
    values.setdefault("balance_value", Decimal("0"))
    values.setdefault("residual_value", values["balance_value"] if values["balance_value"] is not None else None)
    values.setdefault("included_on", register_today())
    for name in ("balance_value", "residual_value"):
        if values.get(name) is None:
            values[name] = Decimal("0")
    return values


@transaction.atomic
def asset_create(*, values: dict, actor=None, register_number: str | None = None, source: str = "") -> Asset:
    """Include an object in the register; the register number is the next of its section unless a
    register kept elsewhere already gave one (then it must be free)."""
    values = _defaults(_clean_asset(values))
    errors = validate_asset_values(values, today=register_today())
    register_number = (register_number or "").strip() or None
    if register_number and Asset.objects.filter(register_number=register_number).exists():
        errors.setdefault("register_number", []).append(ValidationError(
            _("Register number %(number)s is taken.") % {"number": register_number}, code=codes.DUPLICATE))
    if register_number and len(register_number) > Asset._meta.get_field("register_number").max_length:
        errors.setdefault("register_number", []).append(ValidationError(_("Too long."), code="max_length"))
    if errors:
        raise ValidationError(errors)
    number = register_number or take_register_numbers(values["section"], 1)[0]
    asset = Asset.objects.create(register_number=number, **values)
    _history(asset, "created", actor, {name: [None, _plain(getattr(asset, name))] for name in ASSET_FIELDS
                                       if getattr(asset, name) not in (None, "", False)}, source)
    outbox_emit(CREATED, asset_event_data(asset))
    return asset


def _locked(asset: Asset) -> Asset:
    return Asset.objects.select_for_update().select_related("holder").get(pk=asset.pk)


@transaction.atomic
def asset_update(*, asset: Asset, values: dict, actor=None, source: str = "") -> Asset:
    """Change an object still in the register; only what differs is written and recorded."""
    asset = _locked(asset)
    if asset.is_removed:
        raise ValidationError(_("The object was removed from the register; it can no longer change."),
                              code=codes.ALREADY_REMOVED)
    values = _clean_asset(values)
    if "kind" in values and "section" not in values:
        values["section"] = KIND_SECTIONS.get(values["kind"], "")
    merged = {name: getattr(asset, name) for name in ASSET_FIELDS} | values
    errors = validate_asset_values(merged, today=register_today())
    if errors:
        raise ValidationError(errors)
    changes = {name: [_plain(getattr(asset, name)), _plain(value)] for name, value in values.items()
               if getattr(asset, name) != value}
    if not changes:
        return asset
    for name in changes:
        setattr(asset, name, values[name])
    asset.save(update_fields=[*changes, "updated_at"])
    _history(asset, "changed", actor, changes, source)
    outbox_emit(CHANGED, asset_event_data(asset, changed=sorted(changes)))
    return asset


@dataclass
class DocumentInput:
    kind: str
    date: date
    number: str = ""
    issuer: str = ""
    file: object | None = None  # an uploaded file


def _validate_document(document: DocumentInput, field: str = "document") -> None:
    errors = []
    if document.kind not in DocumentKind.values:
        errors.append(ValidationError(_("Choose the kind of document."), code="invalid_choice"))
    if document.date is None:
        errors.append(ValidationError(_("Give the document's date."), code=codes.BASIS_REQUIRED))
    elif document.date > register_today():
        errors.append(ValidationError(_("A date cannot be in the future."), code=codes.FUTURE_DATE))
    for name, limit in (("number", 64), ("issuer", 300)):
        if len(getattr(document, name) or "") > limit:
            errors.append(ValidationError(_("At most %(limit)d characters.") % {"limit": limit}, code="max_length"))
    if errors:
        raise ValidationError({field: errors})


def _document_create(asset: Asset, role: str, document: DocumentInput) -> AssetDocument:
    row = AssetDocument(asset=asset, role=role, kind=document.kind, number=(document.number or "").strip(),
                        date=document.date, issuer=(document.issuer or "").strip())
    if document.file is not None:
        row.file.save(getattr(document.file, "name", "document"), document.file, save=False)
    row.save()
    return row


@transaction.atomic
def asset_document_add(*, asset: Asset, role: str, document: DocumentInput, actor=None,
                       source: str = "") -> AssetDocument:
    """Attach a basis of acquiring the right (the basis of ending it comes with ``asset_remove``)."""
    asset = _locked(asset)
    if role not in DocumentRole.values:
        raise ValidationError({"role": ValidationError(_("Choose the document's role."), code="invalid_choice")})
    _validate_document(document)
    row = _document_create(asset, role, document)
    _history(asset, "document_added", actor, {"document": [None, str(row)]}, source)
    outbox_emit(CHANGED, asset_event_data(asset, changed=["documents"]))
    return row


ENCUMBRANCE_FIELDS = ("kind", "basis", "beneficiary", "starts_on", "ends_on")


def _refuse_removed(asset: Asset) -> None:
    if asset.is_removed:
        raise ValidationError(_("The object was removed from the register; it can no longer change."),
                              code=codes.ALREADY_REMOVED)


def _validate_encumbrance(values: dict) -> dict[str, list[ValidationError]]:
    from gorodok_services.assets.models import EncumbranceKind

    errors: dict[str, list[ValidationError]] = {}
    if values.get("kind") not in EncumbranceKind.values:
        errors["kind"] = [ValidationError(_("Choose the kind of encumbrance."), code="invalid_choice")]
    for name in ("basis", "beneficiary"):
        value = values.get(name) or ""
        if not value:
            errors[name] = [ValidationError(_("This field is required."), code="required")]
        elif len(value) > 300:
            errors[name] = [ValidationError(_("At most %(limit)d characters.") % {"limit": 300}, code="max_length")]
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on is None:
        errors["starts_on"] = [ValidationError(_("This field is required."), code="required")]
    elif starts_on > register_today():
        errors["starts_on"] = [ValidationError(_("A date cannot be in the future."), code=codes.FUTURE_DATE)]
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [ValidationError(_("The term ends before it starts."), code=codes.INVALID_DATES)]
    return errors


def _clean_encumbrance(values: dict) -> dict:
    return {name: (value.strip() if isinstance(value, str) else value) for name, value in values.items()
            if name in ENCUMBRANCE_FIELDS}


@transaction.atomic
def asset_encumbrance_add(*, asset: Asset, kind: str, basis: str, beneficiary: str, starts_on: date,
                          ends_on: date | None = None, actor=None, source: str = "") -> Encumbrance:
    asset = _locked(asset)
    _refuse_removed(asset)
    values = _clean_encumbrance({"kind": kind, "basis": basis, "beneficiary": beneficiary, "starts_on": starts_on,
                                 "ends_on": ends_on})
    errors = _validate_encumbrance(values)
    if errors:
        raise ValidationError(errors)
    row = Encumbrance.objects.create(asset=asset, **values)
    _history(asset, "encumbrance_added", actor, {"encumbrance": [None, str(row)]}, source)
    outbox_emit(CHANGED, asset_event_data(asset, changed=["encumbrances"]))
    return row


def _locked_encumbrance(encumbrance: Encumbrance) -> tuple[Asset, Encumbrance]:
    """The object (locked first, as every change of it) and its encumbrance, locked, as they are now."""
    asset = _locked(encumbrance.asset)
    _refuse_removed(asset)
    row = Encumbrance.objects.select_for_update().get(pk=encumbrance.pk)
    if row.is_ended:
        raise ValidationError(_("The encumbrance has ended; it can no longer change."), code=codes.ENCUMBRANCE_ENDED)
    return asset, row


@transaction.atomic
def asset_encumbrance_update(*, encumbrance: Encumbrance, values: dict, actor=None, source: str = "") -> Encumbrance:
    """Correct an encumbrance still in force (its kind, basis, beneficiary or term); only what differs is
    written and recorded in the object's history."""
    asset, row = _locked_encumbrance(encumbrance)
    values = _clean_encumbrance(values)
    merged = {name: getattr(row, name) for name in ENCUMBRANCE_FIELDS} | values
    errors = _validate_encumbrance(merged)
    if errors:
        raise ValidationError(errors)
    changes = {name: [_plain(getattr(row, name)), _plain(value)] for name, value in values.items()
               if getattr(row, name) != value}
    if not changes:
        return row
    before = str(row)
    for name in changes:
        setattr(row, name, values[name])
    row.save(update_fields=list(changes))
    _history(asset, "encumbrance_changed", actor,
             {"encumbrance": [before, str(row)], **{f"encumbrance.{k}": v for k, v in changes.items()}}, source)
    outbox_emit(CHANGED, asset_event_data(asset, changed=["encumbrances"]))
    return row


@transaction.atomic
def asset_encumbrance_end(*, encumbrance: Encumbrance, ended_on: date, basis: str, actor=None,
                          source: str = "") -> Encumbrance:
    """End an encumbrance in force (a lease terminated, a pledge released) with the date and the basis:
    not before it started and not after today (a term that ends later is ``ends_on``). The row stays."""
    asset, row = _locked_encumbrance(encumbrance)
    basis = (basis or "").strip()
    errors: dict[str, list[ValidationError]] = {}
    if ended_on is None:
        errors["ended_on"] = [ValidationError(_("Give the date the encumbrance ended."), code="required")]
    elif ended_on > register_today():
        errors["ended_on"] = [ValidationError(_("A date cannot be in the future."), code=codes.FUTURE_DATE)]
    elif ended_on < row.starts_on:
        errors["ended_on"] = [ValidationError(_("An encumbrance cannot end before it starts."),
                                              code=codes.INVALID_DATES)]
    if not basis:
        errors["basis"] = [ValidationError(_("Give the basis of ending the encumbrance."), code=codes.BASIS_REQUIRED)]
    elif len(basis) > 300:
        errors["basis"] = [ValidationError(_("At most %(limit)d characters.") % {"limit": 300}, code="max_length")]
    if errors:
        raise ValidationError(errors)
    row.ended_on, row.end_basis = ended_on, basis
    row.save(update_fields=["ended_on", "end_basis"])
    _history(asset, "encumbrance_ended", actor, {"encumbrance": [str(row), str(row)], "ended_on": [None, str(ended_on)],
                                                 "end_basis": ["", basis]}, source)
    outbox_emit(CHANGED, asset_event_data(asset, changed=["encumbrances"]))
    return row


@transaction.atomic
def asset_remove(*, asset: Asset, removed_on: date, reason: str, document: DocumentInput, actor=None,
                 source: str = "") -> Asset:
    """The only way out of the register: with the document that ends the right and its date. The
    object, its documents and its history stay (the extract lists only objects in the register)."""
    asset = _locked(asset)
    if asset.is_removed:
        raise ValidationError(_("The object was already removed from the register."), code=codes.ALREADY_REMOVED)
    errors: dict[str, list[ValidationError]] = {}
    if document is None:
        errors["document"] = [ValidationError(_("Give the document that ends the right."), code=codes.BASIS_REQUIRED)]
    else:
        try:
            _validate_document(document)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if removed_on is None:
        errors["removed_on"] = [ValidationError(_("Give the date of removal."), code=codes.BASIS_REQUIRED)]
    elif removed_on > register_today():
        errors["removed_on"] = [ValidationError(_("A date cannot be in the future."), code=codes.FUTURE_DATE)]
    elif removed_on < asset.included_on:
        errors["removed_on"] = [ValidationError(_("An object cannot leave the register before it was included."),
                                                code=codes.INVALID_DATES)]
    if not (reason or "").strip():
        errors["reason"] = [ValidationError(_("Give the reason for removal."), code=codes.BASIS_REQUIRED)]
    elif len(reason.strip()) > 500:
        errors["reason"] = [ValidationError(_("At most %(limit)d characters.") % {"limit": 500}, code="max_length")]
    if errors:
        raise ValidationError(errors)
    row = _document_create(asset, DocumentRole.TERMINATION, document)
    changes = {"status": [asset.status, AssetStatus.REMOVED.value], "removed_on": [None, str(removed_on)],
               "removal_reason": ["", reason.strip()], "document": [None, str(row)]}
    if asset.lifecycle_status != LifecycleStatus.DISPOSED:
        from gorodok_services.assets.lifecycle import last_transition_on, record_transition

        record_transition(asset, LifecycleStatus.DISPOSED, max(removed_on, last_transition_on(asset) or removed_on),
                          reason.strip(), actor, source)
    asset.status = AssetStatus.REMOVED
    asset.removed_on = removed_on
    asset.removal_reason = reason.strip()
    asset.save(update_fields=["status", "removed_on", "removal_reason", "updated_at"])
    _history(asset, "removed", actor, changes, source)
    outbox_emit(REMOVED, asset_event_data(asset, basis={"kind": row.kind, "number": row.number,
                                                        "date": row.date, "issuer": row.issuer}))
    return asset


@transaction.atomic
def assets_settings_update(*, values: dict, actor=None) -> AssetsSettings:
    row = AssetsSettings.current()
    errors: dict[str, list[ValidationError]] = {}
    threshold = values.get("movable_threshold", row.movable_threshold)
    if threshold is None or threshold < 0:
        errors["movable_threshold"] = [ValidationError(_("Cannot be negative."), code=codes.NEGATIVE_VALUE)]
    digits = values.get("number_digits", row.number_digits)
    if not 1 <= digits <= 12:
        errors["number_digits"] = [ValidationError(_("Between 1 and 12 digits."), code="invalid")]
    if errors:
        raise ValidationError(errors)
    for name in ("number_prefix", "number_digits", "movable_threshold"):
        if name in values:
            setattr(row, name, values[name])
    row.save()
    audit_record(action="assets_settings.changed", actor=actor, target=row,
                 after={"number_prefix": row.number_prefix, "number_digits": row.number_digits,
                        "movable_threshold": str(row.movable_threshold)})
    return row
