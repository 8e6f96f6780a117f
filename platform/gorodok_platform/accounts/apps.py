from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def seed_roles_after_migrate(sender, using="default", **kwargs) -> None:
    """After the accounts app or a module is migrated in a schema, its roles exist there as groups
    (a module switched on by a release brings its roles to every municipality with the upgrade)."""
    from gorodok_platform.modules import ModuleInfo

    if sender.label != "accounts" and not isinstance(getattr(sender, "gorodok_module", None), ModuleInfo):
        return
    from django.db import connections

    from gorodok_platform.accounts.services import roles_seed

    roles_seed(schema_name=getattr(connections[using], "schema_name", "public"))


class AccountsConfig(AppConfig):
    name = "gorodok_platform.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        post_migrate.connect(seed_roles_after_migrate, dispatch_uid="gorodok_seed_roles")
