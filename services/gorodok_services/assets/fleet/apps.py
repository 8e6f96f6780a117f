from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsFleetConfig(AppConfig):
    """The ICT fleet of the property register: computers, servers, network equipment and printers with
    their location, responsible employee and warranty, and the software licences beside them. Part of
    the assets module (no module of its own)."""

    name = "gorodok_services.assets.fleet"
    label = "assets_fleet"
    verbose_name = _("ICT fleet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gorodok_services.assets.fleet import admin  # noqa: F401
