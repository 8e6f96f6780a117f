"""What the appeals module tells webhook subscribers (through ``outbox_emit``).

Events: ``appeal.registered``, ``appeal.status_changed`` (every change of status, with the previous
one), ``appeal.answered`` and ``appeal.overdue`` (the sweep flagged it). The data identifies the
appeal and its progress, and never carries personal data: no applicant, no subject or text, no
addresses, no answer text. Whoever may see more asks the API with the ``id``.
"""

from __future__ import annotations

import base64

from gorodok_services.appeals.models import Appeal
from gorodok_services.appeals.module import ANSWERED, EVENT_TYPES, OVERDUE, REGISTERED, STATUS_CHANGED  # noqa: F401


def appeal_global_id(appeal: Appeal) -> str:
    """The appeal's Relay id in the tenant API (``node(id: ...)``)."""
    return base64.b64encode(f"Appeal:{appeal.pk}".encode()).decode("ascii")


def appeal_event_data(appeal: Appeal, **extra) -> dict:
    data = {
        "id": appeal_global_id(appeal),
        "public_id": str(appeal.public_id),
        "registration_number": appeal.registration_number,
        "status": appeal.status,
        "kind": appeal.kind,
        "channel": appeal.channel,
        "form": appeal.form,
        "received_at": appeal.received_at,
        "registered_at": appeal.registered_at,
        "due_at": appeal.due_at,
        "extended": appeal.extended_at is not None,
        "answered_at": appeal.answered_at,
        "answered_late": appeal.answered_late,
        "closed_at": appeal.closed_at,
        "is_overdue": appeal.is_overdue,
    }
    data.update(extra)
    return data
