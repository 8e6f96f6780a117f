"""Open311 GeoReport v2 under /open311/ on a municipality's host (see docs/integrators.md)."""

from django.urls import re_path

from gorodok_graphql.open311 import views

FORMAT = r"\.(?P<fmt>json|xml)"

urlpatterns = [
    re_path(rf"^discovery{FORMAT}$", views.discovery, name="open311-discovery"),
    re_path(rf"^v2/discovery{FORMAT}$", views.discovery),
    re_path(rf"^v2/services{FORMAT}$", views.services, name="open311-services"),
    re_path(rf"^v2/services/(?P<code>[^/]+?){FORMAT}$", views.service_definition, name="open311-service"),
    re_path(rf"^v2/requests{FORMAT}$", views.service_requests, name="open311-requests"),
    re_path(rf"^v2/requests/(?P<request_id>[^/]+?){FORMAT}$", views.request_detail, name="open311-request"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
