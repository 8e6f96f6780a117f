from django.conf import settings
from django.urls import path

from gorodok_graphql.core.views import GorodokGraphQLView
from gorodok_graphql.region_schema import schema

urlpatterns = [
    path(
        "graphql/",
        GorodokGraphQLView.as_view(schema=schema, graphiql=settings.GRAPHIQL_ENABLED),
        name="graphql",
    ),
]
