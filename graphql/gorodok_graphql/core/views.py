"""The GraphQL HTTP endpoint shared by the tenant and regional APIs.

Refusals before any GraphQL work, each JSON with ``errors[0].extensions.code``: 413
``BODY_TOO_LARGE`` (more than ``GRAPHQL_MAX_BODY_BYTES``), 415 ``UNSUPPORTED_MEDIA_TYPE``, 400
``BAD_REQUEST`` (a body that is not UTF-8, not JSON, nested too deeply to parse, or whose ``query``,
``variables`` or ``operationName`` have the wrong shape). Whatever the body, the answer is a 4xx in
this shape, never a 500. The
validation rules (limits, introspection policy) are built per request, on the view instance Django
creates for that request, so nothing shared between threads is changed.
"""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from graphene_django.constants import MUTATION_ERRORS_FLAG
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError

from gorodok_graphql.core.bounds import InputBoundsMiddleware
from gorodok_graphql.core.budget import budget_left_for, caller_key, spend
from gorodok_graphql.core.documents import ParseFailed, parse_and_validate
from gorodok_graphql.core.execution import GorodokExecutionContext
from gorodok_graphql.core.limits import request_rules, static_rules, validation_rules
from gorodok_graphql.core.stack import with_room
from gorodok_platform.observability.errors import database_unavailable
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast, validate_schema

logger = logging.getLogger("gorodok.graphql")

JSON_CONTENT_TYPES = ("application/json", "application/graphql")


def error_response(status: int, message: str, code: str, **extensions) -> JsonResponse:
    """The project's error shape for a refusal made before any GraphQL work."""
    return JsonResponse({"errors": [{"message": str(message), "extensions": {"code": code, **extensions}}]},
                        status=status)


class BadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _is_internal(error: GraphQLError) -> bool:
    """A resolver's own failure. An error without a path was raised before execution — a scalar refusing
    an argument's literal or a variable's value (e.g. a JSONString that is not JSON): the caller's input."""
    original = getattr(error, "original_error", None)
    return original is not None and not isinstance(original, GraphQLError) and error.path is not None


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
        kwargs.setdefault("middleware", [InputBoundsMiddleware()])
        super().__init__(**kwargs)

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        too_large = self._refuse_large_body(request)
        if too_large is not None:
            return too_large
        if request.method == "POST" and self.get_content_type(request) not in JSON_CONTENT_TYPES:
            return error_response(415, _("Send GraphQL requests as application/json."), "UNSUPPORTED_MEDIA_TYPE")
        caller = caller_key(request)
        retry_after = budget_left_for(caller)
        if retry_after is not None:
            response = error_response(
                429, _("This caller has used its GraphQL time for now. Retry in %(seconds)d seconds.")
                % {"seconds": retry_after}, "TIME_BUDGET_EXCEEDED", retryAfter=retry_after)
            response["Retry-After"] = str(retry_after)
            return response
        started = time.perf_counter()
        try:
            return super().dispatch(request, *args, **kwargs)
        except BadRequest as error:
            return error_response(400, error.message, "BAD_REQUEST")
        except RecursionError:
            # The GraphQL parser descends once per nesting level: a query nested past Python's stack.
            return error_response(400, _("The request is nested too deeply."), "BAD_REQUEST")
        finally:
            spend(caller, time.perf_counter() - started)

    def parse_body(self, request):
        """The request's parameters; any body that cannot be read is a BadRequest, not an exception."""
        content_type = self.get_content_type(request)
        if content_type not in JSON_CONTENT_TYPES:
            return super().parse_body(request)
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadRequest(_("The body is not UTF-8.")) from error
        if content_type == "application/graphql":
            return {"query": body}
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as error:
            raise BadRequest(_("The body is not valid JSON.")) from error
        if not isinstance(data, dict):
            raise BadRequest(_("Send one GraphQL request as a JSON object."))
        return data

    @staticmethod
    def get_graphql_params(request, data):
        try:
            query, variables, operation_name, id = GraphQLView.get_graphql_params(request, data)
        except HttpError as error:
            raise BadRequest(_("The variables are not valid JSON.")) from error
        except RecursionError as error:
            raise BadRequest(_("The variables are nested too deeply.")) from error
        if query is not None and not isinstance(query, str):
            raise BadRequest(_("`query` must be a string."))
        if variables is not None and not isinstance(variables, dict):
            raise BadRequest(_("`variables` must be a JSON object."))
        if operation_name is not None and not isinstance(operation_name, str):
            raise BadRequest(_("`operationName` must be a string."))
        return query, variables, operation_name, id

    @staticmethod
    def _refuse_large_body(request: HttpRequest) -> HttpResponse | None:
        """413 for a body (or a GET query string) over the limit, judged before anything is parsed.

        The declared length is checked first; the body is then read with the limit as a bound, so a
        body without a (truthful) Content-Length cannot exceed it either."""
        limit = settings.GRAPHQL_MAX_BODY_BYTES
        if request.method == "GET":
            size = len(request.META.get("QUERY_STRING", ""))
        else:
            try:
                size = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                size = 0
            if size <= limit:
                body = request.read(limit + 1)
                size = len(body)
                request._body = body  # what ``request.body`` returns from now on
        if size <= limit:
            return None
        return JsonResponse(
            {"errors": [{"message": _("The request is too large: at most %(limit)d bytes.") % {"limit": limit},
                         "extensions": {"code": "BODY_TOO_LARGE", "maxBytes": limit}}]},
            status=413,
        )

    def render_graphiql(self, request, **data):
        """GraphiQL (development only) loads its scripts from a CDN and starts with an inline script:
        its page alone gets a wider Content-Security-Policy."""
        response = super().render_graphiql(request, **data)
        cdn = "https://cdn.jsdelivr.net"
        response._csp_replace = {"script-src": ["'self'", "'unsafe-inline'", cdn],
                                 "style-src": ["'self'", "'unsafe-inline'", cdn], "font-src": ["'self'", cdn]}
        return response

    @staticmethod
    def introspection_allowed(request: HttpRequest) -> bool:
        if settings.GRAPHQL_PUBLIC_INTROSPECTION or getattr(request, "api_client", None) is not None:
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        """graphene-django's execution, with the document parsed and validated through the cache of
        ``core.documents``: the rules that depend on the request (cost, introspection policy) run on
        every request, hit or miss."""
        result = self._execute(request, query, variables, operation_name, show_graphiql)
        for error in getattr(result, "errors", None) or ():
            original = getattr(error, "original_error", None)
            if database_unavailable(original):
                # Not a bug of the query: the database is down or too slow. Raised, it becomes the
                # 503 SERVICE_UNAVAILABLE answer (with Retry-After) of the outermost error handler.
                raise original
        return result

    def _execute(self, request, query, variables, operation_name, show_graphiql):
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        schema = self.schema.graphql_schema
        schema_validation_errors = validate_schema(schema)
        if schema_validation_errors:
            return ExecutionResult(data=None, errors=schema_validation_errors)
        try:
            document, validation_errors = parse_and_validate(
                schema, query, static_rules=static_rules(),
                request_rules=request_rules(variables=variables, introspection=self.introspection_allowed(request)),
                max_errors=graphene_settings.MAX_VALIDATION_ERRORS)
        except ParseFailed as failure:  # a document that does not parse (as graphene-django answers it)
            return ExecutionResult(errors=[failure.error])
        operation_ast = get_operation_ast(document, operation_name)
        if request.method.lower() == "get" and operation_ast is not None \
                and operation_ast.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseNotAllowed(
                ["POST"], f"Can only perform a {operation_ast.operation.value} operation from a POST request."))
        if validation_errors:
            return ExecutionResult(data=None, errors=validation_errors)
        try:
            options = {
                "root_value": self.get_root_value(request),
                "context_value": self.get_context(request),
                "variable_values": variables,
                "operation_name": operation_name,
                "middleware": self.get_middleware(request),
                "execution_context_class": self.execution_context_class,
            }
            if operation_ast is not None and operation_ast.operation == OperationType.MUTATION and (
                    graphene_settings.ATOMIC_MUTATIONS is True
                    or connection.settings_dict.get("ATOMIC_MUTATIONS", False) is True):
                with transaction.atomic():
                    result = with_room(execute, schema, document, **options)
                    if getattr(request, MUTATION_ERRORS_FLAG, False) is True:
                        transaction.set_rollback(True)
                return result
            return with_room(execute, schema, document, **options)
        except Exception as error:
            return ExecutionResult(errors=[error])

    @staticmethod
    def format_error(error):
        if isinstance(error, HttpError):  # graphene-django's own refusals: no query, wrong method
            status = error.response.status_code
            code = "METHOD_NOT_ALLOWED" if status == 405 else "BAD_REQUEST"
            return {"message": str(error.message), "extensions": {"code": code}}
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
        formatted = GraphQLView.format_error(error)
        if isinstance(error, GraphQLError) and error.path is None and not (error.extensions or {}).get("code"):
            # Refused before execution: the document does not parse, or does not fit the schema.
            code = "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else "GRAPHQL_VALIDATION_FAILED"
            formatted["extensions"] = {**formatted.get("extensions", {}), "code": code}
        return formatted
