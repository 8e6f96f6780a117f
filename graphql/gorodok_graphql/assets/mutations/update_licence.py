import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.mutations.operations_inputs import LicenceInput, licence_values
from gorodok_graphql.assets.operations_types import Licence
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import AssetError
from gorodok_graphql.core.errors import in_input_terms
from gorodok_graphql.core.ids import object_from_global_id
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.fleet.models import Licence as LicenceModel
from gorodok_services.assets.fleet.services import licence_update


class UpdateLicence(BaseMutation):
    """Change a licence: only the given values change (``assetIds`` replaces the list of objects)."""

    licence = graphene.Field(Licence)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the licence.")
        input = LicenceInput(required=True)

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, input):
        licence = object_from_global_id(id, "Licence", LicenceModel, message=_("No such licence."))
        try:
            licence = licence_update(licence=licence, values=licence_values(input), actor=info.context.user,
                                     source="api")
        except ValidationError as error:
            raise in_input_terms(error, {"assets": "asset_ids"}) from error
        return cls(licence=licence)
