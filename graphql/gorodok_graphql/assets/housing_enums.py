"""Enums of the housing stock and the utility networks in the tenant API."""

import graphene

from gorodok_graphql.core.errors import error_code_enum
from gorodok_services.assets.housing import error_codes
from gorodok_services.assets.housing.models import (
    CapacityUnit,
    ConditionBand,
    HousingKind,
    PlannedAction,
    UtilityKind,
    WallMaterial,
)

HousingKindEnum = graphene.Enum.from_enum(
    HousingKind, name="HousingKind",
    description="An apartment building, municipal premises in a building, a dormitory, or other housing.")
HousingWallMaterialEnum = graphene.Enum.from_enum(
    WallMaterial, name="HousingWallMaterial", description="What a building's walls are made of.")
HousingPlannedActionEnum = graphene.Enum.from_enum(
    PlannedAction, name="HousingPlannedAction",
    description="What is planned for a building recognised in disrepair.")
ConditionBandEnum = graphene.Enum.from_enum(
    ConditionBand, name="ConditionBand",
    description="The technical condition that physical wear falls in, by the municipality's scale (by default "
                "0–20% good, 21–40% satisfactory, 41–60% unsatisfactory, 61–80% dilapidated, 81–100% unusable).")
UtilityKindEnum = graphene.Enum.from_enum(
    UtilityKind, name="UtilityKind",
    description="A utility network (heat, water supply, sewer, electricity, gas) or facility (boiler house, "
                "pumping or treatment station, other).")
UtilityCapacityUnitEnum = graphene.Enum.from_enum(
    CapacityUnit, name="UtilityCapacityUnit", description="The unit of a facility's capacity.")

HousingErrorCode = error_code_enum(
    "HousingErrorCode", error_codes, "Why a housing or utility profile was refused.")
