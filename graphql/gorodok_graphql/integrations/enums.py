import graphene

from gorodok_platform.integrations.models import all_scopes

# The modules' scopes and the platform's, from the registry; a value never changes.
ApiScopeEnum = graphene.Enum(
    "ApiScope", [(scope.code.upper().replace(":", "_"), scope.code) for scope in all_scopes()],
    description="What an API client may do: read or change a module's data, see personal data, and so on.",
)


class ApiClientErrorCode(graphene.Enum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    MAX_LENGTH = "MAX_LENGTH"
    NOT_FOUND = "NOT_FOUND"
    INVALID_SCOPE = "INVALID_SCOPE"
    INVALID_EXPIRY = "INVALID_EXPIRY"
    UNKNOWN_MUNICIPALITY = "UNKNOWN_MUNICIPALITY"
    REVOKED = "REVOKED"
    ALREADY_REVOKED = "ALREADY_REVOKED"
