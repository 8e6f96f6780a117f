"""Run the appeals sweep now: for one municipality (--schema) or every one with the module on."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from gorodok_services.appeals.sweep import appeals_municipalities, appeals_sweep


def municipalities_for(schema: str | None) -> list:
    """The municipalities a command runs for: the one named, or every one with the appeals module on."""
    from gorodok_tenants.models import Municipality

    with schema_context(get_public_schema_name()):
        if schema is None:
            return appeals_municipalities()
        municipality = Municipality.objects.filter(schema_name=schema).first()
        if municipality is None:
            raise CommandError(f"No municipality has the schema {schema!r}.")
        if municipality not in appeals_municipalities():
            raise CommandError(f"{municipality.name} ({schema}) is not active or has the appeals module switched off.")
        return [municipality]


class Command(BaseCommand):
    help = ("Flag overdue appeals and send due reminders, overdue notices and escalations (what the hourly "
            "job does). Idempotent: nothing is sent twice.")

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="Only this municipality's schema.")

    def handle(self, *args, schema=None, **options):
        for municipality in municipalities_for(schema):
            with tenant_context(municipality):
                report = appeals_sweep()
            if report.skipped:
                self.stdout.write(f"{municipality.schema_name}: another sweep is running; skipped")
                continue
            self.stdout.write(
                f"{municipality.schema_name}: flagged {report.flagged}, unflagged {report.unflagged}, "
                f"reminders {report.reminders}, overdue notices {report.overdue_notices}, "
                f"escalations {report.escalations}"
            )
