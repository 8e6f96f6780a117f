from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gorodok_services.appeals.module import MODULE


class AppealsConfig(AppConfig):
    name = "gorodok_services.appeals"
    label = "appeals"
    verbose_name = _("Citizens' appeals")
    gorodok_module = MODULE

    def ready(self) -> None:
        # The back office is a custom admin site: registering the appeals admin is this app's job,
        # as is declaring its actors (the jobs app has configured the broker by now).
        from gorodok_services.appeals import actors, admin  # noqa: F401
