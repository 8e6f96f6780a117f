from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gorodok_services.reporting.module import MODULE


class ReportingConfig(AppConfig):
    """The region's side of reporting, in the public schema: templates, campaigns, the submitted
    copies and the standing indicators. The municipality's side (drafts and their history) is the
    ``reporting_submissions`` app, in each municipality's schema."""

    name = "gorodok_services.reporting"
    label = "reporting"
    default_auto_field = "django.db.models.AutoField"
    verbose_name = _("Reporting")
    gorodok_module = MODULE

    def ready(self) -> None:
        from gorodok_services.reporting import admin  # noqa: F401
