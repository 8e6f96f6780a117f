"""Inputs of the housing and utility profiles, and turning them into the services' values."""

import graphene

from gorodok_graphql.assets.housing_enums import (
    HousingKindEnum,
    HousingPlannedActionEnum,
    HousingWallMaterialEnum,
    UtilityCapacityUnitEnum,
    UtilityKindEnum,
)
from gorodok_graphql.assets.lookup import asset_from_global_id
from gorodok_graphql.core.enums import enum_value


class HousingProfileInput(graphene.InputObjectType):
    """The whole housing profile: a field left out is empty (the profile is replaced, not merged)."""

    housing_kind = HousingKindEnum(required=True)
    building_id = graphene.ID(description="Municipal premises: the global ID of the building they are in.")
    year_built = graphene.Int(description="From 1700 to this year.")
    floors = graphene.Int(description="At least 1; required for apartment buildings and dormitories.")
    entrances = graphene.Int(description="At least 1.")
    apartments = graphene.Int(description="At least 1; required for apartment buildings.")
    total_area = graphene.Decimal(required=True, description="Square metres, above zero.")
    living_area = graphene.Decimal(description="Square metres, at most the total area.")
    wall_material = HousingWallMaterialEnum()
    wear_percent = graphene.Int(required=True, description="Physical wear, 0–100.")
    wear_assessed_on = graphene.Date()
    emergency = graphene.Boolean(description="Recognised in disrepair; then the decision's number and date are "
                                             "required.")
    emergency_decision_number = graphene.String()
    emergency_decision_date = graphene.Date()
    planned_action = HousingPlannedActionEnum()
    resettlement_planned_on = graphene.Date()


def housing_values(data) -> dict:
    values = {name: enum_value(value) for name, value in data.items() if name != "building_id"}
    building = data.get("building_id")
    values["building"] = asset_from_global_id(building, field="building_id") if building else None
    return values


class UtilityProfileInput(graphene.InputObjectType):
    """The whole utility profile: a field left out is empty (the profile is replaced, not merged)."""

    kind = UtilityKindEnum(required=True)
    length_m = graphene.Decimal(description="Networks: metres, above zero (required).")
    diameter_mm = graphene.Int(description="Networks: millimetres.")
    year_laid = graphene.Int(description="Networks: from 1700 to this year.")
    capacity = graphene.Decimal(description="Facilities: in capacityUnit.")
    capacity_unit = UtilityCapacityUnitEnum(description="Facilities.")
    wear_percent = graphene.Int(required=True, description="Physical wear, 0–100.")
    wear_assessed_on = graphene.Date()


def utility_values(data) -> dict:
    return {name: enum_value(value) for name, value in data.items()}


# Service field names in the mutations' terms.
INPUT_NAMES = {"asset": "asset_id", "building": "building_id"}
