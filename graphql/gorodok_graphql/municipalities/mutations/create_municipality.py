import graphene
from django.conf import settings

from gorodok_graphql.core.enums import enum_value
from gorodok_graphql.core.errors import in_input_terms
from gorodok_graphql.core.mutations import BaseMutation
from gorodok_graphql.municipalities.enums import MunicipalityErrorCode, MunicipalityKindEnum
from gorodok_graphql.municipalities.types import MunicipalityError, RegionMunicipality
from gorodok_platform.accounts.roles import Role
from gorodok_tenants.provisioning.municipalities import (
    MunicipalitySpec,
    municipality_admin_invite,
    municipality_create,
)


class CreateMunicipalityInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="Official name in Russian.")
    name_en = graphene.String(required=True)
    slug = graphene.String(required=True, description="Host label: <slug>.<region domain>.")
    oktmo = graphene.String(required=True, description="8 digits, or 11 for a settlement.")
    kind = MunicipalityKindEnum(required=True)
    parent_oktmo = graphene.String(description="The district a settlement belongs to.")
    timezone = graphene.String(description="IANA time zone; Asia/Krasnoyarsk when omitted.")
    admin_email = graphene.String(description="Its first administrator, invited with a one-time sign-in link.")


class CreateMunicipality(BaseMutation):
    """Create a municipality: its record, its schema, its host and (optionally) its administrator."""

    municipality = graphene.Field(RegionMunicipality)
    sign_in_link = graphene.String(
        description="The administrator's one-time sign-in link, in development only (e-mailed otherwise)."
    )

    class Arguments:
        input = CreateMunicipalityInput(required=True)

    class Meta:
        error_type = MunicipalityError
        code_enum = MunicipalityErrorCode
        roles = (Role.REGIONAL_ADMIN,)

    @classmethod
    def perform_mutation(cls, root, info, input):
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        admin_email = (input.get("admin_email") or "").strip()
        if admin_email:
            try:
                validate_email(admin_email)
            except ValidationError as error:
                raise ValidationError({"admin_email": ValidationError(error.messages[0], code="invalid")}) from error
        spec = MunicipalitySpec(
            name=input["name"], name_en=input["name_en"], slug=input["slug"], oktmo=input["oktmo"],
            kind=enum_value(input["kind"]), parent_oktmo=input.get("parent_oktmo") or None,
            timezone=input.get("timezone") or settings.DEFAULT_MUNICIPALITY_TIMEZONE,
        )
        try:
            municipality = municipality_create(spec=spec, actor=info.context.user)
        except ValidationError as error:
            raise in_input_terms(error, {"schema_name": "slug", "parent": "parent_oktmo"}) from error
        link = None
        if admin_email:
            invitation = municipality_admin_invite(municipality=municipality, email=admin_email,
                                                   actor=info.context.user)
            link = invitation.link if settings.GORODOK_ENV == "dev" else None
        return cls(municipality=municipality, sign_in_link=link)
