import graphene

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.lookup import asset_from_global_id
from gorodok_graphql.assets.mutations.operations_inputs import MaintenanceRecordInput
from gorodok_graphql.assets.operations_types import MaintenanceRecord
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import AssetError
from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.maintenance.services import WorkDocument, maintenance_record

MAX_DOCUMENTS = 50


class RecordMaintenance(BaseMutation):
    """Record maintenance work done on an object (a finish date may come later: omit it while in progress).
    Dated before the object was acquired, in the future, finished before started or with a negative cost:
    a typed error, and nothing is written."""

    maintenance_record = graphene.Field(MaintenanceRecord)

    class Arguments:
        asset_id = graphene.ID(required=True, description="Global ID of the object.")
        input = MaintenanceRecordInput(required=True)

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, asset_id, input):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        asset = asset_from_global_id(asset_id, field="asset_id")
        documents = list(input.get("documents") or ())
        if len(documents) > MAX_DOCUMENTS:
            raise ValidationError({"documents": ValidationError(_("At most %(limit)d documents.")
                                                                % {"limit": MAX_DOCUMENTS}, code="max_length")})
        values = {name: enum_value(input.get(name)) for name in ("work_type", "cost", "contractor", "started_on",
                                                                 "finished_on", "description") if name in input}
        if values.get("cost") is None:
            values.pop("cost", None)
        record = maintenance_record(
            asset=asset, values=values, actor=info.context.user, source="api",
            documents=[WorkDocument(title=d["title"], number=d.get("number") or "", date=d.get("date"))
                       for d in documents])
        return cls(maintenance_record=record)
