import graphene
from django.core.exceptions import ValidationError

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.mutations.operations_inputs import MaintenanceScheduleInput, schedule_values
from gorodok_graphql.assets.operations_types import MaintenanceSchedule
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import AssetError
from gorodok_graphql.core.errors import in_input_terms
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.maintenance.services import maintenance_schedule_create


class CreateMaintenanceSchedule(BaseMutation):
    """Schedule preventive work every N months (N >= 1) for one object, every object of a kind, or every
    ICT object of a category."""

    maintenance_schedule = graphene.Field(MaintenanceSchedule)

    class Arguments:
        input = MaintenanceScheduleInput(required=True)

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, input):
        try:
            schedule = maintenance_schedule_create(values=schedule_values(input), actor=info.context.user,
                                                   source="api")
        except ValidationError as error:
            raise in_input_terms(error, {"asset": "asset_id"}) from error
        return cls(maintenance_schedule=schedule)
