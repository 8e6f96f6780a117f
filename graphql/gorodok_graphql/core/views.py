"""The GraphQL HTTP endpoint shared by the tenant and regional APIs."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView

from gorodok_graphql.core.execution import GorodokExecutionContext
from gorodok_graphql.core.limits import validation_rules
from graphql import GraphQLError

logger = logging.getLogger("gorodok.graphql")

JSON_CONTENT_TYPES = ("application/json", "application/graphql")


def _is_internal(error: GraphQLError) -> bool:
    original = getattr(error, "original_error", None)
    return original is not None and not isinstance(original, GraphQLError)


@method_decorator(csrf_exempt, name="dispatch")
class GorodokGraphQLView(GraphQLView):
    """GraphQL over HTTP with JSON only for POST.

    CSRF tokens are not required because a cross-site HTML form cannot send ``application/json``
    (the browser would need a CORS preflight, which this server never grants): refusing every other
    content type for POST is what protects session-authenticated users.
    """

    execution_context_class = GorodokExecutionContext

    def __init__(self, **kwargs):
        kwargs.setdefault("validation_rules", validation_rules())
        super().__init__(**kwargs)

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and self.get_content_type(request) not in JSON_CONTENT_TYPES:
            return JsonResponse(
                {"errors": [{"message": _("Send GraphQL requests as application/json."),
                             "extensions": {"code": "UNSUPPORTED_MEDIA_TYPE"}}]},
                status=415,
            )
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def format_error(error):
        if isinstance(error, GraphQLError) and _is_internal(error):
            logger.error("GraphQL resolver failed", exc_info=error.original_error)
            try:
                import sentry_sdk

                sentry_sdk.capture_exception(error.original_error)
            except ImportError:  # pragma: no cover
                pass
            formatted = error.formatted
            formatted["message"] = _("Internal error.")
            formatted["extensions"] = {"code": "INTERNAL_ERROR"}
            return formatted
        return GraphQLView.format_error(error)
