from django.urls import path

from gorodok_tenants.console import admin as _registrations  # noqa: F401  (registers the models)
from gorodok_tenants.console.sites import back_office

urlpatterns = [path("", back_office.urls)]
