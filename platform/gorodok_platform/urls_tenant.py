"""URLs on a municipality's host: its back office and the tenant API."""

from django.urls import include, path

urlpatterns = [
    path("admin/", include("gorodok_tenants.console.urls_tenant")),
    path("", include("gorodok_graphql.urls_tenant")),
]
