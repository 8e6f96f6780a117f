import graphene

from gorodok_graphql.accounts.types import Viewer


class ViewerQueries(graphene.ObjectType):
    viewer = graphene.Field(Viewer, description="The signed-in user; null for anonymous requests.")

    def resolve_viewer(root, info):
        user = info.context.user
        return user if user.is_authenticated else None
