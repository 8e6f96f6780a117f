"""Run the appeals sweep now: for the municipalities named (--schema) or every one with the module on."""

from __future__ import annotations

from gorodok_services.appeals.sweep import MODULE_CODE, appeals_sweep
from gorodok_tenants.commands import MunicipalityCommand


class Command(MunicipalityCommand):
    help = ("Flag overdue appeals and send due reminders, overdue notices and escalations (what the hourly "
            "job does). Idempotent: nothing is sent twice. Without --schema: every municipality with the module on.")
    module = MODULE_CODE
    all_by_default = True

    def handle_municipality(self, municipality, *, dry_run, **options):
        report = appeals_sweep()
        if report.skipped:
            self.stdout.write(f"{municipality.schema_name}: another sweep is running; skipped")
            return
        self.stdout.write(
            f"{municipality.schema_name}: flagged {report.flagged}, unflagged {report.unflagged}, "
            f"reminders {report.reminders}, overdue notices {report.overdue_notices}, "
            f"escalations {report.escalations}"
        )
