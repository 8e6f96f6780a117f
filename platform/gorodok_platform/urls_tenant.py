"""URLs on a municipality's host: its back office and the tenant API."""

from django.urls import include, path

urlpatterns = [
    path("admin/", include("gorodok_tenants.console.urls_tenant")),
    path("support/", include("gorodok_tenants.support.urls")),
    path("open311/", include("gorodok_graphql.open311.urls")),
    path("", include("gorodok_graphql.urls_tenant")),
]

# A database outage answers 503 in the shape of the surface asked (also for errors in middleware).
handler500 = "gorodok_platform.observability.errors.server_error"
