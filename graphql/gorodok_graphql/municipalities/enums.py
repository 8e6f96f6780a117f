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
