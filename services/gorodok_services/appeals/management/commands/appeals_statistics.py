"""The appeals summary of one municipality for a period, as XLSX, CSV or JSON."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from gorodok_services.appeals.exports import statistics_csv, statistics_xlsx
from gorodok_services.appeals.statistics import appeal_statistics
from gorodok_tenants.models import Municipality

FORMATS = ("xlsx", "csv", "json")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = ("Summarise a municipality's appeals for a period (its local dates, both included): "
            "the figures of the monthly report, as XLSX, CSV or JSON.")

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="The municipality's schema.")
        parser.add_argument("--from", dest="date_from", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", required=True, help="Last day, YYYY-MM-DD.")
        parser.add_argument("--format", choices=FORMATS,
                            help="Default: from the output file's suffix, else json.")
        parser.add_argument("--output", help="File to write; without it CSV and JSON go to the standard output "
                                             "and XLSX to appeals-<schema>-<from>-<to>.xlsx.")

    def handle(self, *args, schema, date_from, date_to, output, **options):
        first, last = _date(date_from), _date(date_to)
        output_format = options["format"]
        if output_format is None:
            suffix = Path(output).suffix.lower().lstrip(".") if output else ""
            output_format = suffix if suffix in FORMATS else "json"
        with schema_context(get_public_schema_name()):
            municipality = Municipality.objects.filter(schema_name=schema).first()
        if municipality is None:
            raise CommandError(f"No municipality with schema {schema!r}.")
        with tenant_context(municipality):
            try:
                stats = appeal_statistics(date_from=first, date_to=last)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            if output_format == "xlsx":
                content: bytes | str = statistics_xlsx(stats)
                output = output or f"appeals-{schema}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
            elif output_format == "csv":
                content = statistics_csv(stats)
            else:
                content = json.dumps(stats.as_dict(), ensure_ascii=False, indent=2) + "\n"
        if output is None:
            self.stdout.write(content, ending="")
            return
        path = Path(output)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        self.stdout.write(f"{municipality.name}: {first:%d.%m.%Y}–{last:%d.%m.%Y}, {stats.appeals} appeals → {path}")
