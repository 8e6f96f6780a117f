"""Writes of maintenance: recording work done and setting preventive schedules. Every function is
atomic and validates its input (ValidationError with codes from ``gorodok_services.assets.error_codes``;
nothing is half written); a record goes to the object's history, the audit log and an ``asset.changed``
webhook event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from gorodok_platform.audit.services import audit_record
from gorodok_platform.integrations.outbox import outbox_emit
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets.fleet.models import IctCategory
from gorodok_services.assets.fleet.services import money
from gorodok_services.assets.maintenance.models import (
    MaintenanceDocument,
    MaintenanceRecord,
    MaintenanceSchedule,
    MaintenanceSettings,
    WorkType,
)
from gorodok_services.assets.models import Asset, AssetChange, AssetKind, DocumentRole
from gorodok_services.assets.module import CHANGED
from gorodok_services.assets.services import asset_event_data, register_today
from gorodok_services.core.access import actor_email as _actor_email

MAX_INTERVAL_MONTHS = 240
TEXT_LIMITS = {"contractor": 300, "description": 4000}


@dataclass(frozen=True)
class WorkDocument:
    title: str
    number: str = ""
    date: date | None = None
    file: object | None = None  # an uploaded file (back office only)


def _error(errors: dict, name: str, message, code: str) -> None:
    errors.setdefault(name, []).append(ValidationError(message, code=code))


def acquired_on(asset: Asset) -> date:
    """When the municipality got the object: the earliest of its inclusion in the register and its
    acquisition documents (an object bought before it was registered was maintained before, too)."""
    earliest = (asset.documents.filter(role=DocumentRole.ACQUISITION).aggregate(first=Min("date"))["first"]
                if asset.pk else None)
    return min(d for d in (asset.included_on, earliest) if d is not None)


def validate_record_values(asset: Asset, values: dict, *, today: date) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}
    if values.get("work_type") not in WorkType.values:
        _error(errors, "work_type", _("Choose the type of work."), "invalid_choice")
    cost = values.get("cost")
    if cost is None:
        _error(errors, "cost", _("This field is required."), "required")
    elif cost < 0:
        _error(errors, "cost", _("Cannot be negative."), codes.NEGATIVE_VALUE)
    started, finished = values.get("started_on"), values.get("finished_on")
    if started is None:
        _error(errors, "started_on", _("This field is required."), "required")
    elif started > today:
        _error(errors, "started_on", _("A date cannot be in the future."), codes.FUTURE_DATE)
    elif started < acquired_on(asset):
        _error(errors, "started_on", _("The work cannot start before the object was acquired (%(day)s).")
               % {"day": acquired_on(asset).strftime("%d.%m.%Y")}, codes.BEFORE_ACQUISITION)
    elif asset.removed_on is not None and started > asset.removed_on:
        _error(errors, "started_on", _("The object left the register before this date."), codes.ALREADY_REMOVED)
    if finished is not None:
        if finished > today:
            _error(errors, "finished_on", _("A date cannot be in the future."), codes.FUTURE_DATE)
        elif started is not None and finished < started:
            _error(errors, "finished_on", _("The work cannot finish before it started."), codes.INVALID_DATES)
    for name, limit in TEXT_LIMITS.items():
        if len(values.get(name) or "") > limit:
            _error(errors, name, _("At most %(limit)d characters.") % {"limit": limit}, "max_length")
    return errors


def _validate_documents(documents) -> None:
    for document in documents:
        if not (document.title or "").strip():
            raise ValidationError({"documents": ValidationError(_("Name each document."), code="required")})
        if len(document.title.strip()) > 300 or len(document.number or "") > 64:
            raise ValidationError({"documents": ValidationError(_("A document's title or number is too long."),
                                                                code="max_length")})
        if document.date is not None and document.date > register_today():
            raise ValidationError({"documents": ValidationError(_("A date cannot be in the future."),
                                                                code=codes.FUTURE_DATE)})


@transaction.atomic
def maintenance_record(*, asset: Asset, values: dict, documents=(), actor=None, source: str = "") -> MaintenanceRecord:
    """Record work done on an object (or in progress: no finish date yet) with its documents."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    cleaned = {name: (value.strip() if isinstance(value, str) else value) for name, value in values.items()
               if name in ("work_type", "cost", "contractor", "started_on", "finished_on", "description")}
    cleaned.setdefault("cost", 0)
    if cleaned["cost"] is not None:
        cleaned["cost"] = money(cleaned["cost"], "cost")
    for name in ("contractor", "description"):
        cleaned[name] = cleaned.get(name) or ""
    errors = validate_record_values(asset, cleaned, today=register_today())
    if errors:
        raise ValidationError(errors)
    documents = list(documents or ())
    _validate_documents(documents)
    record = MaintenanceRecord.objects.create(asset=asset, actor_email=_actor_email(actor), **cleaned)
    for document in documents:
        row = MaintenanceDocument(record=record, title=document.title.strip(), number=(document.number or "").strip(),
                                  date=document.date)
        if document.file is not None:
            row.file.save(getattr(document.file, "name", "document"), document.file, save=False)
        row.save()
    summary = {"maintenance": [None, f"{record.work_type} {record.started_on} {record.cost}"]}
    entry = AssetChange.objects.create(asset=asset, action="maintenance_recorded", actor_email=_actor_email(actor),
                                       changes=summary, source=source)
    audit_record(action="asset.maintenance_recorded", actor=actor, target=record,
                 after={"history_entry": entry.pk, "asset": asset.register_number, "work_type": record.work_type,
                        "cost": str(record.cost), "started_on": str(record.started_on),
                        "finished_on": str(record.finished_on) if record.finished_on else None,
                        "documents": len(documents), "source": source})
    outbox_emit(CHANGED, asset_event_data(asset, changed=["maintenance"],
                                          maintenance={"work_type": record.work_type, "cost": str(record.cost),
                                                       "started_on": record.started_on,
                                                       "finished_on": record.finished_on}))
    return record


