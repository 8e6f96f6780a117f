from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportSubmissionsConfig(AppConfig):
    """A municipality's reports (drafts, submissions and their history), in its own schema."""

    name = "gorodok_services.reporting.submissions"
    label = "reporting_submissions"
    default_auto_field = "django.db.models.AutoField"
    verbose_name = _("Reports")
