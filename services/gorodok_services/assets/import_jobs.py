"""Register imports as background jobs (``AssetImport``): started from the back office, the API or a
command, run by a Dramatiq actor that takes only the import's id.

``asset_import_start`` stores the file, checks that it can be read and that its columns map, records
the import (queued) and queues the job when the transaction commits. ``asset_import_run`` (the job):

1. checks every row with the register's rules, writing nothing; a file with a rejected row ends
   ``failed`` with the row-by-row report and nothing written (as the synchronous import);
2. writes the rows a chunk at a time; each chunk commits together with the import's ``rows_done``
   (and the history entries carry the import's id), so a job interrupted midway — a worker killed, a
   database restart — resumes after the last committed chunk and never writes a row twice.

The job is idempotent: a finished import is left alone; a running one resumes.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gorodok_platform.audit.services import audit_record
from gorodok_platform.jobs.enqueue import enqueue_on_commit
from gorodok_platform.storage import local_path
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets.imports import (
    MAX_IMPORT_BYTES,
    ChunkContext,
    ImportReport,
    _error,
    _resolve_mapping,
    iter_chunks,
    open_table,
    run_chunk,
)
from gorodok_services.assets.models import AssetImport, ImportStatus
from gorodok_services.core.access import actor_email as _email

REPORT_ROWS_KEPT = 1000  # rejected rows kept on the import (the count is always exact)
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")


def asset_import_start(*, upload, filename: str, mapping: dict[str, str] | None = None, actor=None,
                       source: str = "", queue: bool = True) -> AssetImport:
    """Record an import of ``upload`` (a Django File) and queue its job. Raises ValidationError (field
    ``file``) for a file that cannot be taken at all: too large, not XLSX or CSV, unreadable, unknown or
    missing columns. ``mapping``: header -> field code ("" to ignore a column); recognised headers need
    none. ``queue`` false: the caller runs ``asset_import_run`` itself (a command waiting for it)."""
    filename = Path(filename or "").name[:255]
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise _error(_("Upload an XLSX or CSV file."), codes.UNREADABLE_FILE)
    if (getattr(upload, "size", 0) or 0) > MAX_IMPORT_BYTES:
        raise _error(_("The file is larger than %(limit)d MB; split it."), codes.FILE_TOO_LARGE,
                     limit=MAX_IMPORT_BYTES // (1024 * 1024))
    row = AssetImport(file_name=filename, actor_email=_email(actor), source=source)
    row.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)  # the name is ours, never the sender's
    try:
        with local_path(row.file.storage, row.file.name) as local, open_table(local, filename) as (headers, _rows):
            fields = _resolve_mapping(headers, mapping)
        row.mapping = {str(header): name for header, name in zip(headers, fields, strict=False)
                       if str(header).strip()}
        with transaction.atomic():
            row.save()
            audit_record(action="asset.import_started", actor=actor, target=row,
                         after={"file": filename, "source": source})
            if queue:
                from gorodok_services.assets.actors import run_asset_import

                enqueue_on_commit(run_asset_import, row.pk)
    except BaseException:
        row.file.delete(save=False)
        raise
    return row


def _finish(pk: int, **values) -> None:
    AssetImport.objects.filter(pk=pk).update(finished_at=timezone.now(), **values)


def _rejected_rows(report: ImportReport) -> list[dict]:
    return [{"row": r.row, "register_number": r.register_number, "name": r.name, "reasons": r.reasons}
            for r in report.rows if r.outcome == "rejected"][:REPORT_ROWS_KEPT]


def asset_import_run(import_id: int) -> AssetImport | None:
    """The job: check every row, then write chunk by chunk (see the module). Call in the import's
    schema, outside a transaction (each chunk commits on its own)."""
    row = AssetImport.objects.filter(pk=import_id).first()
    if row is None or row.is_finished:
        return row
    AssetImport.objects.filter(pk=row.pk).update(status=ImportStatus.RUNNING,
                                                 started_at=row.started_at or timezone.now())
    try:
        if not row.checked:
            if not _check(row):
                return AssetImport.objects.get(pk=row.pk)
            row.refresh_from_db()
        _write(row)
    except ValidationError as exc:  # the file cannot be read any more (e.g. removed from the storage)
        _finish(row.pk, status=ImportStatus.FAILED, error=" ".join(exc.messages)[:2000])
        return AssetImport.objects.get(pk=row.pk)
    except FileNotFoundError:
        _finish(row.pk, status=ImportStatus.FAILED, error=_("The import's file is missing."))
        return AssetImport.objects.get(pk=row.pk)
    except _ChunkRejected as exc:
        _finish(row.pk, status=ImportStatus.FAILED, rejected_count=exc.report.rejected,
                report=_rejected_rows(exc.report),
                error=_("The register changed while the file was imported; the rows written before stay."))
        return AssetImport.objects.get(pk=row.pk)
    row.refresh_from_db()
    audit_record(action="asset.imported", target=row, after={
        "file": row.file_name[:200], "created": row.created_count, "updated": row.updated_count,
        "by": row.actor_email, "import": row.pk})
    _finish(row.pk, status=ImportStatus.DONE, rows_checked=F("rows_total"))
    row.refresh_from_db()
    row.file.delete(save=True)  # the register has the rows now; the upload is not kept
    return row


def _check(row: AssetImport) -> bool:
    """Check every row, writing nothing; record the total and, for rejected rows, the report."""
    report = ImportReport(dry_run=True, mapping=row.mapping)
    with local_path(row.file.storage, row.file.name) as local, open_table(local, row.file_name) as (headers, rows):
        fields = _resolve_mapping(headers, row.mapping)
        context = ChunkContext.current()
        for chunk in iter_chunks(rows):
            run_chunk(report, chunk, fields, context, write=False)
            AssetImport.objects.filter(pk=row.pk).update(rows_checked=report.total)
    if report.rejected:
        _finish(row.pk, status=ImportStatus.FAILED, rows_total=report.total, rows_checked=report.total,
                rejected_count=report.rejected, report=_rejected_rows(report),
                error=_("Nothing was written: correct the rejected rows and import the file again."))
        return False
    AssetImport.objects.filter(pk=row.pk).update(checked=True, rows_total=report.total, rows_checked=report.total)
    return True


def _write(row: AssetImport) -> None:
    with local_path(row.file.storage, row.file.name) as local, open_table(local, row.file_name) as (headers, rows):
        fields = _resolve_mapping(headers, row.mapping)
        context = ChunkContext.current(email=row.actor_email, import_id=row.pk)
        position = 0
        for chunk in iter_chunks(rows):
            position += len(chunk)
            if position <= row.rows_done:
                continue  # committed before the interruption
            report = ImportReport(dry_run=False, mapping=row.mapping)
            with transaction.atomic():
                # The import's row is the chunk's lock: a second runner (a redelivered message while the
                # first still runs) waits here, then sees the chunk done and skips it.
                done = AssetImport.objects.select_for_update().values_list("rows_done", flat=True).get(pk=row.pk)
                if position <= done:
                    continue
                run_chunk(report, chunk, fields, context, write=True)
                if report.rejected:  # changed since the check (e.g. a register number taken meanwhile)
                    raise _ChunkRejected(report)
                AssetImport.objects.filter(pk=row.pk).update(
                    rows_done=position, created_count=F("created_count") + report.created,
                    updated_count=F("updated_count") + report.updated)


class _ChunkRejected(Exception):
    def __init__(self, report: ImportReport):
        super().__init__("rows rejected while writing")
        self.report = report


def asset_import_resume(*, row: AssetImport, actor=None) -> AssetImport:
    """Queue an interrupted import again (it continues after its last committed chunk). A finished one
    cannot be resumed (an import whose rows were rejected needs a corrected file)."""
    with transaction.atomic():
        row = AssetImport.objects.select_for_update().get(pk=row.pk)
        if row.is_finished:
            raise ValidationError(_("The import has finished; it cannot be resumed."), code=codes.IMPORT_FINISHED)
        row.status = ImportStatus.QUEUED
        row.save(update_fields=["status"])
        audit_record(action="asset.import_resumed", actor=actor, target=row, after={"rows_done": row.rows_done})
        from gorodok_services.assets.actors import run_asset_import

        enqueue_on_commit(run_asset_import, row.pk)
    return row
