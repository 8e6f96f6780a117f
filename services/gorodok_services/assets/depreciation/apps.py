from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsDepreciationConfig(AppConfig):
    """Depreciation of the register's objects (defaults per kind, per-object profiles, net book value by
    month), in each municipality's schema. Part of the assets module: it declares no module of its own."""

    name = "gorodok_services.assets.depreciation"
    label = "assets_depreciation"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Depreciation")

    def ready(self) -> None:
        from gorodok_services.assets.depreciation import admin  # noqa: F401
