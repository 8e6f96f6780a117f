"""URLs on a municipality's host: its back office and the tenant API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("gorodok_graphql.urls_tenant")),
]
