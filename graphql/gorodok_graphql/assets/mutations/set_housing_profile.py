import graphene

from gorodok_graphql.assets.housing_enums import HousingErrorCode
from gorodok_graphql.assets.housing_types import HousingError
from gorodok_graphql.assets.lookup import asset_from_global_id
from gorodok_graphql.assets.mutations.housing_inputs import INPUT_NAMES, HousingProfileInput, housing_values
from gorodok_graphql.assets.mutations.payload import reloaded
from gorodok_graphql.assets.permissions import MODULE, WRITE_ROLES
from gorodok_graphql.assets.types import Asset
from gorodok_graphql.core.errors import in_input_terms
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_services.assets.housing.services import housing_profile_set


class SetHousingProfile(BaseMutation):
    """Give a building, premises or complex its housing profile, or replace it. The object's history records
    each changed field and subscribers get ``asset.changed`` with them (``housing.wear_percent``, ...)."""

    asset = graphene.Field(Asset)

    class Arguments:
        asset_id = graphene.ID(required=True, description="Global ID of the register object.")
        input = HousingProfileInput(required=True)

    class Meta:
        error_type = HousingError
        code_enum = HousingErrorCode
        roles = WRITE_ROLES
        module = MODULE

    @classmethod
    def perform_mutation(cls, root, info, asset_id, input):
        from django.core.exceptions import ValidationError

        asset = asset_from_global_id(asset_id, field="asset_id")
        try:
            housing_profile_set(asset=asset, values=housing_values(input), actor=info.context.user, source="api")
        except ValidationError as error:
            raise in_input_terms(error, INPUT_NAMES) from error
        return cls(asset=reloaded(asset))