SCHEDULE_FIELDS = ("title", "asset", "asset_kind", "ict_category", "work_type", "every_months", "starts_on",
                   "is_active")


def validate_schedule_values(values: dict) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}
    if not (values.get("title") or "").strip():
        _error(errors, "title", _("This field is required."), "required")
    elif len(values["title"].strip()) > 300:
        _error(errors, "title", _("At most %(limit)d characters.") % {"limit": 300}, "max_length")
    if values.get("work_type") not in WorkType.values:
        _error(errors, "work_type", _("Choose the type of work."), "invalid_choice")
    months = values.get("every_months")
    if months is None or not 1 <= months <= MAX_INTERVAL_MONTHS:
        _error(errors, "every_months", _("Every 1 to %(max)d months.") % {"max": MAX_INTERVAL_MONTHS},
               codes.INVALID_INTERVAL)
    targets = [name for name in ("asset", "asset_kind", "ict_category") if values.get(name)]
    if len(targets) != 1:
        _error(errors, "asset", _("Name one object, or one kind of objects, or one ICT category."),
               codes.SCHEDULE_TARGET)
    if values.get("asset_kind") and values["asset_kind"] not in AssetKind.values:
        _error(errors, "asset_kind", _("Choose the kind of objects."), "invalid_choice")
    if values.get("ict_category") and values["ict_category"] not in IctCategory.values:
        _error(errors, "ict_category", _("Choose the ICT category."), "invalid_choice")
    asset = values.get("asset")
    if asset is not None and asset.is_removed:
        _error(errors, "asset", _("The object was removed from the register."), codes.ALREADY_REMOVED)
    if values.get("starts_on") is None:
        _error(errors, "starts_on", _("This field is required."), "required")
    return errors


@transaction.atomic
def maintenance_schedule_create(*, values: dict, actor=None, source: str = "") -> MaintenanceSchedule:
    values = {name: (v.strip() if isinstance(v, str) else v) for name, v in values.items() if name in SCHEDULE_FIELDS}
    values.setdefault("starts_on", register_today())
    for name in ("asset_kind", "ict_category"):
        values[name] = values.get(name) or ""
    errors = validate_schedule_values(values)
    if errors:
        raise ValidationError(errors)
    schedule = MaintenanceSchedule.objects.create(**values)
    audit_record(action="asset_maintenance_schedule.created", actor=actor, target=schedule,
                 after={"title": schedule.title, "asset": schedule.asset.register_number if schedule.asset else None,
                        "asset_kind": schedule.asset_kind, "ict_category": schedule.ict_category,
                        "work_type": schedule.work_type, "every_months": schedule.every_months,
                        "starts_on": str(schedule.starts_on), "source": source})
    return schedule


@transaction.atomic
def maintenance_schedule_update(*, schedule: MaintenanceSchedule, values: dict, actor=None,
                                source: str = "") -> MaintenanceSchedule:
    schedule = MaintenanceSchedule.objects.select_for_update().get(pk=schedule.pk)
    current = {name: getattr(schedule, name) for name in SCHEDULE_FIELDS}
    merged = current | {name: (v.strip() if isinstance(v, str) else v) for name, v in values.items()
                        if name in SCHEDULE_FIELDS}
    for name in ("asset_kind", "ict_category"):
        merged[name] = merged.get(name) or ""
    errors = validate_schedule_values(merged)
    if errors:
        raise ValidationError(errors)
    changed = {name for name in SCHEDULE_FIELDS if merged[name] != current[name]}
    for name in changed:
        setattr(schedule, name, merged[name])
    schedule.save()
    if changed:
        audit_record(action="asset_maintenance_schedule.changed", actor=actor, target=schedule,
                     before={k: str(current[k]) for k in changed},
                     after={**{k: str(merged[k]) for k in changed}, "source": source})
    return schedule


@transaction.atomic
def maintenance_settings_update(*, values: dict, actor=None) -> MaintenanceSettings:
    row = MaintenanceSettings.current()
    days = values.get("due_window_days", row.due_window_days)
    if days is None or not 1 <= days <= 365:
        raise ValidationError({"due_window_days": ValidationError(_("Between 1 and 365 days."),
                                                                  code=codes.INVALID_INTERVAL)})
    row.due_window_days = days
    row.save()
    audit_record(action="assets_maintenance_settings.changed", actor=actor, target=row,
                 after={"due_window_days": row.due_window_days})
    return row
