"""Check or rebuild the template new municipalities' schemas are created from; fill or drain the spare pool."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gorodok_tenants.provisioning import pool as schema_pool
from gorodok_tenants.provisioning import schemas as schema_provisioning


class Command(BaseCommand):
    help = (
        f"Check the provisioning template schema ({schema_provisioning.TEMPLATE_SCHEMA}) and build it when it is "
        "missing or behind the code's migrations. Run it after migrate_schemas in a deployment, so that the "
        "first municipality created afterwards does not wait for the rebuild. --refill-pool and --drain-pool "
        f"fill or empty the pool of spare schemas ({schema_pool.SPARE_PREFIX}*) new municipalities are taken from."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Only report; exit with status 1 when the template is missing or stale.")
        parser.add_argument("--rebuild", action="store_true", help="Rebuild it even when it is current.")
        parser.add_argument("--show-ddl", action="store_true",
                            help="Print the DDL a new schema gets (for a schema named new_municipality).")
        pool = parser.add_mutually_exclusive_group()
        pool.add_argument("--refill-pool", action="store_true",
                          help="Then drop stale spare schemas and build spares up to GORODOK_SCHEMA_POOL_SIZE.")
        pool.add_argument("--drain-pool", action="store_true",
                          help="Only drop every spare schema (e.g. before an upgrade); the template is left alone.")

    def handle(self, *args, check, rebuild, show_ddl, refill_pool, drain_pool, verbosity, **options):
        template = schema_provisioning.TEMPLATE_SCHEMA
        if drain_pool:
            dropped = schema_pool.pool_drain()
            self.stdout.write(f"{dropped} spare schema(s) dropped; {len(schema_pool.pool_spares())} left.")
            return
        if check:
            if not schema_provisioning.template_is_current():
                raise CommandError(f"{template} is missing or not at the code's migration state.")
            self.stdout.write(f"{template} is current; {len(schema_pool.pool_spares())} spare schema(s).")
            return
        built = schema_provisioning.ensure_template(force=rebuild, verbosity=max(verbosity - 1, 0))
        self.stdout.write(f"{template} {'built' if built else 'is current'} "
                          f"({len(schema_provisioning.expected_migration_records())} migrations).")
        if refill_pool:
            size = schema_pool.pool_size()
            created = schema_pool.pool_refill()
            self.stdout.write(f"Spare pool: {created} built, {len(schema_pool.pool_spares())} present "
                              f"(size {size}{', off' if size == 0 else ''}).")
        if show_ddl:
            try:
                plan = schema_provisioning.blueprint()
            except schema_provisioning.ProvisioningError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(plan.ddl("new_municipality"))
