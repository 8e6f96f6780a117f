"""URLs on the region host (the public schema): the regional console and the regional API."""

from django.urls import include, path

urlpatterns = [
    path("admin/", include("gorodok_tenants.console.urls_region")),
    path("support/", include("gorodok_tenants.support.urls")),
    path("", include("gorodok_graphql.urls_region")),
]

# A database outage answers 503 in the shape of the surface asked (also for errors in middleware).
handler500 = "gorodok_platform.observability.errors.server_error"
