from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsHousingConfig(AppConfig):
    """The housing stock and the utility networks of the property register (part of the assets module:
    its roles, scopes, events and report sources are the module's)."""

    name = "gorodok_services.assets.housing"
    label = "assets_housing"
    default_auto_field = "django.db.models.AutoField"
    verbose_name = _("Housing and utilities")

    def ready(self) -> None:
        from gorodok_services.assets.housing import admin  # noqa: F401
