"""The housing stock and the utility networks as lists of register objects (each with its ``housing`` or
``utility`` profile), with keyset cursors, in register-number order."""

import graphene

from gorodok_graphql.assets.housing_enums import ConditionBandEnum, HousingKindEnum, UtilityKindEnum
from gorodok_graphql.assets.permissions import MODULE, check_can_read_assets
from gorodok_graphql.assets.types import Asset
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.fields import CappedConnectionField
from gorodok_graphql.core.permissions import module_required
from gorodok_services.assets.housing.selectors import housing_filter, utility_filter
from gorodok_services.assets.selectors import asset_list


class HousingQueries(graphene.ObjectType):
    housing_stock = CappedConnectionField(
        Asset,
        band=ConditionBandEnum(description="Only objects whose wear falls in this condition band."),
        emergency=graphene.Boolean(description="Only buildings recognised in disrepair (true), or only the others "
                                               "(false)."),
        housing_kind=HousingKindEnum(),
        description="Register objects with a housing profile (apartment buildings, municipal premises, "
                    "dormitories) still in the register, by register number.",
    )
    utility_networks = CappedConnectionField(
        Asset,
        kind=UtilityKindEnum(description="A network kind, or a facility kind (boiler houses and the like)."),
        band=ConditionBandEnum(description="Only objects whose wear falls in this condition band."),
        description="Register objects with a utility profile (network sections and facilities), by register "
                    "number; objects removed from the register are left out.",
    )

    @module_required(MODULE)
    def resolve_housing_stock(root, info, band=None, emergency=None, housing_kind=None, **kwargs):
        check_can_read_assets(info)
        return housing_filter(asset_list(), band=enum_value(band), emergency=emergency,
                              housing_kind=enum_value(housing_kind))

    @module_required(MODULE)
    def resolve_utility_networks(root, info, kind=None, band=None, **kwargs):
        check_can_read_assets(info)
        return utility_filter(asset_list(), kind=enum_value(kind), band=enum_value(band))
