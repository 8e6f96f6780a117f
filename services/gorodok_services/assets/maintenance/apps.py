from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsMaintenanceConfig(AppConfig):
    """Maintenance of the register's objects: the log of work done and the preventive schedule. Part of
    the assets module (no module of its own)."""

    name = "gorodok_services.assets.maintenance"
    label = "assets_maintenance"
    verbose_name = _("Maintenance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gorodok_services.assets.maintenance import admin  # noqa: F401
