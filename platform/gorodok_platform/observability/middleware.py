from __future__ import annotations

import re
import uuid

import structlog
from django.http import HttpRequest, HttpResponse, JsonResponse

from gorodok_platform.observability.health import readiness

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class HealthCheckMiddleware:
    """Answers /healthz, /readyz and /metrics before host routing, so probes need no tenant host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            ready, checks = readiness()
            return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                                status=200 if ready else 503)
        if request.path == "/metrics":
            from gorodok_platform.observability.metrics import metrics_response

            return metrics_response(request)
        return self.get_response(request)


class RequestContextMiddleware:
    """Gives every request an id (kept from X-Request-ID when sane) and binds it, and later the
    tenant, to the log context."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
