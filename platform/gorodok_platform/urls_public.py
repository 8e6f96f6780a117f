"""URLs on the region host (the public schema): the regional console and the regional API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("gorodok_graphql.urls_region")),
]
