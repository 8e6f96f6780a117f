import graphene
from django.core.exceptions import ValidationError

from gorodok_graphql.assets.enums import AssetErrorCode
from gorodok_graphql.assets.lookup import asset_from_global_id
from gorodok_graphql.assets.mutations.operations_inputs import IctProfileInput, profile_values
from gorodok_graphql.assets.operations_types import IctProfile
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import AssetError
from gorodok_graphql.core.errors import in_input_terms
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.fleet.models import IctProfile as IctProfileModel
from gorodok_services.assets.fleet.services import ict_profile_set


class SetIctProfile(BaseMutation):
    """Give an object (equipment or other movable property) its place in the ICT fleet, or change it."""

    ict_profile = graphene.Field(IctProfile)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the object.")
        input = IctProfileInput(required=True)

    class Meta:
        error_type = AssetError
        code_enum = AssetErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, id, input):
        asset = asset_from_global_id(id)
        try:
            profile = ict_profile_set(asset=asset, values=profile_values(input), actor=info.context.user,
                                      source="api")
        except ValidationError as error:
            raise in_input_terms(error, {"asset": "id", "building": "building_id"}) from error
        return cls(ict_profile=IctProfileModel.objects.select_related("asset", "building").get(pk=profile.pk))
