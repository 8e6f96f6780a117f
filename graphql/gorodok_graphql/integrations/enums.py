import graphene

from gorodok_graphql.core.errors import error_code_enum
from gorodok_platform.integrations.models import all_scopes

# The modules' scopes and the platform's, from the registry; a value never changes.
ApiScopeEnum = graphene.Enum(
    "ApiScope", [(scope.code.upper().replace(":", "_"), scope.code) for scope in all_scopes()],
    description="What an API client may do: read or change a module's data, see personal data, and so on.",
)


ApiClientErrorCode = error_code_enum(
    "ApiClientErrorCode",
    ["INVALID_SCOPE", "INVALID_EXPIRY", "UNKNOWN_MUNICIPALITY", "REVOKED", "ALREADY_REVOKED"],
    "Why a change to an API client was refused.",
)
