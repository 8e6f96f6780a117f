from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassifierConfig(AppConfig):
    name = "gorodok_services.classifier"
    label = "classifier"
    verbose_name = _("Thematic classifier")
