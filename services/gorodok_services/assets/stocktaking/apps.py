from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsStocktakingConfig(AppConfig):
    """Stock-taking of the register's objects (campaigns, their items and marks, the differences report),
    in each municipality's schema. Part of the assets module: it declares no module of its own."""

    name = "gorodok_services.assets.stocktaking"
    label = "assets_stocktaking"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Stock-taking")

    def ready(self) -> None:
        from gorodok_services.assets.stocktaking import admin  # noqa: F401
