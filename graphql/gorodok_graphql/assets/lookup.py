"""Global IDs of register objects and right holders, through the kit's one lookup: a row is looked up
in the schema of the request's host only, so an ID from another municipality is not found."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gorodok_graphql.core.ids import object_from_global_id, pk_from_global_id
from gorodok_services.assets.models import Asset, Encumbrance, Holder

__all__ = ["asset_from_global_id", "encumbrance_from_global_id", "holder_from_global_id", "pk_from_global_id"]


def asset_from_global_id(global_id: str, field: str = "id") -> Asset:
    return object_from_global_id(global_id, "Asset", Asset, field=field, message=_("No such register object."))


def holder_from_global_id(global_id: str, field: str = "holder_id") -> Holder:
    return object_from_global_id(global_id, "AssetHolder", Holder, field=field, message=_("No such right holder."))


def encumbrance_from_global_id(global_id: str, field: str = "id") -> Encumbrance:
    return object_from_global_id(global_id, "AssetEncumbrance", Encumbrance, field=field,
                                 message=_("No such encumbrance."))
