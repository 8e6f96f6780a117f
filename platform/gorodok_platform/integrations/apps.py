from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "gorodok_platform.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from gorodok_platform.integrations import signals  # noqa: F401
        from gorodok_platform.integrations.metrics import integration_metrics
        from gorodok_platform.observability.metrics import register_database_metrics

        register_database_metrics(integration_metrics)
