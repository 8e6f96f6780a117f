"""The housing and utility profiles of a register object in the tenant API (``Asset.housing`` and
``Asset.utility``). Areas in square metres, lengths in metres, wear in whole percent."""

from __future__ import annotations

import graphene

from gorodok_graphql.assets.housing_dataloaders import asset_loader
from gorodok_graphql.assets.housing_enums import (
    ConditionBandEnum,
    HousingErrorCode,
    HousingKindEnum,
    HousingPlannedActionEnum,
    HousingWallMaterialEnum,
    UtilityCapacityUnitEnum,
    UtilityKindEnum,
)
from gorodok_graphql.core.errors import error_type

HousingError = error_type("HousingError", HousingErrorCode, "Why a housing or utility profile was refused.")


def _or_none(value):
    return value or None


def _band(root):
    return getattr(root, "condition_band", None) or None


class HousingProfile(graphene.ObjectType):
    """What the housing stock keeps about a building, premises or complex."""

    housing_kind = graphene.Field(HousingKindEnum, required=True)
    building = graphene.Field("gorodok_graphql.assets.types.Asset",
                              description="For municipal premises: the building they are in, when it is in the "
                                          "register.")
    year_built = graphene.Int()
    floors = graphene.Int()
    entrances = graphene.Int()
    apartments = graphene.Int()
    total_area = graphene.Decimal(required=True, description="Square metres.")
    living_area = graphene.Decimal(description="Square metres.")
    wall_material = graphene.Field(HousingWallMaterialEnum)
    wear_percent = graphene.Int(required=True, description="Physical wear, 0–100.")
    condition_band = graphene.Field(ConditionBandEnum, required=True,
                                    description="The condition the wear falls in, by the municipality's scale.")
    wear_assessed_on = graphene.Date()
    emergency = graphene.Boolean(required=True, description="Recognised in disrepair by a formal decision.")
    emergency_decision_number = graphene.String()
    emergency_decision_date = graphene.Date()
    planned_action = graphene.Field(HousingPlannedActionEnum)
    resettlement_planned_on = graphene.Date()

    def resolve_building(root, info):
        return asset_loader(info.context).load(root.building_id) if root.building_id else None

    def resolve_wall_material(root, info):
        return _or_none(root.wall_material)

    def resolve_condition_band(root, info):
        return _band(root)

    def resolve_emergency_decision_number(root, info):
        return _or_none(root.emergency_decision_number)

    def resolve_planned_action(root, info):
        return _or_none(root.planned_action)


class UtilityProfile(graphene.ObjectType):
    """What the utilities keep about a network section or a facility."""

    kind = graphene.Field(UtilityKindEnum, required=True)
    length_m = graphene.Decimal(description="Networks: metres.")
    diameter_mm = graphene.Int(description="Networks: millimetres.")
    year_laid = graphene.Int(description="Networks.")
    capacity = graphene.Decimal(description="Facilities, in capacityUnit.")
    capacity_unit = graphene.Field(UtilityCapacityUnitEnum)
    wear_percent = graphene.Int(required=True, description="Physical wear, 0–100.")
    condition_band = graphene.Field(ConditionBandEnum, required=True,
                                    description="The condition the wear falls in, by the municipality's scale.")
    wear_assessed_on = graphene.Date()

    def resolve_capacity_unit(root, info):
        return _or_none(root.capacity_unit)

    def resolve_condition_band(root, info):
        return _band(root)
