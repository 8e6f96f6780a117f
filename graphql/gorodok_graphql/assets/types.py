from __future__ import annotations

import graphene
from django.apps import apps
from graphene_django import DjangoObjectType

from gorodok_graphql.assets.dataloaders import history_loader, transitions_loader
from gorodok_graphql.assets.depreciation.dataloaders import net_book_value_loader
from gorodok_graphql.assets.depreciation.types import AssetNetBookValue
from gorodok_graphql.assets.enums import (
    AssetDocumentKindEnum,
    AssetDocumentRoleEnum,
    AssetEncumbranceKindEnum,
    AssetErrorCode,
    AssetHolderKindEnum,
    AssetKindEnum,
    AssetLifecycleStatusEnum,
    AssetRightTypeEnum,
    AssetSectionEnum,
    AssetStatusEnum,
)
from gorodok_graphql.assets.housing_dataloaders import housing_loader, utility_loader
from gorodok_graphql.core.connection import CountableConnection
from gorodok_graphql.core.errors import error_type
from gorodok_services.assets import models
from gorodok_services.assets.lifecycle import allowed_next

AssetError = error_type("AssetError", AssetErrorCode, "Why a change to the property register was refused.")


def _prefetched(root, name: str):
    return getattr(root, "_prefetched_objects_cache", {}).get(name)


def _or_none(value):
    return value or None


class AssetHolder(DjangoObjectType):
    """Section 3 of the register: a right holder (an institution, an enterprise, the administration, the
    treasury). The head's name is public in the state register of legal entities."""

    kind = graphene.Field(AssetHolderKindEnum, required=True)
    short_name = graphene.String()
    ogrn = graphene.String()
    address = graphene.String()
    head_name = graphene.String()
    head_position = graphene.String()

    class Meta:
        model = models.Holder
        name = "AssetHolder"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("name", "inn", "is_active")

    def resolve_short_name(root, info):
        return _or_none(root.short_name)

    def resolve_ogrn(root, info):
        return _or_none(root.ogrn)

    def resolve_address(root, info):
        return _or_none(root.address)

    def resolve_head_name(root, info):
        return _or_none(root.head_name)

    def resolve_head_position(root, info):
        return _or_none(root.head_position)


class AssetDocument(graphene.ObjectType):
    """A document that is the basis of acquiring or ending the right."""

    role = graphene.Field(AssetDocumentRoleEnum, required=True)
    kind = graphene.Field(AssetDocumentKindEnum, required=True)
    number = graphene.String()
    date = graphene.Date(required=True)
    issuer = graphene.String()
    has_file = graphene.Boolean(required=True, description="Whether a scan is attached (in the back office).")

    def resolve_number(root, info):
        return _or_none(root.number)

    def resolve_issuer(root, info):
        return _or_none(root.issuer)

    def resolve_has_file(root, info):
        return bool(root.file)


class AssetEncumbrance(graphene.ObjectType):
    kind = graphene.Field(AssetEncumbranceKindEnum, required=True)
    basis = graphene.String(required=True)
    beneficiary = graphene.String(required=True, description="In whose favour.")
    starts_on = graphene.Date(required=True)
    ends_on = graphene.Date(description="Null: without a term.")


class AssetHistoryEntry(graphene.ObjectType):
    """One change of an object: who, when, and each field's value before and after."""

    at = graphene.DateTime(required=True)
    actor_email = graphene.String(description="Null for the system or an import without a signed-in person.")
    action = graphene.String(required=True, description="created, changed, removed, document_added, "
                                                        "encumbrance_added")
    source = graphene.String(description="back_office, api or import.")
    changes = graphene.JSONString(required=True, description='{"field": [before, after]}')

    def resolve_actor_email(root, info):
        return _or_none(root.actor_email)

    def resolve_source(root, info):
        return _or_none(root.source)


class AssetTransition(graphene.ObjectType):
    """One change of an object's working status."""

    from_status = graphene.Field(AssetLifecycleStatusEnum, required=True)
    to_status = graphene.Field(AssetLifecycleStatusEnum, required=True)
    on = graphene.Date(required=True, description="The date of the change (the municipality's local date).")
    basis = graphene.String(required=True, description="The order, act or note that justifies it.")
    actor_email = graphene.String(description="Who made it; null for the system.")

    def resolve_actor_email(root, info):
        return _or_none(root.actor_email)


