"""Types of the ICT fleet and of maintenance in the tenant API. Money in roubles (decimals with
kopecks), dates are the municipality's local dates."""

from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from gorodok_graphql.assets.enums import AssetKindEnum
from gorodok_graphql.assets.operations_enums import IctCategoryEnum, MaintenanceWorkTypeEnum
from gorodok_graphql.assets.permissions import check_can_read_assets
from gorodok_graphql.assets.types import Asset
from gorodok_graphql.core.connection import CountableConnection
from gorodok_services.assets.fleet import models as fleet
from gorodok_services.assets.maintenance import models as maintenance


def _or_none(value):
    return value or None


class ReadableNode:
    """``node(id:)`` finds these only for a caller who may read the register."""

    @classmethod
    def get_queryset(cls, queryset, info):
        check_can_read_assets(info)
        return queryset


class IctProfile(ReadableNode, DjangoObjectType):
    """An object of the ICT fleet: where it stands, who answers for it, its warranty and planned end of life."""

    asset = graphene.Field(Asset, required=True, description="The register object (tracked below the "
                                                             "threshold too).")
    category = graphene.Field(IctCategoryEnum, required=True)
    building = graphene.Field(Asset, description="The real-estate object it is located in.")
    room = graphene.String()
    responsible_name = graphene.String(description="The responsible employee.")
    responsible_position = graphene.String()

    class Meta:
        model = fleet.IctProfile
        name = "IctProfile"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("warranty_until", "end_of_life")

    def resolve_room(root, info):
        return _or_none(root.room)

    def resolve_responsible_name(root, info):
        return _or_none(root.responsible_name)

    def resolve_responsible_position(root, info):
        return _or_none(root.responsible_position)


class Licence(ReadableNode, DjangoObjectType):
    """A software licence (not a register item): what it is, how many seats, its term and yearly cost."""

    vendor = graphene.String()
    note = graphene.String()
    valid_until = graphene.Date(description="Null: perpetual.")
    assets = graphene.List(graphene.NonNull(Asset), required=True, description="The objects it is installed on.")

    class Meta:
        model = fleet.Licence
        name = "Licence"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("product", "seats", "valid_from", "yearly_cost")

    def resolve_vendor(root, info):
        return _or_none(root.vendor)

    def resolve_note(root, info):
        return _or_none(root.note)

    def resolve_assets(root, info):
        cached = getattr(root, "_prefetched_objects_cache", {}).get("assets")
        return cached if cached is not None else root.assets.order_by("register_number")


class MaintenanceDocument(graphene.ObjectType):
    title = graphene.String(required=True)
    number = graphene.String()
    date = graphene.Date()
    has_file = graphene.Boolean(required=True, description="Whether a scan is attached (in the back office).")

    def resolve_number(root, info):
        return _or_none(root.number)

    def resolve_has_file(root, info):
        return bool(root.file)


class MaintenanceRecord(ReadableNode, DjangoObjectType):
    """Work done on an object (or in progress: no finish date yet)."""

    asset = graphene.Field(Asset, required=True)
    work_type = graphene.Field(MaintenanceWorkTypeEnum, required=True)
    contractor = graphene.String()
    description = graphene.String()
    finished_on = graphene.Date(description="Null: in progress.")
    documents = graphene.List(graphene.NonNull(MaintenanceDocument), required=True)

    class Meta:
        model = maintenance.MaintenanceRecord
        name = "MaintenanceRecord"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("cost", "started_on")

    def resolve_contractor(root, info):
        return _or_none(root.contractor)

    def resolve_description(root, info):
        return _or_none(root.description)

    def resolve_documents(root, info):
        cached = getattr(root, "_prefetched_objects_cache", {}).get("documents")
        return cached if cached is not None else root.documents.order_by("pk")


class MaintenanceSchedule(ReadableNode, DjangoObjectType):
    """Preventive work every N months for one object, every object of a kind, or every ICT object of a
    category. An object's next date is its last record of the same work plus the interval (never before
    ``startsOn``)."""

    asset = graphene.Field(Asset, description="Set when the schedule is for one object.")
    asset_kind = graphene.Field(AssetKindEnum,
                                description="Set when the schedule is for every object of a kind.")
    ict_category = graphene.Field(IctCategoryEnum, description="Set when the schedule is for every ICT object of "
                                                               "a category.")
    work_type = graphene.Field(MaintenanceWorkTypeEnum, required=True)
    starts_on = graphene.Date(required=True, description="The first due date, for an object with no matching "
                                                         "record yet.")

    class Meta:
        model = maintenance.MaintenanceSchedule
        name = "MaintenanceSchedule"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("title", "every_months", "is_active")

    def resolve_asset_kind(root, info):
        return _or_none(root.asset_kind)

    def resolve_ict_category(root, info):
        return _or_none(root.ict_category)


class MaintenanceDue(graphene.ObjectType):
    """One occurrence of scheduled work: this object needs this work by ``dueOn``."""

    schedule = graphene.Field(MaintenanceSchedule, required=True)
    asset = graphene.Field(Asset, required=True)
    due_on = graphene.Date(required=True)
    last_done_on = graphene.Date(description="The last matching record; null if none.")
    overdue = graphene.Boolean(required=True)


class BuildingOperatingCost(graphene.ObjectType):
    """A building's operating cost for a year, in roubles."""

    building = graphene.Field(Asset, required=True)
    upkeep = graphene.Decimal(required=True, description="Maintenance of the building itself.")
    ict = graphene.Decimal(required=True, description="Maintenance of the ICT equipment located in it.")
    total = graphene.Decimal(required=True)

    def resolve_building(root, info):
        return root
