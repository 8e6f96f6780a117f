from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "gorodok_tenants"
    label = "gorodok_tenants"
    verbose_name = _("Municipalities")

    def ready(self) -> None:
        from gorodok_tenants import signals  # noqa: F401
