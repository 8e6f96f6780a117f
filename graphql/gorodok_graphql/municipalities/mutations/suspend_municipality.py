import graphene

from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.municipalities.enums import MunicipalityErrorCode
from gorodok_graphql.municipalities.mutations.lookup import municipality_from_global_id
from gorodok_graphql.municipalities.types import MunicipalityError, RegionMunicipality
from gorodok_platform.accounts.roles import Role
from gorodok_tenants.lifecycle.services import municipality_suspend


class SuspendMunicipality(BaseMutation):
    """Stop serving a municipality: its users and integrators get 503 until it is resumed."""

    municipality = graphene.Field(RegionMunicipality)

    class Arguments:
        id = graphene.ID(required=True, description="Global ID of the municipality.")
        reason = graphene.String(description="Why; kept in the audit log.")

    class Meta:
        error_type = MunicipalityError
        code_enum = MunicipalityErrorCode
        roles = (Role.REGIONAL_ADMIN,)

    @classmethod
    def perform_mutation(cls, root, info, id, reason=None):
        municipality = municipality_from_global_id(id)
        municipality = municipality_suspend(municipality=municipality, actor=info.context.user, reason=reason or "")
        return cls(municipality=municipality)
