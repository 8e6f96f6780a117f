import graphene
from django.core.exceptions import ValidationError

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.mutations.operations_inputs import LicenceInput, licence_values
from gorodok_graphql.assets.operations_types import Licence
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import AssetError
from gorodok_graphql.core.errors import in_input_terms
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.fleet.services import licence_create


class CreateLicence(BaseMutation):
    """Record a software licence (not a register item), optionally with the objects it is installed on."""

    licence = graphene.Field(Licence)

    class Arguments:
        input = LicenceInput(required=True)

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, input):
        try:
            licence = licence_create(values=licence_values(input), actor=info.context.user, source="api")
        except ValidationError as error:
            raise in_input_terms(error, {"assets": "asset_ids"}) from error
        return cls(licence=licence)
