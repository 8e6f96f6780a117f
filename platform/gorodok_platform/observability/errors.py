"""What a request gets when the database is unavailable: a 503 in the shape of the surface it asked.

Django turns any exception that escapes a view *or a middleware* (host routing, the API-client lookup,
sessions) into a call of the URLconf's ``handler500``, so this is the outermost place to answer. The
answer touches neither the database nor the session:

* GraphQL (``/graphql/``, tenant and region hosts): ``{"errors": [{"message", "extensions": {"code":
  "SERVICE_UNAVAILABLE"}}]}``;
* Open311 (``/open311/``): its error list, ``[{"code": 503, "description"}]`` (XML for ``.xml``);
* the back office and the console (``/admin/``, ``/support/``): a short HTML page;
* anything else: ``{"error": {"code": "SERVICE_UNAVAILABLE", "message"}}`` like the routing's answers.

Each carries ``Retry-After``. Other errors keep Django's plain 500.
"""

from __future__ import annotations

import json
import sys
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import defaults

CODE = "SERVICE_UNAVAILABLE"


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be reached or answered in time
    (down, restarting, frozen past a timeout, a statement or lock timeout)."""
    import psycopg

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _messages(request: HttpRequest) -> tuple[str, str, str]:
    with translation.override(translation.get_language_from_request(request)):
        return (
            _("The service is temporarily unavailable. Please try again in a minute."),
            _("Service temporarily unavailable"),
            _("Gorodok cannot reach its database right now. Your data is safe; please try again in a minute. "
              "If this lasts, the regional committee's engineers have already been alerted."),
        )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    message, title, explanation = _messages(request)
    path = request.path
    if path.startswith("/graphql"):
        response = JsonResponse({"errors": [{"message": message, "extensions": {"code": CODE}}]}, status=503)
    elif path.startswith("/open311/"):
        if path.endswith(".xml"):
            body = ('<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>503</code>'
                    f"<description>{escape(message)}</description></error></errors>")
            response = HttpResponse(body.encode(), status=503, content_type="text/xml; charset=utf-8")
        else:
            response = HttpResponse(json.dumps([{"code": 503, "description": message}], ensure_ascii=False),
                                    status=503, content_type="application/json; charset=utf-8")
    elif path.startswith(("/admin/", "/support/")) or path == "/admin":
        language = translation.get_language_from_request(request)
        body = format_html(
            '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            '<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">'
            "<h1>{}</h1><p>{}</p></body></html>", language, title, title, explanation)
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    else:
        response = JsonResponse({"error": {"code": CODE, "message": message}}, status=503)
    response["Retry-After"] = str(getattr(settings, "DATABASE_UNAVAILABLE_RETRY_AFTER", 30))
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """``handler500``: a 503 in the surface's shape when the database is the cause, else Django's 500."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return defaults.server_error(request, *args, **kwargs)
