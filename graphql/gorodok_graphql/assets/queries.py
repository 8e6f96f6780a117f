import graphene

from gorodok_graphql.assets.enums import (
    AssetKindEnum,
    AssetLifecycleStatusEnum,
    AssetRightTypeEnum,
    AssetSectionEnum,
    AssetStatusEnum,
)
from gorodok_graphql.assets.lookup import pk_from_global_id
from gorodok_graphql.assets.permissions import MODULE, check_assets_permission, check_can_read_assets
from gorodok_graphql.assets.types import Asset, AssetHolder, AssetImport
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.fields import CappedConnectionField
from gorodok_graphql.core.permissions import module_required
from gorodok_services.assets.models import AssetImport as AssetImportModel
from gorodok_services.assets.models import Holder
from gorodok_services.assets.permissions import CHANGE
from gorodok_services.assets.selectors import asset_filter, asset_list


def _clean(text):
    """A search term as PostgreSQL text can hold it (NUL cannot match anything)."""
    return (text or "").replace("\x00", "").strip() or None


class AssetQueries(graphene.ObjectType):
    assets = CappedConnectionField(
        Asset,
        section=AssetSectionEnum(),
        kind=AssetKindEnum(),
        right_type=AssetRightTypeEnum(),
        holder=graphene.ID(description="A right holder's global ID."),
        status=AssetStatusEnum(),
        lifecycle_status=AssetLifecycleStatusEnum(),
        in_register=graphene.Boolean(description="Only objects listed in the register extract (true) — real "
                                                 "estate, and movables above the threshold or especially valuable "
                                                 "— or only those tracked below it (false)."),
        search=graphene.String(description="Part of the name, address, register or cadastral number."),
        description="The municipality's property register, by register number.",
    )
    asset = graphene.Field(Asset, id=graphene.ID(required=True), description="One object of the register.")
    asset_holders = CappedConnectionField(
        AssetHolder, search=graphene.String(description="Part of the name or the INN."),
        description="Section 3 of the register: the right holders, by name.",
    )
    asset_holder = graphene.Field(AssetHolder, id=graphene.ID(required=True), description="One right holder.")
    asset_import = graphene.Field(AssetImport, id=graphene.ID(required=True),
                                  description="A register import started with startAssetImport: its state and report "
                                              "(needs assets:write).")

    @module_required(MODULE)
    def resolve_assets(root, info, section=None, kind=None, right_type=None, holder=None, status=None,
                       in_register=None, search=None, lifecycle_status=None, **kwargs):
        check_can_read_assets(info)
        holder_id = None
        if holder:
            holder_id = pk_from_global_id(holder, "AssetHolder")
            if holder_id is None:
                return asset_list().none()
        return asset_filter(asset_list(), section=enum_value(section), kind=enum_value(kind),
                            right_type=enum_value(right_type), holder_id=holder_id, status=enum_value(status),
                            in_register=in_register, search=_clean(search),
                            lifecycle_status=enum_value(lifecycle_status))

    @module_required(MODULE)
    def resolve_asset(root, info, id):
        check_can_read_assets(info)
        pk = pk_from_global_id(id, "Asset")
        return asset_list().filter(pk=pk).first() if pk is not None else None

    @module_required(MODULE)
    def resolve_asset_holders(root, info, search=None, **kwargs):
        check_can_read_assets(info)
        queryset = Holder.objects.order_by("name", "pk")
        term = _clean(search)
        if term:
            queryset = queryset.filter(name__icontains=term) | queryset.filter(inn__startswith=term)
        return queryset

    @module_required(MODULE)
    def resolve_asset_holder(root, info, id):
        check_can_read_assets(info)
        pk = pk_from_global_id(id, "AssetHolder")
        return Holder.objects.filter(pk=pk).first() if pk is not None else None

    @module_required(MODULE)
    def resolve_asset_import(root, info, id):
        check_assets_permission(info, CHANGE)
        pk = pk_from_global_id(id, "AssetImport")
        return AssetImportModel.objects.filter(pk=pk).first() if pk is not None else None
