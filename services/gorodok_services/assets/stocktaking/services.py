"""Writes of stock-taking. Every function is atomic, validates its input (ValidationError with a code from
``error_codes``) and records the audit log; marks are recorded as ``MarkChange`` rows.

- ``campaign_open`` creates a campaign and snapshots the objects in its scope (in the register, not
  written off or disposed) as items, in bulk.
- ``item_mark`` marks an item once (by its id, or by an inventory or register number for a barcode
  scanner); a second mark is refused: ``item_change_mark`` changes one explicitly, with a reason.
- ``campaign_close`` counts unmarked items as not found, applies what the differences imply through the
  lifecycle service (damaged: under repair), records the place of objects found elsewhere in their
  history, proposes (never applies) the write-off of objects not found, writes the differences report
  (XLSX) and emits ``stocktaking.closed``. Closing a closed campaign changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gorodok_platform.audit.services import audit_record
from gorodok_platform.integrations.outbox import outbox_emit
from gorodok_services.assets.lifecycle import asset_transition, is_allowed
from gorodok_services.assets.models import Asset, AssetChange, AssetStatus, LifecycleStatus, Section
from gorodok_services.assets.module import STOCKTAKING_CLOSED
from gorodok_services.assets.services import register_today
from gorodok_services.assets.stocktaking import error_codes as codes
from gorodok_services.assets.stocktaking.models import (
    Campaign,
    CampaignStatus,
    Item,
    Mark,
    MarkChange,
    Outcome,
)
from gorodok_services.core.access import actor_email as _actor_email

CLOSED_LIFE = (LifecycleStatus.WRITTEN_OFF, LifecycleStatus.DISPOSED)


def _text(value, name: str, limit: int, errors: dict, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(ValidationError(_("This field is required."), code="required"))
    elif len(value) > limit:
        errors.setdefault(name, []).append(
            ValidationError(_("At most %(limit)d characters.") % {"limit": limit}, code="max_length"))
    return value


# --- opening ----------------------------------------------------------------------------------------------

def scope_objects(*, holder=None, building: Asset | None = None, address: str = "", kind: str = "") -> QuerySet:
    """The objects a campaign with this scope checks: in the register, still in working life (not written
    off or disposed), of the holder, at the building's address (or containing ``address``), of the kind.
    The building itself is not among them."""
    queryset = Asset.objects.filter(status=AssetStatus.IN_REGISTER).exclude(lifecycle_status__in=CLOSED_LIFE)
    if holder is not None:
        queryset = queryset.filter(holder=holder)
    if building is not None:
        queryset = queryset.filter(address__istartswith=building.address.strip()).exclude(pk=building.pk)
    if address:
        queryset = queryset.filter(address__icontains=address)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def campaign_validate(*, name: str, starts_on: date | None, ends_on: date | None, commission: str, holder=None,
                      building: Asset | None = None, address: str = "", kind: str = "") -> list[Asset]:
    """Check a new campaign (no writes); return the objects in its scope."""
    from gorodok_services.assets.models import AssetKind

    errors: dict[str, list[ValidationError]] = {}
    _text(name, "name", 300, errors, required=True)
    _text(commission, "commission", 5000, errors, required=True)
    address = _text(address, "address", 300, errors)
    if starts_on is None:
        errors.setdefault("starts_on", []).append(ValidationError(_("This field is required."), code="required"))
    if ends_on is None:
        errors.setdefault("ends_on", []).append(ValidationError(_("This field is required."), code="required"))
    elif starts_on is not None and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(ValidationError(_("The campaign ends before it starts."),
                                                                code=codes.INVALID_DATES))
    if kind and kind not in AssetKind.values:
        errors.setdefault("kind", []).append(ValidationError(_("Choose the kind of object."), code="invalid_choice"))
    if building is not None and building.section != Section.REAL_ESTATE:
        errors.setdefault("building", []).append(ValidationError(
            _("A building is a real-estate object of the register."), code=codes.NOT_REAL_ESTATE))
    if holder is None and building is None and not address and not kind:
        errors.setdefault("holder", []).append(ValidationError(
            _("Pick the scope: a right holder, a building and/or a kind of object."), code=codes.EMPTY_SCOPE))
    if errors:
        raise ValidationError(errors)
    assets = list(scope_objects(holder=holder, building=building, address=address, kind=kind)
                  .select_related("holder").order_by("register_number"))
    if not assets:
        raise ValidationError({"holder": ValidationError(_("No object of the register is in this scope."),
                                                         code=codes.EMPTY_SCOPE)})
    return assets


@transaction.atomic
def campaign_open(*, name: str, starts_on: date, ends_on: date, commission: str, holder=None,
                  building: Asset | None = None, address: str = "", kind: str = "", actor=None) -> Campaign:
    """Create a campaign and snapshot the objects in its scope as its items."""
    assets = campaign_validate(name=name, starts_on=starts_on, ends_on=ends_on, commission=commission,
                               holder=holder, building=building, address=address, kind=kind)
    name, commission, address = name.strip(), commission.strip(), (address or "").strip()
    campaign = Campaign.objects.create(name=name, starts_on=starts_on, ends_on=ends_on, commission=commission,
                                       scope_holder=holder, scope_building=building, scope_address=address,
                                       scope_kind=kind, opened_by_email=_actor_email(actor))
    Item.objects.bulk_create([
        Item(campaign=campaign, asset=asset, register_number=asset.register_number,
             inventory_number=asset.inventory_number, name=asset.name[:500], address=asset.address,
             holder_name=str(asset.holder)[:500], balance_value=asset.balance_value)
        for asset in assets], batch_size=2000)
    audit_record(action="asset_stocktaking.opened", actor=actor, target=campaign,
                 after={"name": name, "items": len(assets)})
    return campaign


# --- marking ------------------------------------------------------------------------------------------------

def _locked_open(campaign: Campaign) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_closed:
        raise ValidationError(_("The stock-taking is closed: its marks can no longer change."),
                              code=codes.CAMPAIGN_CLOSED)
    return campaign


def find_item(campaign: Campaign, number: str) -> Item:
    """The item of ``campaign`` with this inventory or register number; an object of the register that is
    not in the campaign, or no object at all, is a typed error on ``number``."""
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": ValidationError(_("Give an inventory or register number."),
                                                         code=codes.NUMBER_REQUIRED)})
    matches = Q(inventory_number=number) | Q(register_number=number)
    item = campaign.items.filter(matches).order_by("pk").first()
    if item is not None:
        return item
    if Asset.objects.filter(matches).exists():
        raise ValidationError({"number": ValidationError(
            _("Object %(number)s is not in this stock-taking (another holder, building or kind).")
            % {"number": number}, code=codes.OUTSIDE_CAMPAIGN)})
    raise ValidationError({"number": ValidationError(_("No object of the register has the number %(number)s.")
                                                     % {"number": number}, code="not_found")})


def _validated_mark(mark: str, place: str, note: str) -> tuple[str, str]:
    errors: dict[str, list[ValidationError]] = {}
    if mark not in Mark.values:
        errors["mark"] = [ValidationError(_("Choose the mark."), code="invalid_choice")]
    place = _text(place, "place", 300, errors)
    note = _text(note, "note", 500, errors)
    if mark == Mark.FOUND_ELSEWHERE and not place:
        errors.setdefault("place", []).append(ValidationError(_("Say where the object was found."),
                                                              code=codes.PLACE_REQUIRED))
    if errors:
        raise ValidationError(errors)
    return (place if mark == Mark.FOUND_ELSEWHERE else ""), note


def _write_mark(item: Item, mark: str, place: str, note: str, actor, source: str, reason: str = "") -> Item:
    MarkChange.objects.create(item=item, actor_email=_actor_email(actor), source=source, from_mark=item.mark,
                              to_mark=mark, place=place, reason=reason)
    item.mark, item.place, item.note = mark, place, note
    item.marked_at, item.marked_by_email = timezone.now(), _actor_email(actor)
    item.save(update_fields=["mark", "place", "note", "marked_at", "marked_by_email"])
    return item


@transaction.atomic
def item_mark(*, campaign: Campaign, mark: str, item: Item | None = None, number: str = "", place: str = "",
              note: str = "", actor=None, source: str = "") -> Item:
    """Mark an item of an open campaign (by ``item`` or by ``number``). An item already marked is refused:
    changing a mark is ``item_change_mark``."""
    campaign = _locked_open(campaign)
    if item is not None:
        if item.campaign_id != campaign.pk:
            raise ValidationError({"item": ValidationError(_("The item belongs to another stock-taking."),
                                                           code=codes.OUTSIDE_CAMPAIGN)})
    else:
        item = find_item(campaign, number)
    item = Item.objects.select_for_update().get(pk=item.pk)
    place, note = _validated_mark(mark, place, note)
    if item.mark:
        raise ValidationError({"mark": ValidationError(
            _("%(item)s is already marked %(mark)s; change the mark explicitly if it is wrong.")
            % {"item": item.register_number, "mark": Mark(item.mark).label}, code=codes.ALREADY_MARKED)})
    return _write_mark(item, mark, place, note, actor, source)


@transaction.atomic
def item_change_mark(*, item: Item, mark: str, reason: str, place: str = "", note: str = "", actor=None,
                     source: str = "") -> Item:
    """Change the mark of an item of an open campaign, with the reason (recorded beside the old mark)."""
    _locked_open(item.campaign)
    item = Item.objects.select_for_update().get(pk=item.pk)
    errors: dict[str, list[ValidationError]] = {}
    reason = _text(reason, "reason", 500, errors)
    if not reason:
        errors["reason"] = [ValidationError(_("Say why the mark changes."), code=codes.REASON_REQUIRED)]
    if not item.mark:
        errors["mark"] = [ValidationError(_("The item has no mark yet: mark it."), code=codes.NOT_MARKED)]
    if errors:
        raise ValidationError(errors)
    place, note = _validated_mark(mark, place, note)
    return _write_mark(item, mark, place, note, actor, source, reason)


# --- closing -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CloseResult:
    campaign: Campaign
    counts: dict[str, int]
    closed_now: bool  # False when the campaign had already been closed


def campaign_counts(campaign: Campaign) -> dict[str, int]:
    from django.db.models import Count

    counts = dict.fromkeys([*Mark.values, "unmarked"], 0)
    for row in campaign.items.values("mark").annotate(n=Count("pk")):
        counts[row["mark"] or "unmarked"] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


@transaction.atomic
def campaign_close(*, campaign: Campaign, on: date | None = None, actor=None, source: str = "") -> CloseResult:
    """Close the campaign: unmarked items count as not found; damaged objects go to repair (when their status
    allows), objects found elsewhere get the place in their history, objects not found get a write-off
    proposed (a decision for the head, never taken here); the differences report is stored with the
    campaign and ``stocktaking.closed`` is emitted. A closed campaign is returned as it is."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_closed:
        return CloseResult(campaign, campaign_counts(campaign), False)
    on = on or register_today()
    if on < campaign.starts_on or on > register_today():
        raise ValidationError({"on": ValidationError(
            _("Close on a day from the campaign's start to today."), code=codes.INVALID_DATES)})
    email = _actor_email(actor)
    basis = gettext("Stock-taking “%(name)s”, closed on %(date)s") % {"name": campaign.name,
                                                                      "date": on.strftime("%d.%m.%Y")}
    # Unmarked items count as not found, in bulk (a campaign may hold thousands of objects).
    pending = list(campaign.items.filter(mark="").select_for_update().values_list("pk", flat=True))
    if pending:
        MarkChange.objects.bulk_create([MarkChange(item_id=pk, actor_email=email, source="close", from_mark="",
                                                   to_mark=Mark.NOT_FOUND) for pk in pending], batch_size=2000)
        campaign.items.filter(pk__in=pending).update(mark=Mark.NOT_FOUND, note=gettext("not marked by the close"),
                                                     marked_at=timezone.now(), marked_by_email=email)
    items = list(campaign.items.exclude(mark=Mark.FOUND).select_related("asset").select_for_update(of=("self",))
                 .order_by("register_number", "pk"))
    for item in items:
        asset = item.asset
        if item.mark == Mark.NOT_FOUND:
            item.outcome = Outcome.WRITE_OFF_PROPOSED
            item.outcome_note = gettext("Not found: a write-off is proposed for the head's decision.")
        elif item.mark == Mark.DAMAGED:
            refusal = None
            if asset.status == AssetStatus.IN_REGISTER and is_allowed(asset.lifecycle_status,
                                                                        LifecycleStatus.UNDER_REPAIR):
                try:
                    asset_transition(asset=asset, to_status=LifecycleStatus.UNDER_REPAIR,
                                     on=max(on, asset.included_on), basis=basis, actor=actor,
                                     source=source or "stocktaking")
                except ValidationError as exc:  # e.g. the object's last move is dated after the close
                    refusal = "; ".join(exc.messages)
                else:
                    item.outcome = Outcome.SENT_TO_REPAIR
                    item.outcome_note = gettext("Damaged: sent to repair.")
            else:
                refusal = ""
            if refusal is not None:
                item.outcome = Outcome.NOT_APPLIED
                item.outcome_note = (refusal or gettext("Damaged, but an object %(status)s cannot go to repair.") % {
                    "status": LifecycleStatus(asset.lifecycle_status).label})[:500]
        elif item.mark == Mark.FOUND_ELSEWHERE:
            AssetChange.objects.create(asset=asset, action="found_elsewhere", actor_email=email,
                                       source=source or "stocktaking",
                                       changes={"place": [asset.address or None, item.place],
                                                "stocktaking": [None, campaign.name]})
            item.outcome = Outcome.PLACE_RECORDED
            item.outcome_note = (gettext("Found at: %(place)s") % {"place": item.place})[:500]
    Item.objects.bulk_update(items, ["outcome", "outcome_note"], batch_size=1000)
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_on, campaign.closed_at, campaign.closed_by_email = on, timezone.now(), email
    from gorodok_services.assets.stocktaking.reports import differences_xlsx

    campaign.report.save(f"stocktaking-{campaign.pk}-{on:%Y%m%d}.xlsx", ContentFile(differences_xlsx(campaign)),
                         save=False)
    campaign.save()
    counts = campaign_counts(campaign)
    differences = [{"register_number": item.register_number, "inventory_number": item.inventory_number or None,
                    "mark": item.mark, "place": item.place or None, "outcome": item.outcome} for item in items]
    outbox_emit(STOCKTAKING_CLOSED, {"id": campaign_global_id(campaign), "name": campaign.name,
                                     "starts_on": campaign.starts_on, "ends_on": campaign.ends_on,
                                     "closed_on": on, "counts": counts, "differences": differences})
    audit_record(action="asset_stocktaking.closed", actor=actor, target=campaign,
                 after={"counts": counts, "report": campaign.report.name})
    return CloseResult(campaign, counts, True)


def campaign_global_id(campaign) -> str:
    import base64

    return base64.b64encode(f"StocktakingCampaign:{getattr(campaign, 'pk', campaign)}".encode()).decode("ascii")
