import graphene

from gorodok_graphql.accounts.enums import RoleEnum


class Viewer(graphene.ObjectType):
    """The signed-in member of staff, in the schema of the host they signed in to."""

    email = graphene.String(required=True)
    full_name = graphene.String(required=True)
    roles = graphene.List(graphene.NonNull(RoleEnum), required=True)

    def resolve_roles(user, info):
        return user.role_codes
