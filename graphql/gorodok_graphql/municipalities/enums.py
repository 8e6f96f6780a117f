import graphene

from gorodok_graphql.core.errors import error_code_enum
from gorodok_tenants.models import MunicipalityKind, MunicipalityStatus

MunicipalityKindEnum = graphene.Enum.from_enum(
    MunicipalityKind, name="MunicipalityKind", description="The legal kind of a municipality."
)
MunicipalityStatusEnum = graphene.Enum.from_enum(
    MunicipalityStatus, name="MunicipalityStatus", description="Whether a municipality is served."
)


MunicipalityErrorCode = error_code_enum("MunicipalityErrorCode", [
    "ALREADY_SUSPENDED",
    "NOT_SUSPENDED",
    "ARCHIVED",
    "INVALID_OKTMO",
    "INVALID_SLUG",
    "INVALID_TIMEZONE",
    "INVALID_PARENT",
    "PARENT_REQUIRED",
    "UNKNOWN_PARENT",
    "HOST_TAKEN",
    "UNKNOWN_MODULE",
], "Why a change to a municipality was refused.")