class Asset(DjangoObjectType):
    """An object of the municipal property register. Money in roubles (decimals with kopecks), dates are
    the municipality's local dates."""

    section = graphene.Field(AssetSectionEnum, required=True)
    if apps.is_installed("gorodok_services.appeals"):  # the appeals module's connection, when it is there
        appeals = graphene.Field(
            "gorodok_graphql.appeals.types.AppealConnection",
            first=graphene.Int(description="At most 100; 10 by default."), after=graphene.String(),
            description="Appeals with a question about this object, newest received first; null unless you may "
                        "read appeals.")
    kind = graphene.Field(AssetKindEnum, required=True)
    right_type = graphene.Field(AssetRightTypeEnum, required=True)
    status = graphene.Field(AssetStatusEnum, required=True)
    lifecycle_status = graphene.Field(AssetLifecycleStatusEnum, required=True,
                                      description="The working status; its changes are in `transitions`.")
    allowed_statuses = graphene.List(graphene.NonNull(AssetLifecycleStatusEnum), required=True,
                                     description="The statuses the object may move to now.")
    transitions = graphene.List(graphene.NonNull(AssetTransition), required=True,
                                description="Every change of the working status, oldest first.")
    holder = graphene.Field(AssetHolder, required=True)
    documents = graphene.List(graphene.NonNull(AssetDocument), required=True)
    encumbrances = graphene.List(graphene.NonNull(AssetEncumbrance), required=True)
    history = graphene.List(graphene.NonNull(AssetHistoryEntry), required=True, description="Oldest first.")
    housing = graphene.Field("gorodok_graphql.assets.housing_types.HousingProfile",
                             description="The housing profile of a building, premises or complex; null without one.")
    utility = graphene.Field("gorodok_graphql.assets.housing_types.UtilityProfile",
                             description="The utility profile of a network section or facility; null without one.")
    ict_profile = graphene.Field("gorodok_graphql.assets.operations_types.IctProfile",
                                 description="Its place in the ICT fleet; null for other objects.")
    net_book_value = graphene.Field(
        AssetNetBookValue, month=graphene.Date(required=True, description="Any day of the month."),
        description="Depreciation for the month and the net book value at its end; null when the object has "
                    "no depreciation terms (its own or its kind's) or was not on the books in that month.")

    class Meta:
        model = models.Asset
        name = "Asset"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "register_number", "name", "purpose", "address", "latitude", "longitude", "cadastral_number",
            "cadastral_date", "cadastral_value", "area", "length", "parameters", "make", "model", "year", "vin",
            "plate", "inventory_number", "serial_number", "especially_valuable", "share_percent", "balance_value",
            "residual_value", "values_date", "included_on", "removed_on", "removal_reason",
        )

    def resolve_appeals(root, info, first=None, after=None):
        from gorodok_graphql.appeals.asset_links import resolve_asset_appeals

        return resolve_asset_appeals(root, info, first=first, after=after)

    def resolve_documents(root, info):
        documents = _prefetched(root, "documents")
        return documents if documents is not None else root.documents.order_by("date", "pk")

    def resolve_encumbrances(root, info):
        encumbrances = _prefetched(root, "encumbrances")
        return encumbrances if encumbrances is not None else root.encumbrances.order_by("starts_on", "pk")

    def resolve_history(root, info):
        return history_loader(info.context).load(root.pk)

    def resolve_transitions(root, info):
        return transitions_loader(info.context).load(root.pk)

    def resolve_allowed_statuses(root, info):
        return [] if root.is_removed else allowed_next(root.lifecycle_status)

    def resolve_housing(root, info):
        return housing_loader(info.context).load(root.pk)

    def resolve_utility(root, info):
        return utility_loader(info.context).load(root.pk)

    def resolve_ict_profile(root, info):
        from gorodok_graphql.assets.operations_dataloaders import ict_profile_loader

        return ict_profile_loader(info.context).load(root.pk)

    def resolve_net_book_value(root, info, month):
        return net_book_value_loader(info.context).load((root.pk, month.replace(day=1)))
