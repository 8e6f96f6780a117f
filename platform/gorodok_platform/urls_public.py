"""URLs on the region host (the public schema): the regional console and the regional API."""

from django.urls import include, path

urlpatterns = [
    path("admin/", include("gorodok_tenants.console.urls_region")),
    path("support/", include("gorodok_tenants.urls_support")),
    path("", include("gorodok_graphql.urls_region")),
]
