from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.module import MODULE


class AssetsConfig(AppConfig):
    name = "gorodok_services.assets"
    label = "assets"
    verbose_name = _("Municipal property register")
    default_auto_field = "django.db.models.BigAutoField"
    gorodok_module = MODULE

    def ready(self) -> None:
        # The back office is a custom admin site: registering the register's admin is this app's job.
        from gorodok_services.assets import actors, admin  # noqa: F401
