from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "gorodok_tenants"
    label = "gorodok_tenants"
    verbose_name = _("Municipalities")

    def ready(self) -> None:
        from django.core import checks

        from gorodok_tenants import signals  # noqa: F401
        from gorodok_tenants.provisioning.pgtools import check_pg_tools

        checks.register(check_pg_tools, checks.Tags.database)

        from gorodok_platform.observability.metrics import register_database_metrics
        from gorodok_tenants.metrics import tenant_metrics

        register_database_metrics(tenant_metrics)
