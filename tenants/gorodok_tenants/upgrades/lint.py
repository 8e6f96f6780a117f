"""The migration check ``make test`` runs: django-migration-linter over Gorodok's own migrations.

It flags operations that break the release still running while a rolling deploy (or an upgrade run)
is in progress: dropping or renaming a column or table, adding a NOT NULL column without a database
default, altering a column's type, and so on (deploy/runbooks/upgrades.md, "Expand, then contract").
Migrations written before the check existed and accepted after review are listed in ``ACCEPTED`` with
the reason; a new migration is never added there without the same review.

The linter renders each migration's SQL with ``sqlmigrate``, which needs a server but reads no table:
when the configured database does not exist (a fresh CI machine before the tests create theirs), the
server's ``postgres`` database is used for that.
"""

from __future__ import annotations

import contextlib
import io

from django.apps import apps
from django.conf import settings
from django.db import OperationalError, connections

LINT_SCHEMA = "gorodok_migration_lint"  # a name only: never created
# (app, migration): why it is acceptable.
ACCEPTED: dict[tuple[str, str], str] = {
    ("integrations", "0002_webhook_delivery_event_reference"): (
        "Reshapes a table created by 0001 of the same, never deployed release: no running release reads "
        "integrations_webhookdelivery, so there is nothing to expand first."
    ),
}


def _gorodok_apps() -> list[str]:
    return [config.label for config in apps.get_app_configs() if config.name.startswith("gorodok_")]


def _tenant_apps() -> set[str]:
    return {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}


def _reachable(alias: str = "default") -> None:
    connection = connections[alias]
    try:
        connection.ensure_connection()
    except OperationalError as error:
        if "does not exist" not in str(error):
            raise
        connection.close()
        connection.settings_dict["NAME"] = "postgres"


def lint_migrations(*, include_accepted: bool = False, app_labels=None, stdout=None) -> int:
    """Lint every Gorodok migration (or those of ``app_labels``); returns how many are unsafe (0: all
    good). Writes the linter's report to ``stdout``."""
    from django_migration_linter import MigrationLinter

    accepted = set() if include_accepted else set(ACCEPTED)

    class Linter(MigrationLinter):
        def should_ignore_migration(self, app_label, migration_name, operations=(), is_initial=False):
            return (app_label, migration_name) in accepted or super().should_ignore_migration(
                app_label, migration_name, operations, is_initial)

    _reachable()
    labels = list(app_labels or _gorodok_apps())
    tenant_apps = _tenant_apps()
    connection = connections["default"]
    erroneous = 0
    output = io.StringIO()
    # django-tenants' router turns a tenant app's operations into no-ops in the public schema (and a
    # shared app's in a tenant schema): each app is rendered where its tables live. No schema is
    # created: the SQL is only rendered.
    for where, group in (("public", [a for a in labels if a not in tenant_apps]),
                         (LINT_SCHEMA, [a for a in labels if a in tenant_apps])):
        if not group:
            continue
        if where == "public":
            connection.set_schema_to_public()
        else:
            connection.set_schema(where, include_public=False)
        try:
            with contextlib.redirect_stdout(output):
                linter = Linter(include_apps=group, no_cache=True, analyser_string="postgresql")
                linter.lint_all_migrations()
                linter.print_summary()
        finally:
            connection.set_schema_to_public()
        erroneous += linter.nb_erroneous
    if stdout is not None:
        stdout.write(output.getvalue())
    return erroneous


# --- Citus: what a distributed schema refuses ----------------------------------------------------------

def citus_problems() -> list[str]:
    """What would break a municipality's schema as a Citus distributed schema: a tenant table
    referencing a table of the public schema (a foreign key across schemas), and a migration that turns
    an existing column into an identity column (``ALTER TABLE ... ADD GENERATED ... AS IDENTITY``, which
    Citus refuses in distributed schemas). Empty when all is well."""
    from django.db import models
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import AlterField

    tenant_apps = _tenant_apps()
    shared_only = {config.label for config in apps.get_app_configs()} - tenant_apps
    problems = []
    for model in apps.get_models():
        if model._meta.app_label not in tenant_apps:
            continue
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if not getattr(field, "concrete", False) and not getattr(field, "many_to_many", False):
                continue
            if not getattr(field, "db_constraint", True):
                continue  # an id kept without a database constraint: nothing ties the schemas together
            if related is not None and not isinstance(related, str) and related._meta.app_label in shared_only:
                problems.append(f"{model._meta.label}.{field.name} references {related._meta.label} in the public "
                                "schema (a foreign key across schemas)")
    loader = MigrationLoader(None, ignore_no_migrations=True)
    identity = (models.AutoField, models.BigAutoField, models.SmallAutoField)
    for (app_label, name), migration in sorted(loader.disk_migrations.items()):
        if app_label not in tenant_apps or app_label not in set(_gorodok_apps()):
            continue
        for operation in migration.operations:
            if isinstance(operation, AlterField) and isinstance(operation.field, identity):
                problems.append(f"{app_label}.{name}: {operation.model_name}.{operation.name} becomes an identity "
                                "column (ADD GENERATED ... AS IDENTITY)")
    return problems
