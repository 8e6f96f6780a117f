from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gorodok_tenants.modules import Counter, ModuleInfo


def _count_open() -> int:
    from gorodok_services.appeals.selectors import appeal_open_count

    return appeal_open_count()


def _count_overdue() -> int:
    from gorodok_services.appeals.selectors import appeal_overdue_count

    return appeal_overdue_count()


class AppealsConfig(AppConfig):
    name = "gorodok_services.appeals"
    label = "appeals"
    verbose_name = _("Citizens' appeals")
    gorodok_module = ModuleInfo(
        code="appeals",
        name=_("Citizens' appeals"),
        counters=(Counter("open", _("open"), _count_open), Counter("overdue", _("overdue"), _count_overdue)),
    )

    def ready(self) -> None:
        # The back office is a custom admin site: registering the appeals admin is this app's job,
        # as is declaring its actors (the jobs app has configured the broker by now).
        from gorodok_services.appeals import actors, admin  # noqa: F401
