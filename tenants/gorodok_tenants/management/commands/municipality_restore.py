"""Restore a municipality from an archive file: into the one it came from, or into a new one."""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.dbtimeouts import DatabaseTimeoutsMixin
from gorodok_tenants.lifecycle.archives import municipality_restore
from gorodok_tenants.management.commands.municipality_archive import (
    confirm_by_slug,
    municipality_by_slug,
    print_counts,
    validation_message,
)
from gorodok_tenants.provisioning.pgtools import PgToolError


class Command(DatabaseTimeoutsMixin, BaseCommand):
    database_work = "upgrade"
    help = ("Restore an archive file. Without options it goes back to the municipality with the archive's OKTMO "
            "(or a new one like the original); --into names that municipality; --slug and --oktmo create a new "
            "one. Replacing a schema that exists asks for confirmation unless --yes; --dry-run changes nothing.")
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("archive_file", metavar="archive-file", help="The .tar.gz written by an export.")
        parser.add_argument("--into", metavar="SLUG", help="Restore into this existing municipality.")
        parser.add_argument("--slug", help="Create a new municipality with this slug.")
        parser.add_argument("--oktmo", help="The new municipality's OKTMO.")
        parser.add_argument("--name", help="The new municipality's name (default: the archive's).")
        parser.add_argument("--name-en", dest="name_en", help="Its name in English (default: the archive's).")
        parser.add_argument("--dry-run", action="store_true", help="Check the archive, show the plan, change nothing.")
        parser.add_argument("--yes", action="store_true", help="Confirm without asking.")

    def handle(self, *args, archive_file, into, slug, oktmo, name, name_en, dry_run, yes, **options):
        with schema_context(get_public_schema_name()):
            target = municipality_by_slug(into) if into else None
            kwargs = {"archive_path": archive_file, "into": target, "new_slug": slug, "new_oktmo": oktmo,
                      "new_name": name, "new_name_en": name_en}
            try:
                plan = municipality_restore(**kwargs, confirm=False, dry_run=True)
                if dry_run:
                    self._describe(plan)
                    return
                if plan.replaces_schema and not yes:
                    confirm_by_slug(self, slug=plan.slug, stdin=options.get("stdin", sys.stdin),
                                    action=f"Restoring replaces the data in schema {plan.schema_name} of {plan.name}")
                outcome = municipality_restore(**kwargs, confirm=plan.replaces_schema, dry_run=False)
            except ValidationError as exc:
                raise CommandError(validation_message(exc)) from exc
            except PgToolError as exc:
                raise CommandError(str(exc)) from exc
        municipality = outcome.municipality
        self.stdout.write(self.style.SUCCESS(
            f"Restored {municipality.name} into schema {municipality.schema_name}, "
            f"served at {municipality.primary_domain}."
        ))

    def _describe(self, plan) -> None:
        where = "a new municipality" if plan.creates_municipality else "the existing municipality"
        self.stdout.write(f"Dry run: the archive is intact. It would be restored into {where} "
                          f"{plan.name} ({plan.slug}, OKTMO {plan.oktmo}), schema {plan.schema_name}.")
        if plan.replaces_schema:
            self.stdout.write(f"The current schema {plan.schema_name} and its data would be dropped first.")
        if plan.migrates:
            self.stdout.write("The archive is from an older release; its schema would be migrated after loading.")
        self.stdout.write(f"Tables ({len(plan.row_counts)}):")
        print_counts(self, plan.row_counts)
