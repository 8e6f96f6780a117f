"""Remove expired personal data from appeals: for the municipalities named (--schema) or every one."""

from __future__ import annotations

from gorodok_services.appeals.retention import appeals_retention
from gorodok_services.appeals.sweep import MODULE_CODE
from gorodok_tenants.commands import MunicipalityCommand


class Command(MunicipalityCommand):
    help = ("Anonymise appeals closed longer ago than the municipality's retention period (what the daily "
            "job does), with an audit entry. --dry-run shows what would change and changes nothing.")
    module = MODULE_CODE
    all_by_default = True
    handles_dry_run = True

    def handle_municipality(self, municipality, *, dry_run, **options):
        report = appeals_retention(dry_run=dry_run)
        name = municipality.schema_name
        if not report.retention_years:
            self.stdout.write(f"{name}: retention is off (0 years); nothing to do")
            return
        if report.skipped:
            self.stdout.write(f"{name}: another retention run is in progress; skipped")
            return
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
