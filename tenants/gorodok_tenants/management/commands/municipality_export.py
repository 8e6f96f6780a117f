"""Export a municipality to an archive file (a dump of its schema and a manifest), changing nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.dbtimeouts import DatabaseTimeoutsMixin
from gorodok_tenants.lifecycle.archives import municipality_export
from gorodok_tenants.management.commands.municipality_archive import municipality_by_slug, validation_message
from gorodok_tenants.provisioning.pgtools import PgToolError


class Command(DatabaseTimeoutsMixin, BaseCommand):
    database_work = "upgrade"
    help = "Export a municipality's schema to ARCHIVE_ROOT/<schema>/ as one archive file; the file path is printed."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The municipality's slug, e.g. chernogorsk.")

    def handle(self, *args, slug, **options):
        with schema_context(get_public_schema_name()):
            municipality = municipality_by_slug(slug)
            try:
                archive = municipality_export(municipality=municipality)
            except ValidationError as exc:
                raise CommandError(validation_message(exc)) from exc
            except PgToolError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Exported {municipality.name} ({municipality.schema_name}): {archive.path}"
        ))
        self.stdout.write(f"  {archive.size_bytes} bytes, SHA-256 {archive.sha256}")
