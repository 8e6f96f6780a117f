import graphene

from gorodok_platform.accounts.roles import all_roles

# The platform's roles and every module's, from the registry; a value never changes.
RoleEnum = graphene.Enum(
    "Role", [(role.code.upper(), role.code) for role in all_roles()],
    description="A role a member of staff can hold.",
)
