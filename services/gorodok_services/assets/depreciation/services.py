"""Writes of depreciation: the municipality's defaults per kind of object, an object's own terms, the
choice of where the register's residual value comes from, and the bulk refresh of residual values from
the net book value. Every function is atomic, validates its input (ValidationError with a code from
``error_codes``), and records the audit log; an object's terms and refreshed values go to its history."""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gorodok_platform.audit.services import audit_record
from gorodok_platform.integrations.models import OutboxEvent
from gorodok_platform.integrations.outbox import municipality_reference
from gorodok_services.assets.depreciation import error_codes as codes
from gorodok_services.assets.depreciation.calculation import first_of_month
from gorodok_services.assets.depreciation.models import (
    MAX_USEFUL_LIFE_MONTHS,
    CategoryDefault,
    DepreciationProfile,
    DepreciationSettings,
    Method,
    ResidualSource,
)
from gorodok_services.assets.depreciation.selectors import net_book_values
from gorodok_services.assets.models import Asset, AssetChange, AssetKind, AssetStatus
from gorodok_services.assets.module import CHANGED
from gorodok_services.assets.services import asset_event_data, register_today
from gorodok_services.core.access import actor_email as _actor_email

MAX_COEFFICIENT = Decimal("3.00")  # the tax code's accelerated depreciation goes up to 3


def _life_errors(value, *, required: bool) -> list[ValidationError]:
    if value is None:
        return [ValidationError(_("Give the useful life in months."), code="required")] if required else []
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_USEFUL_LIFE_MONTHS:
        return [ValidationError(_("A useful life is a whole number of months from 1 to %(limit)d.")
                                % {"limit": MAX_USEFUL_LIFE_MONTHS}, code=codes.INVALID_USEFUL_LIFE)]
    return []


def _coefficient(value) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({"coefficient": ValidationError(_("Not a number."), code=codes.INVALID_COEFFICIENT)}
                              ) from exc
    if not Decimal("0") < number <= MAX_COEFFICIENT:
        raise ValidationError({"coefficient": ValidationError(
            _("The coefficient is above 0 and at most %(limit)s.") % {"limit": MAX_COEFFICIENT},
            code=codes.INVALID_COEFFICIENT)})
    return number


# --- defaults per kind ------------------------------------------------------------------------------------

def validate_default(*, kind: str, method: str, useful_life_months, coefficient=None, is_new: bool = True) -> Decimal:
    """Check a default's values (no writes); return the coefficient as stored."""
    errors: dict[str, list[ValidationError]] = {}
    if kind not in AssetKind.values:
        errors["kind"] = [ValidationError(_("Choose the kind of object."), code="invalid_choice")]
    elif is_new and CategoryDefault.objects.filter(kind=kind).exists():
        errors["kind"] = [ValidationError(_("This kind already has a default: change it instead."),
                                          code=codes.DUPLICATE)]
    if method not in Method.values:
        errors["method"] = [ValidationError(_("Choose the depreciation method."), code=codes.INVALID_METHOD)]
    life_errors = _life_errors(useful_life_months, required=True)
    if life_errors:
        errors["useful_life_months"] = life_errors
    try:
        coefficient = _coefficient(coefficient)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    return coefficient or Decimal("2.00")


@transaction.atomic
def depreciation_default_set(*, kind: str, method: str, useful_life_months: int, coefficient=None,
                             actor=None) -> CategoryDefault:
    """Set (or change) the municipality's default method and useful life for a kind of object."""
    coefficient = validate_default(kind=kind, method=method, useful_life_months=useful_life_months,
                                   coefficient=coefficient, is_new=False)
    row = CategoryDefault.objects.select_for_update().filter(kind=kind).first()
    before = None
    if row is None:
        row = CategoryDefault(kind=kind)
    else:
        before = {"method": row.method, "useful_life_months": row.useful_life_months,
                  "coefficient": str(row.coefficient)}
    row.method, row.useful_life_months, row.coefficient = method, useful_life_months, coefficient
    row.save()
    audit_record(action="asset_depreciation_default.set", actor=actor, target=row, before=before,
                 after={"kind": kind, "method": method, "useful_life_months": useful_life_months,
                        "coefficient": str(coefficient)})
    return row


# --- an object's own terms ---------------------------------------------------------------------------------

PROFILE_FIELDS = ("commissioned_on", "method", "useful_life_months", "coefficient")


def validate_profile(*, asset: Asset, commissioned_on: date | None, method: str, useful_life_months,
                     coefficient) -> Decimal | None:
    """Check an object's own terms (no writes); return the coefficient as stored."""
    if asset.status == AssetStatus.REMOVED:
        raise ValidationError(_("The object was removed from the register; it can no longer change."),
                              code=codes.ALREADY_REMOVED)
    errors: dict[str, list[ValidationError]] = {}
    if method and method not in Method.values:
        errors["method"] = [ValidationError(_("Choose the depreciation method."), code=codes.INVALID_METHOD)]
    life_errors = _life_errors(useful_life_months, required=False)
    if life_errors:
        errors["useful_life_months"] = life_errors
    if commissioned_on is not None and commissioned_on > register_today():
        errors["commissioned_on"] = [ValidationError(_("A date cannot be in the future."), code=codes.FUTURE_DATE)]
    try:
        coefficient = _coefficient(coefficient)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    return coefficient


