import graphene

from gorodok_tenants.models import MunicipalityKind, MunicipalityStatus

MunicipalityKindEnum = graphene.Enum.from_enum(
    MunicipalityKind, name="MunicipalityKind", description="The legal kind of a municipality."
)
MunicipalityStatusEnum = graphene.Enum.from_enum(
    MunicipalityStatus, name="MunicipalityStatus", description="Whether a municipality is served."
)


class MunicipalityErrorCode(graphene.Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_SUSPENDED = "ALREADY_SUSPENDED"
    NOT_SUSPENDED = "NOT_SUSPENDED"
    ARCHIVED = "ARCHIVED"
    REQUIRED = "REQUIRED"
    UNIQUE = "UNIQUE"
    INVALID_OKTMO = "INVALID_OKTMO"
    INVALID_SLUG = "INVALID_SLUG"
    INVALID_TIMEZONE = "INVALID_TIMEZONE"
    INVALID_PARENT = "INVALID_PARENT"
    PARENT_REQUIRED = "PARENT_REQUIRED"
    UNKNOWN_PARENT = "UNKNOWN_PARENT"
    HOST_TAKEN = "HOST_TAKEN"
    UNKNOWN_MODULE = "UNKNOWN_MODULE"
