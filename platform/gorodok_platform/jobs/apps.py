from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "gorodok_platform.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # The broker must exist before any actor is declared: actors bind to the global broker.
        from gorodok_platform.jobs.broker import configure_broker

        configure_broker(settings.BROKER_URL, max_retries=settings.JOBS_MAX_RETRIES,
                         queue_prefix=settings.DRAMATIQ_QUEUE_PREFIX, timeout=settings.BROKER_TIMEOUT_SECONDS)
        from gorodok_platform.jobs import actors  # noqa: F401
