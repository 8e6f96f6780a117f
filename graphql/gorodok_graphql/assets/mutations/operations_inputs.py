"""Inputs of the ICT fleet's and maintenance's mutations, and turning them into the services' values."""

import graphene

from gorodok_graphql.assets.enums import AssetKindEnum
from gorodok_graphql.assets.lookup import asset_from_global_id
from gorodok_graphql.assets.operations_enums import IctCategoryEnum, MaintenanceWorkTypeEnum
from gorodok_graphql.core.enums import enum_value

MAX_LICENCE_ASSETS = 1000


class IctProfileInput(graphene.InputObjectType):
    """An object's ICT profile; on a change, only what is given changes."""

    category = IctCategoryEnum()
    building_id = graphene.ID(description="Global ID of the real-estate object it is located in; null to clear.")
    room = graphene.String()
    responsible_name = graphene.String(description="The responsible employee.")
    responsible_position = graphene.String()
    warranty_until = graphene.Date()
    end_of_life = graphene.Date(description="Planned end of life.")


def profile_values(data) -> dict:
    values = {}
    for name, value in data.items():
        if name == "building_id":
            values["building"] = asset_from_global_id(value, field="building_id") if value else None
            continue
        value = enum_value(value)
        if value is None and name in ("room", "responsible_name", "responsible_position"):
            value = ""
        values[name] = value
    return values


class LicenceInput(graphene.InputObjectType):
    """A licence's values; on update, only what is given changes (``assetIds`` replaces the list)."""

    product = graphene.String()
    vendor = graphene.String()
    seats = graphene.Int()
    valid_from = graphene.Date()
    valid_until = graphene.Date(description="Null: perpetual.")
    yearly_cost = graphene.Decimal(description="Roubles.")
    note = graphene.String()
    asset_ids = graphene.List(graphene.NonNull(graphene.ID), description="Global IDs of the objects it is "
                                                                         "installed on.")


def licence_values(data) -> dict:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    values = {}
    for name, value in data.items():
        if name == "asset_ids":
            ids = list(value or ())
            if len(ids) > MAX_LICENCE_ASSETS:
                raise ValidationError({"asset_ids": ValidationError(
                    _("At most %(limit)d objects.") % {"limit": MAX_LICENCE_ASSETS}, code="max_length")})
            values["assets"] = [asset_from_global_id(gid, field="asset_ids") for gid in dict.fromkeys(ids)]
            continue
        if value is None and name in ("vendor", "note"):
            value = ""
        values[name] = value
    return values


class MaintenanceDocumentInput(graphene.InputObjectType):
    title = graphene.String(required=True, description="E.g. an act of work done.")
    number = graphene.String()
    date = graphene.Date()


class MaintenanceRecordInput(graphene.InputObjectType):
    work_type = MaintenanceWorkTypeEnum(required=True)
    cost = graphene.Decimal(description="Roubles; 0 when omitted.")
    contractor = graphene.String()
    started_on = graphene.Date(required=True)
    finished_on = graphene.Date(description="Null: still in progress.")
    description = graphene.String()
    documents = graphene.List(graphene.NonNull(MaintenanceDocumentInput))


class MaintenanceScheduleInput(graphene.InputObjectType):
    """Name exactly one target: an object, a kind of objects, or an ICT category."""

    title = graphene.String(required=True)
    asset_id = graphene.ID(description="Global ID of the one object.")
    asset_kind = AssetKindEnum(description="Every object of this kind.")
    ict_category = IctCategoryEnum(description="Every ICT object of this category.")
    work_type = MaintenanceWorkTypeEnum(required=True)
    every_months = graphene.Int(required=True, description="At least 1.")
    starts_on = graphene.Date(description="When an object has no matching record yet; today when omitted.")
    is_active = graphene.Boolean()


def schedule_values(data) -> dict:
    values = {}
    for name, value in data.items():
        if name == "asset_id":
            values["asset"] = asset_from_global_id(value, field="asset_id") if value else None
            continue
        if value is None and name == "is_active":
            continue
        values[name] = enum_value(value)
    return values
