"""Inputs shared by the register's mutations, and turning them into the services' values."""

import graphene

from gorodok_graphql.assets.enums import (
    AssetDocumentKindEnum,
    AssetEncumbranceKindEnum,
    AssetHolderKindEnum,
    AssetKindEnum,
    AssetRightTypeEnum,
)
from gorodok_graphql.assets.lookup import holder_from_global_id
from gorodok_graphql.core.enums import enum_value
from gorodok_services.assets.models import Asset as AssetModel
from gorodok_services.assets.services import DocumentInput


class AssetInput(graphene.InputObjectType):
    """An object's values; on update, only what is given changes (the section follows the kind)."""

    kind = AssetKindEnum()
    name = graphene.String()
    purpose = graphene.String()
    address = graphene.String()
    latitude = graphene.Decimal()
    longitude = graphene.Decimal()
    cadastral_number = graphene.String(description="E.g. 19:01:010101:123.")
    cadastral_date = graphene.Date()
    cadastral_value = graphene.Decimal()
    area = graphene.Decimal(description="Square metres.")
    length = graphene.Decimal(description="Metres.")
    parameters = graphene.String()
    make = graphene.String()
    model = graphene.String()
    year = graphene.Int()
    vin = graphene.String()
    plate = graphene.String()
    inventory_number = graphene.String()
    serial_number = graphene.String()
    especially_valuable = graphene.Boolean()
    share_percent = graphene.Decimal()
    right_type = AssetRightTypeEnum()
    holder_id = graphene.ID(description="The right holder's global ID.")
    balance_value = graphene.Decimal(description="Roubles.")
    residual_value = graphene.Decimal(description="Roubles; at most the balance value. The balance value when "
                                                  "omitted on creation.")
    values_date = graphene.Date(description="The date the values were taken from accounting.")
    included_on = graphene.Date(description="Today (the municipality's date) when omitted on creation.")


TEXT_FIELDS = ("name", "purpose", "address", "cadastral_number", "parameters", "make", "model", "vin", "plate",
               "inventory_number", "serial_number")
NOT_NULL = {f.name for f in AssetModel._meta.fields if not f.null}


def asset_values(data) -> dict:
    """The given inputs as service values (enum members to values, the holder looked up)."""
    values = {}
    for name, value in data.items():
        if name == "holder_id":
            values["holder"] = holder_from_global_id(value) if value else None
            continue
        value = enum_value(value)
        if value is None and name in TEXT_FIELDS:
            value = ""
        if value is None and name in NOT_NULL and name not in ("kind", "right_type", "included_on"):
            continue
        values[name] = value
    return values


class AssetDocumentInput(graphene.InputObjectType):
    kind = AssetDocumentKindEnum(required=True)
    number = graphene.String()
    date = graphene.Date(required=True)
    issuer = graphene.String()


def document_input(data) -> DocumentInput:
    return DocumentInput(kind=enum_value(data["kind"]), date=data["date"], number=data.get("number") or "",
                         issuer=data.get("issuer") or "")


class AssetEncumbranceInput(graphene.InputObjectType):
    kind = AssetEncumbranceKindEnum(required=True)
    basis = graphene.String(required=True)
    beneficiary = graphene.String(required=True)
    starts_on = graphene.Date(required=True)
    ends_on = graphene.Date()


class AssetHolderInput(graphene.InputObjectType):
    kind = AssetHolderKindEnum()
    name = graphene.String()
    short_name = graphene.String()
    inn = graphene.String(description="10 digits.")
    ogrn = graphene.String(description="13 digits.")
    address = graphene.String()
    head_name = graphene.String()
    head_position = graphene.String()
    is_active = graphene.Boolean()


def holder_values(data) -> dict:
    return {name: ("" if value is None and name != "is_active" else enum_value(value))
            for name, value in data.items() if not (name == "is_active" and value is None)}


class AssetEncumbranceChangeInput(graphene.InputObjectType):
    """An encumbrance's values to correct; only what is given changes."""

    kind = AssetEncumbranceKindEnum()
    basis = graphene.String()
    beneficiary = graphene.String()
    starts_on = graphene.Date()
    ends_on = graphene.Date(description="The term; null: without a term.")


def encumbrance_values(data) -> dict:
    values = {}
    for name, value in data.items():
        if value is None and name != "ends_on":
            continue
        values[name] = enum_value(value)
    return values