@transaction.atomic
def depreciation_profile_set(*, asset: Asset, commissioned_on: date | None = None, method: str = "",
                             useful_life_months: int | None = None, coefficient=None, actor=None,
                             source: str = "") -> DepreciationProfile:
    """Set an object's own depreciation terms; an empty value falls back to its kind's default. The
    object's history records what changed."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    method = method or ""
    coefficient = validate_profile(asset=asset, commissioned_on=commissioned_on, method=method,
                                   useful_life_months=useful_life_months, coefficient=coefficient)
    profile = DepreciationProfile.objects.filter(asset=asset).first() or DepreciationProfile(asset=asset)
    values = {"commissioned_on": commissioned_on, "method": method, "useful_life_months": useful_life_months,
              "coefficient": coefficient}
    changes = {name: [_plain(getattr(profile, name)), _plain(value)] for name, value in values.items()
               if getattr(profile, name) != value}
    if not changes and profile.pk:
        return profile
    for name, value in values.items():
        setattr(profile, name, value)
    profile.save()
    entry = AssetChange.objects.create(asset=asset, action="depreciation_terms", actor_email=_actor_email(actor),
                                       changes=changes, source=source)
    audit_record(action="asset.depreciation_terms", actor=actor, target=asset,
                 before={k: v[0] for k, v in changes.items()} or None,
                 after={"history_entry": entry.pk, **{k: v[1] for k, v in changes.items()}})
    return profile


def _plain(value):
    if isinstance(value, Decimal | date):
        return str(value)
    return value if value != "" else None


# --- settings -------------------------------------------------------------------------------------------------

@transaction.atomic
def depreciation_settings_update(*, residual_source: str, actor=None) -> DepreciationSettings:
    if residual_source not in ResidualSource.values:
        raise ValidationError({"residual_source": ValidationError(_("Choose where the residual value comes from."),
                                                                  code="invalid_choice")})
    row = DepreciationSettings.current()
    before = row.residual_source
    row.residual_source = residual_source
    row.save()
    audit_record(action="assets_depreciation_settings.changed", actor=actor, target=row,
                 before={"residual_source": before}, after={"residual_source": residual_source})
    return row


# --- refreshing residual values -----------------------------------------------------------------------------

@dataclass(frozen=True)
class RefreshResult:
    month: date
    values_date: date
    considered: int  # objects in the register with depreciation terms
    changed: int  # of them, those whose residual value changed


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@transaction.atomic
def residual_values_refresh(*, month: date, actor=None, source: str = "") -> RefreshResult:
    """Write the net book value at the end of ``month`` as the residual value of every object in the
    register that has depreciation terms, when the municipality chose "refreshed from depreciation".
    Only objects whose value differs are written (each gets a history entry and an ``asset.changed``
    event); a second refresh for the same month changes nothing. The rows are locked first, so the
    figures are computed from the values that are written over."""
    if DepreciationSettings.current().residual_source != ResidualSource.DEPRECIATION:
        raise ValidationError(_("The municipality keeps residual values from accounting; switch the depreciation "
                                "settings to refresh them from depreciation."),
                              code=codes.RESIDUAL_KEPT_FROM_ACCOUNTING)
    if month is None:
        raise ValidationError({"month": ValidationError(_("Give the month."), code="required")})
    month = first_of_month(month)
    today = register_today()
    if month > first_of_month(today):
        raise ValidationError({"month": ValidationError(_("The month has not come yet."), code=codes.FUTURE_MONTH)})
    values_date = min(_month_end(month), today)
    current = dict(Asset.objects.select_for_update().filter(status=AssetStatus.IN_REGISTER)
                   .order_by("pk").values_list("pk", "residual_value"))
    figures = net_book_values(month, in_register_only=True)
    changed = [(f.asset_id, current[f.asset_id], f.net_book_value) for f in figures
               if f.asset_id in current and current[f.asset_id] != f.net_book_value]
    if changed:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Asset._meta.db_table} AS a SET residual_value = v.value, values_date = %s, updated_at = %s "  # noqa: S608
                f"FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, value) WHERE a.id = v.id",
                [values_date, timezone.now(), [pk for pk, _old, _new in changed], [new for _pk, _old, new in changed]])
        email = _actor_email(actor)
        AssetChange.objects.bulk_create([
            AssetChange(asset_id=pk, action="changed", actor_email=email, source=source,
                        changes={"residual_value": [str(old), str(new)], "values_date": [None, str(values_date)]})
            for pk, old, new in changed], batch_size=2000)
        _events(Asset.objects.filter(pk__in=[pk for pk, _old, _new in changed]).select_related("holder"))
    audit_record(action="asset.residual_values_refreshed", actor=actor,
                 after={"month": str(month), "values_date": str(values_date), "considered": len(figures),
                        "changed": len(changed)})
    return RefreshResult(month, values_date, len(figures), len(changed))


def _events(assets) -> None:
    """``asset.changed`` for each refreshed object, written in bulk (the rows ``outbox_emit`` writes, left
    for the periodic dispatcher, as the import does)."""
    reference = municipality_reference()
    now = timezone.now()
    events = []
    for asset in assets:
        event_id = uuid.uuid4()
        data = asset_event_data(asset, changed=["residual_value", "values_date"])
        events.append(OutboxEvent(event_id=event_id, event_type=CHANGED, created_at=now, payload={
            "id": str(event_id), "type": CHANGED, "occurred_at": now.isoformat(), "municipality": reference,
            "data": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}}))
    OutboxEvent.objects.bulk_create(events, batch_size=2000)
