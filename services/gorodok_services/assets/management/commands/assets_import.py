"""Import a register spreadsheet into one municipality: as a background job (the default), here and
now (--wait), or resume an interrupted import (--resume ID)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from gorodok_services.assets.import_jobs import asset_import_resume, asset_import_run, asset_import_start
from gorodok_services.assets.models import AssetImport
from gorodok_tenants.models import Municipality


class Command(BaseCommand):
    help = ("Import a register spreadsheet (XLSX, or CSV in UTF-8 or cp1251) into a municipality's register: "
            "every row is checked first, then written a chunk at a time; an interrupted import resumes.")

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="The municipality's schema.")
        parser.add_argument("file", nargs="?", help="The XLSX or CSV file.")
        parser.add_argument("--mapping", default="{}",
                            help='JSON: header -> field code ("" ignores a column), for headers not recognised.')
        parser.add_argument("--wait", action="store_true", help="Run the import in this process instead of a job.")
        parser.add_argument("--resume", type=int, metavar="ID", help="Continue an interrupted import.")

    def handle(self, *args, schema, file, mapping, wait, resume, **options):
        with schema_context(get_public_schema_name()):
            municipality = Municipality.objects.filter(schema_name=schema).first()
        if municipality is None:
            raise CommandError(f"No municipality with schema {schema!r}.")
        try:
            columns = json.loads(mapping)
        except ValueError as exc:
            raise CommandError(f"--mapping is not JSON: {exc}") from exc
        with tenant_context(municipality):
            try:
                if resume is not None:
                    row = AssetImport.objects.filter(pk=resume).first()
                    if row is None:
                        raise CommandError(f"No import {resume} in {schema}.")
                    row = asset_import_resume(row=row) if not wait else row
                elif file:
                    path = Path(file)
                    if not path.is_file():
                        raise CommandError(f"No file {file}.")
                    with path.open("rb") as handle:
                        row = asset_import_start(upload=File(handle), filename=path.name, mapping=columns,
                                                 source="command", queue=not wait)
                else:
                    raise CommandError("Give a file, or --resume ID.")
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            if wait:
                row = asset_import_run(row.pk)
            row.refresh_from_db()
        self.stdout.write(json.dumps({
            "id": row.pk, "status": row.status, "rows_total": row.rows_total, "rows_done": row.rows_done,
            "created": row.created_count, "updated": row.updated_count, "rejected": row.rejected_count,
            "error": row.error, "rejected_rows": row.report[:20]}, ensure_ascii=False))
