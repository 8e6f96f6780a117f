"""Remove expired personal data from appeals: for one municipality (--schema) or every one."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from gorodok_services.appeals.management.commands.appeals_sweep import municipalities_for
from gorodok_services.appeals.retention import appeals_retention


class Command(BaseCommand):
    help = ("Anonymise appeals closed longer ago than the municipality's retention period (what the daily "
            "job does), with an audit entry. --dry-run shows what would change and changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="Only this municipality's schema.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")

    def handle(self, *args, schema=None, dry_run=False, **options):
        for municipality in municipalities_for(schema):
            with tenant_context(municipality):
                report = appeals_retention(dry_run=dry_run)
            name = municipality.schema_name
            if not report.retention_years:
                self.stdout.write(f"{name}: retention is off (0 years); nothing to do")
                continue
            if report.skipped:
                self.stdout.write(f"{name}: another retention run is in progress; skipped")
                continue
            verb = "would anonymise" if dry_run else "anonymised"
            self.stdout.write(
                f"{name}: {verb} {report.appeals} appeals closed before {report.cutoff:%Y-%m-%d} "
                f"({report.attachments} files, {report.events} history entries, {report.questions} question texts, "
                f"{report.notifications} author addresses)"
            )
            for number in report.numbers[:50]:
                self.stdout.write(f"  {number}")
            if len(report.numbers) > 50:
                self.stdout.write(f"  … and {len(report.numbers) - 50} more")
