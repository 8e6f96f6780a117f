import graphene

from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.municipalities.enums import MunicipalityErrorCode
from gorodok_graphql.municipalities.mutations.lookup import municipality_from_global_id
from gorodok_graphql.municipalities.types import MunicipalityError, RegionMunicipality
from gorodok_platform.accounts.roles import Role
from gorodok_tenants.modules import municipality_set_module


class SetMunicipalityModule(BaseMutation):
    """Switch a module on or off for one municipality; switching off keeps its data."""

    municipality = graphene.Field(RegionMunicipality)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the municipality.")
        module = graphene.String(required=True, description="Module code, e.g. appeals.")
        enabled = graphene.Boolean(required=True)

    class Meta:
        error_type = MunicipalityError
        code_enum = MunicipalityErrorCode
        roles = (Role.REGIONAL_ADMIN,)

    @classmethod
    def perform_mutation(cls, root, info, id, module, enabled):
        municipality = municipality_from_global_id(id)
        municipality = municipality_set_module(municipality=municipality, code=module, enabled=enabled,
                                               actor=info.context.user)
        return cls(municipality=municipality)
