from __future__ import annotations

import graphene
from django.apps import apps
from django.urls import reverse
from graphene_django import DjangoObjectType
from graphql_relay import to_global_id

from gorodok_graphql.assets.dataloaders import history_loader, transitions_loader
from gorodok_graphql.assets.depreciation.dataloaders import net_book_value_loader
from gorodok_graphql.assets.depreciation.types import AssetNetBookValue
from gorodok_graphql.assets.enums import (
    AssetDocumentKindEnum,
    AssetDocumentRoleEnum,
    AssetEncumbranceKindEnum,
    AssetErrorCode,
    AssetHolderKindEnum,
    AssetImportStatusEnum,
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
from gorodok_services.assets.downloads import document_file_info
from gorodok_services.assets.lifecycle import allowed_next
from gorodok_services.assets.selectors import with_listed_in_extract

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

    id = graphene.ID(required=True, description="Global ID of the document.")
    role = graphene.Field(AssetDocumentRoleEnum, required=True)
    kind = graphene.Field(AssetDocumentKindEnum, required=True)
    number = graphene.String()
    date = graphene.Date(required=True)
    issuer = graphene.String()
    has_file = graphene.Boolean(required=True, description="Whether a scan is attached (in the back office).")
    file_name = graphene.String(description="The scan's file name as it downloads; null without a scan.")
    file_size = graphene.Int(description="The scan's size in bytes; null without a scan.")
    download_url = graphene.String(
        description="Where an API client with assets:read downloads the scan (GET with the same bearer token as "
                    "/graphql/; every download is audited); null without a scan.")

    def resolve_id(root, info):
        return to_global_id("AssetDocument", root.pk)

    def resolve_file_name(root, info):
        file_info = document_file_info(root)
        return file_info[0] if file_info else None

    def resolve_file_size(root, info):
        file_info = document_file_info(root)
        return file_info[1] if file_info else None

    def resolve_download_url(root, info):
        if not root.file:
            return None
        return info.context.build_absolute_uri(
            reverse("asset-document-file", args=[to_global_id("AssetDocument", root.pk)]))

    def resolve_number(root, info):
        return _or_none(root.number)

    def resolve_issuer(root, info):
        return _or_none(root.issuer)

    def resolve_has_file(root, info):
        return bool(root.file)


class AssetEncumbrance(graphene.ObjectType):
    id = graphene.ID(required=True, description="Global ID of the encumbrance.")
    kind = graphene.Field(AssetEncumbranceKindEnum, required=True)
    basis = graphene.String(required=True)
    beneficiary = graphene.String(required=True, description="In whose favour.")
    starts_on = graphene.Date(required=True)
    ends_on = graphene.Date(description="Null: without a term.")
    ended_on = graphene.Date(description="When it was ended (endAssetEncumbrance); null while in force.")
    end_basis = graphene.String(description="The basis of ending it; null while in force.")
    is_active = graphene.Boolean(required=True, description="In force: not ended.")

    def resolve_id(root, info):
        return to_global_id("AssetEncumbrance", root.pk)

    def resolve_end_basis(root, info):
        return _or_none(root.end_basis)

    def resolve_is_active(root, info):
        return not root.is_ended


class AssetHistoryEntry(graphene.ObjectType):
    """One change of an object: who, when, and each field's value before and after."""

    at = graphene.DateTime(required=True)
    actor_email = graphene.String(description="Null for the system or an import without a signed-in person.")
    action = graphene.String(required=True, description="created, changed, removed, document_added, "
                                                        "encumbrance_added, encumbrance_changed, encumbrance_ended")
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
    listed_in_extract = graphene.Boolean(
        required=True, description="Whether the register extract lists the object: real estate always, movables at or "
                                   "above the municipality's threshold or especially valuable; removed objects never.")

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

    def resolve_listed_in_extract(root, info):
        listed = getattr(root, "listed_in_extract", None)
        if listed is None:  # an object not read through the list's selector
            listed = with_listed_in_extract(models.Asset.objects.filter(pk=root.pk)).values_list(
                "listed_in_extract", flat=True).first()
        return bool(listed)


class AssetImportRejectedRow(graphene.ObjectType):
    row = graphene.Int(required=True, description="The spreadsheet's row number (the headers are row 1).")
    register_number = graphene.String()
    name = graphene.String()
    reasons = graphene.List(graphene.NonNull(graphene.String), required=True)

    def resolve_row(root, info):
        return root["row"]

    def resolve_register_number(root, info):
        return root.get("register_number") or None

    def resolve_name(root, info):
        return root.get("name") or None

    def resolve_reasons(root, info):
        return root.get("reasons") or []


class AssetImport(graphene.ObjectType):
    """A register import running as a background job: every row is checked first (a file with a rejected
    row is not written at all), then written a chunk at a time."""

    id = graphene.ID(required=True, description="Global ID of the import.")
    file_name = graphene.String(required=True)
    status = graphene.Field(AssetImportStatusEnum, required=True)
    checked = graphene.Boolean(required=True, description="Every row has been checked; writing has begun.")
    rows_total = graphene.Int(required=True, description="Rows of the file (known once every row is checked).")
    rows_checked = graphene.Int(required=True)
    rows_done = graphene.Int(required=True, description="Rows written (committed).")
    percent = graphene.Int(required=True, description="Progress, 0-100.")
    created = graphene.Int(required=True)
    updated = graphene.Int(required=True)
    rejected = graphene.Int(required=True)
    error = graphene.String(description="Why the import failed; null otherwise.")
    rejected_rows = graphene.List(graphene.NonNull(AssetImportRejectedRow), required=True,
                                  description="The rejected rows and their reasons (at most 1,000).")
    created_at = graphene.DateTime(required=True)
    finished_at = graphene.DateTime()

    def resolve_id(root, info):
        return to_global_id("AssetImport", root.pk)

    def resolve_created(root, info):
        return root.created_count

    def resolve_updated(root, info):
        return root.updated_count

    def resolve_rejected(root, info):
        return root.rejected_count

    def resolve_error(root, info):
        return _or_none(root.error)

    def resolve_rejected_rows(root, info):
        return root.report or []
