from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "gorodok_platform.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from gorodok_platform.integrations import signals  # noqa: F401
