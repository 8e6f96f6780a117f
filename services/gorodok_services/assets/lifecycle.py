"""An object's working life: which status may follow which, and the one service that moves it.

Being in the register (``Asset.status``) and the working status are separate: a leased building and a
server under repair are both in the register. Leaving the register (``services.asset_remove``) ends the
working life too: it records a move to *disposed* unless the object is already there.

Every move has a date, a basis (the order, act or note that justifies it) and who made it; it is
recorded as an ``AssetTransition``, in the object's history and in the audit log, and webhook
subscribers get ``asset.status_changed``.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gorodok_platform.integrations.outbox import outbox_emit
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets.models import Asset, AssetTransition, LifecycleStatus
from gorodok_services.assets.module import STATUS_CHANGED

S = LifecycleStatus

# Which statuses may follow which. Written off is a decision awaiting the physical disposal; disposed is
# the end. Leased and transferred objects come back to use or to the reserve (or are written off when
# they come back unusable, through the reserve).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.IN_USE: frozenset({S.IN_RESERVE, S.UNDER_REPAIR, S.TRANSFERRED, S.LEASED, S.WRITTEN_OFF}),
    S.IN_RESERVE: frozenset({S.IN_USE, S.UNDER_REPAIR, S.TRANSFERRED, S.LEASED, S.WRITTEN_OFF}),
    S.UNDER_REPAIR: frozenset({S.IN_USE, S.IN_RESERVE, S.WRITTEN_OFF}),
    S.TRANSFERRED: frozenset({S.IN_USE, S.IN_RESERVE}),
    S.LEASED: frozenset({S.IN_USE, S.IN_RESERVE}),
    S.WRITTEN_OFF: frozenset({S.DISPOSED}),
    S.DISPOSED: frozenset(),
}

BASIS_LIMIT = AssetTransition._meta.get_field("basis").max_length


def allowed_next(status: str) -> list[str]:
    """The statuses an object in ``status`` may move to, in the order of the status list."""
    allowed = ALLOWED_TRANSITIONS.get(status, frozenset())
    return [value for value in S.values if value in allowed]


def is_allowed(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())


def last_transition_on(asset: Asset) -> date | None:
    """The date of the object's latest move (a new one may not be dated before it)."""
    return asset.transitions.order_by("-on", "-pk").values_list("on", flat=True).first()


def _validate(asset: Asset, to_status: str, on: date | None, basis: str) -> None:
    from gorodok_services.assets.services import register_today

    errors: dict[str, list[ValidationError]] = {}
    if to_status not in S.values:
        errors["to_status"] = [ValidationError(_("Choose a status."), code="invalid_choice")]
    elif not is_allowed(asset.lifecycle_status, to_status):
        errors["to_status"] = [ValidationError(
            _("An object %(current)s cannot become %(wanted)s.") % {
                "current": S(asset.lifecycle_status).label, "wanted": S(to_status).label},
            code=codes.TRANSITION_NOT_ALLOWED)]
    if on is None:
        errors["on"] = [ValidationError(_("Give the date of the change."), code="required")]
    elif on > register_today():
        errors["on"] = [ValidationError(_("A date cannot be in the future."), code=codes.FUTURE_DATE)]
    else:
        last = last_transition_on(asset)
        earliest = max(filter(None, (asset.included_on, last)), default=None)
        if earliest is not None and on < earliest:
            errors["on"] = [ValidationError(
                _("The change cannot be dated before %(date)s (the object's inclusion or its last change).")
                % {"date": earliest.strftime("%d.%m.%Y")}, code=codes.INVALID_DATES)]
    basis = (basis or "").strip()
    if not basis:
        errors["basis"] = [ValidationError(_("Give the basis of the change."), code=codes.BASIS_REQUIRED)]
    elif len(basis) > BASIS_LIMIT:
        errors["basis"] = [ValidationError(_("At most %(limit)d characters.") % {"limit": BASIS_LIMIT},
                                           code="max_length")]
    if errors:
        raise ValidationError(errors)


def record_transition(asset: Asset, to_status: str, on: date, basis: str, actor, source: str) -> AssetTransition:
    """Write a move already validated, on a row already locked (the removal uses it for *disposed*)."""
    from gorodok_services.assets.services import _history, asset_event_data
    from gorodok_services.core.access import actor_email as _actor_email

    from_status = asset.lifecycle_status
    row = AssetTransition.objects.create(asset=asset, from_status=from_status, to_status=to_status, on=on,
                                         basis=basis.strip(), actor_email=_actor_email(actor), source=source)
    asset.lifecycle_status = to_status
    asset.save(update_fields=["lifecycle_status", "updated_at"])
    _history(asset, "status_changed", actor,
             {"lifecycle_status": [from_status, to_status], "basis": [None, row.basis], "on": [None, str(on)]},
             source)
    outbox_emit(STATUS_CHANGED, asset_event_data(asset, from_status=from_status, to_status=to_status,
                                                 on=on, basis=row.basis))
    return row


@transaction.atomic
def asset_transition(*, asset: Asset, to_status: str, on: date, basis: str, actor=None,
                     source: str = "") -> AssetTransition:
    """Move an object of the register to ``to_status`` on ``on`` for ``basis``; a move the table does not
    allow, a date before the object's inclusion or its last move, or an object already out of the register
    is refused with a typed error and nothing is written."""
    asset = Asset.objects.select_for_update().select_related("holder").get(pk=asset.pk)
    if asset.is_removed:
        raise ValidationError(_("The object was removed from the register; it can no longer change."),
                              code=codes.ALREADY_REMOVED)
    _validate(asset, to_status, on, basis)
    return record_transition(asset, to_status, on, basis, actor, source)
