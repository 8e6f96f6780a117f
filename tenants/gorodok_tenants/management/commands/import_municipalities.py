from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gorodok_tenants.provisioning.bulk_import import municipalities_import


class Command(BaseCommand):
    help = ("Create municipalities from a CSV file with columns oktmo, name, name_en, kind, parent_oktmo, slug "
            "(and optionally admin_email). Each row is created completely or not at all.")

    def add_arguments(self, parser):
        parser.add_argument("csv_file")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, create nothing.")

    def handle(self, *args, csv_file, dry_run, **options):
        try:
            with open(csv_file, encoding="utf-8-sig") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {csv_file}: {error}") from error
        try:
            report = municipalities_import(text=text, dry_run=dry_run)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        for row in report.rows:
            if row.status == "rejected":
                self.stderr.write(f"line {row.line} {row.oktmo} {row.slug}: rejected: {'; '.join(row.errors)}")
            else:
                verb = "valid" if dry_run else "created"
                self.stdout.write(f"line {row.line} {row.oktmo} {row.slug}: {verb}" +
                                  (f" (sign-in link: {row.link})" if row.link else ""))
        summary = (f"{len(report.created)} {'valid' if dry_run else 'created'}, "
                   f"{len(report.rejected)} rejected, of {len(report.rows)} rows.")
        if report.rejected:
            self.stderr.write(summary)
            raise CommandError("Some rows were rejected; the others were " + ("checked." if dry_run else "created."))
        self.stdout.write(self.style.SUCCESS(summary))
