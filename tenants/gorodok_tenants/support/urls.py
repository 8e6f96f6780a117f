"""Support access on a municipality's host: the one-time entry link."""

from django.urls import path

from gorodok_tenants.support.views import support_enter

app_name = "support"

urlpatterns = [
    path("enter/<str:token>/", support_enter, name="enter"),
]
