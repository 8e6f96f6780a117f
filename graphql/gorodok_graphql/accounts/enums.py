import graphene

from gorodok_platform.accounts.roles import Role

RoleEnum = graphene.Enum.from_enum(Role, name="Role", description="A role a member of staff can hold.")
