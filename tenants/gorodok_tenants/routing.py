"""Host → municipality routing, cached so a warm request spends no database query on it."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.observability.context import bind_tenant
from gorodok_tenants.models import Domain, Municipality, MunicipalityStatus

_MISSING = "missing"
UNKNOWN_HOST_CACHE_SECONDS = 30


def _cache_key(hostname: str) -> str:
    return f"tenant-routing:{hostname}"


def region_tenant() -> Municipality:
    """The public schema as a tenant object: the region itself, never saved."""
    return Municipality(
        schema_name=get_public_schema_name(), name="Region", name_en="Region", slug="region",
        status=MunicipalityStatus.ACTIVE, timezone=settings.DEFAULT_MUNICIPALITY_TIMEZONE,
    )


def is_region(tenant: Municipality | None) -> bool:
    return tenant is not None and tenant.schema_name == get_public_schema_name()


def resolve_host(hostname: str) -> Municipality | None:
    """The municipality a host serves, from the cache when warm; None for an unknown host."""
    hostname = hostname.lower().rstrip(".")
    if hostname == settings.REGION_DOMAIN:
        return region_tenant()
    with schema_context(get_public_schema_name()):
        cached = cache.get(_cache_key(hostname))
        if cached == _MISSING:
            return None
        if cached is not None:
            return cached
        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        if domain is None:
            cache.set(_cache_key(hostname), _MISSING, UNKNOWN_HOST_CACHE_SECONDS)
            return None
        tenant = domain.tenant
        cache.set(_cache_key(hostname), tenant, settings.TENANT_ROUTING_CACHE_SECONDS)
        return tenant


def forget_hosts(*hostnames: str) -> None:
    with schema_context(get_public_schema_name()):
        cache.delete_many([_cache_key(h.lower()) for h in hostnames])


UPGRADING_RETRY_AFTER_SECONDS = 60


def _error(request: HttpRequest, status: int, code: str, message_fn, retry_after: int = 300) -> JsonResponse:
    language = translation.get_language_from_request(request)
    with translation.override(language):
        message = message_fn()
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    if status == 503:
        response["Retry-After"] = str(retry_after)
    return response


class TenantRoutingMiddleware(TenantMainMiddleware):
    """django-tenants' middleware with a cached lookup and JSON answers for every refusal."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        connection.set_schema_to_public()
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return _error(request, 400, "HOST_NOT_ALLOWED", lambda: _("This host is not served here."))
        tenant = resolve_host(hostname)
        if tenant is None:
            return _error(request, 404, "UNKNOWN_HOST",
                          lambda: _("No municipality is served at this address."))
        if tenant.status == MunicipalityStatus.SUSPENDED:
            return _error(request, 503, "MUNICIPALITY_SUSPENDED", lambda: _(
                "This municipality's service is suspended by the regional committee. "
                "Please contact the regional digital-development committee."))
        if getattr(tenant, "maintenance_since", None) is not None:  # being upgraded (gorodok_tenants.upgrades)
            return _error(request, 503, "MUNICIPALITY_UPGRADING", lambda: " ".join(filter(None, (_(
                "This municipality's service is being upgraded. Please try again in a minute."),
                tenant.maintenance_message))), retry_after=UPGRADING_RETRY_AFTER_SECONDS)
        if tenant.status == MunicipalityStatus.ARCHIVED:
            return _error(request, 410, "MUNICIPALITY_ARCHIVED",
                          lambda: _("This municipality's service has been archived."))
        tenant.domain_url = hostname
        request.tenant = tenant
        connection.set_tenant(tenant)
        bind_tenant(tenant.schema_name)
        self.setup_url_routing(request)
        return None


class TenantTimezoneMiddleware:
    """Dates and times on a municipality's host are shown in its time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        zone = getattr(tenant, "timezone", None) or settings.DEFAULT_MUNICIPALITY_TIMEZONE
        timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


ACTIVITY_RESOLUTION_SECONDS = 300


class ActivityMiddleware:
    """Records when a municipality's staff last used it, at most one write per five minutes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        user = getattr(request, "user", None)
        # The cache key carries the schema (make_key), so each municipality has its own.
        if (
            tenant is not None and tenant.pk and user is not None and user.is_authenticated
            and cache.add("last-activity", True, ACTIVITY_RESOLUTION_SECONDS)
        ):
            Municipality.objects.filter(pk=tenant.pk).update(last_activity_at=timezone.now())
        return response
