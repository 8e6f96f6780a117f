"""Check or rebuild the template new municipalities' schemas are created from."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gorodok_tenants import schema_provisioning


class Command(BaseCommand):
    help = (
        f"Check the provisioning template schema ({schema_provisioning.TEMPLATE_SCHEMA}) and build it when it is "
        "missing or behind the code's migrations. Run it after migrate_schemas in a deployment, so that the "
        "first municipality created afterwards does not wait for the rebuild."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Only report; exit with status 1 when the template is missing or stale.")
        parser.add_argument("--rebuild", action="store_true", help="Rebuild it even when it is current.")
        parser.add_argument("--show-ddl", action="store_true",
                            help="Print the DDL a new schema gets (for a schema named new_municipality).")

    def handle(self, *args, check, rebuild, show_ddl, verbosity, **options):
        template = schema_provisioning.TEMPLATE_SCHEMA
        if check:
            if not schema_provisioning.template_is_current():
                raise CommandError(f"{template} is missing or not at the code's migration state.")
            self.stdout.write(f"{template} is current.")
            return
        built = schema_provisioning.ensure_template(force=rebuild, verbosity=max(verbosity - 1, 0))
        self.stdout.write(f"{template} {'built' if built else 'is current'} "
                          f"({len(schema_provisioning.expected_migration_records())} migrations).")
        if show_ddl:
            try:
                plan = schema_provisioning.blueprint()
            except schema_provisioning.ProvisioningError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(plan.ddl("new_municipality"))
