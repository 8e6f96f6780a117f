from django.conf import settings
from django.urls import path

from gorodok_graphql.assets.views import document_file
from gorodok_graphql.core.views import GorodokGraphQLView
from gorodok_graphql.tenant_schema import schema

urlpatterns = [
    path(
        "graphql/",
        GorodokGraphQLView.as_view(schema=schema, graphiql=settings.GRAPHIQL_ENABLED),
        name="graphql",
    ),
    # Under /graphql/: the API's bearer-token authentication and rate limit cover it.
    path("graphql/assets/documents/<str:document_id>/file", document_file, name="asset-document-file"),
]
