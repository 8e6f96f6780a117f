"""Maintenance mode: a municipality being upgraded answers 503 MUNICIPALITY_UPGRADING on all its hosts.

The flag (``Municipality.maintenance_since``, with ``maintenance_message``) belongs to the upgrader: it
sets it in a committed transaction before a schema's migration starts, and clears it in the same
transaction as the migration (so it is never cleared on a schema that did not commit). A failed
migration leaves it set with a message, until ``upgrade retry`` succeeds. The routing cache is told
each time (``forget_hosts``), since these are ``update()`` calls, not saves.
"""

from __future__ import annotations

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from gorodok_tenants.models import Municipality
from gorodok_tenants.routing import forget_hosts

UPGRADING_MESSAGE = ""  # the routing answer says it; a message is stored only when something is wrong
FAILED_MESSAGE = (
    "The upgrade of this municipality's service did not complete and was rolled back; nothing was lost. "
    "The regional committee is completing it."
)


def enter(municipality_id: int, domains, message: str = UPGRADING_MESSAGE) -> None:
    """Put a municipality in maintenance (call inside a transaction that commits before the migration)."""
    Municipality.objects.filter(pk=municipality_id).update(
        maintenance_since=Coalesce(F("maintenance_since"), Value(timezone.now())), maintenance_message=message,
    )


def leave(municipality_id: int, **fields) -> None:
    Municipality.objects.filter(pk=municipality_id).update(maintenance_since=None, maintenance_message="", **fields)


def set_message(municipality_id: int, message: str) -> None:
    Municipality.objects.filter(pk=municipality_id).update(maintenance_message=message)


def refresh_routing(domains) -> None:
    if domains:
        forget_hosts(*domains)
