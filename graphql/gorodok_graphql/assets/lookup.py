"""Global IDs of register objects and right holders. A row is looked up in the schema of the
request's host only, so an ID from another municipality is simply not found."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from graphql_relay import from_global_id

from gorodok_services.assets.models import Asset, Holder

MAX_PK = 2**63 - 1


def pk_from_global_id(global_id: str, type_name: str) -> int | None:
    try:
        found_type, pk = from_global_id(global_id or "")
    except Exception:
        return None
    if found_type != type_name or not pk.isascii() or not pk.isdigit() or not 0 < int(pk) <= MAX_PK:
        return None
    return int(pk)


def asset_from_global_id(global_id: str, field: str = "id") -> Asset:
    pk = pk_from_global_id(global_id, "Asset")
    if pk is None:
        raise ValidationError({field: ValidationError(_("Not a register object ID."), code="invalid")})
    asset = Asset.objects.filter(pk=pk).first()
    if asset is None:
        raise ValidationError({field: ValidationError(_("No such register object."), code="not_found")})
    return asset


def holder_from_global_id(global_id: str, field: str = "holder_id") -> Holder:
    pk = pk_from_global_id(global_id, "AssetHolder")
    if pk is None:
        raise ValidationError({field: ValidationError(_("Not a right holder ID."), code="invalid")})
    holder = Holder.objects.filter(pk=pk).first()
    if holder is None:
        raise ValidationError({field: ValidationError(_("No such right holder."), code="not_found")})
    return holder
