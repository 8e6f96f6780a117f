"""The region-wide summary of citizens' appeals, in the layout of the report a municipality makes of
its own appeals: one row per municipality, one column per figure of the appeals module's report
sources (received by form, source and kind, questions and their results, considered on time and late,
still under consideration, questions by classifier section), and the region's total.

The figures come from each municipality's schema through the report sources (two aggregate queries
per municipality: the appeals module computes its summary once per batch). A request makes an
``AppealsSummary``; a small region (``REPORTING_SUMMARY_SYNC_MUNICIPALITIES`` municipalities or fewer)
is summed at once, a larger one by a job that records its progress. The finished summary keeps its
rows and an XLSX (written row by row, openpyxl's write-only mode) and a CSV that the console streams.
"""

from __future__ import annotations

import csv
import io
import logging
import secrets
import tempfile
from collections.abc import Iterator
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_services.core.spreadsheets import spreadsheet_row
from gorodok_services.reporting import error_codes
from gorodok_services.reporting.models import AppealsSummary, SummaryStatus

logger = logging.getLogger(__name__)

APPEALS = "appeals"  # the module whose report sources make the summary
MAX_PERIOD_DAYS = 366
EARLIEST = date(2000, 1, 1)
PROGRESS_EVERY = 10  # municipalities between two progress updates
DEFAULT_SYNC_MUNICIPALITIES = 20


class SummaryFailed(Exception):
    """A municipality's figures could not be computed (the message names it)."""


def summary_columns() -> list[tuple[str, str]]:
    """(report source key, header) of the summary, in the order of the municipality's own report."""
    from gorodok_platform.modules import registered_modules

    module = registered_modules().get(APPEALS)
    if module is None:
        return []
    return [(module.report_source_key(source), capfirst(str(source.label))) for source in module.report_sources]


def _sync_limit() -> int:
    return int(getattr(settings, "REPORTING_SUMMARY_SYNC_MUNICIPALITIES", DEFAULT_SYNC_MUNICIPALITIES))


def _municipalities():
    from gorodok_tenants.modules import municipalities_with_module

    return municipalities_with_module(APPEALS).order_by("name", "pk")


def summary_check(*, date_from: date, date_to: date) -> None:
    if not (EARLIEST <= date_from <= date_to) or (date_to - date_from).days >= MAX_PERIOD_DAYS \
            or date_to > timezone.localdate().replace(month=12, day=31):
        raise ValidationError({"date_to": ValidationError(
            gettext_lazy("Give a period of up to a year, ending no later than this year."),
            code=error_codes.INVALID_PERIOD)})


def appeals_summary_request(*, date_from: date, date_to: date, actor=None) -> AppealsSummary:
    """Ask for the region's summary of ``date_from``..``date_to`` (each municipality's local dates).
    A small region is summed now; a large one by a job (the summary shows its progress)."""
    from gorodok_platform.audit.services import audit_record
    from gorodok_platform.jobs.enqueue import enqueue_on_commit
    from gorodok_services.reporting.actors import build_appeals_summary

    summary_check(date_from=date_from, date_to=date_to)
    public = get_public_schema_name()
    with schema_context(public), transaction.atomic():
        total = _municipalities().count()
        summary = AppealsSummary.objects.create(
            period_start=date_from, period_end=date_to, total=total, token=secrets.token_hex(8),
            columns=[key for key, _label in summary_columns()],
            requested_by=str(getattr(actor, "email", "") or getattr(actor, "name", "") or "")[:200])
        audit_record(action="appeals_summary.request", actor=actor, target=summary,
                     after={"period": str(summary), "municipalities": total})
        if total > _sync_limit():
            enqueue_on_commit(build_appeals_summary, summary.pk, schema=public)
    if total <= _sync_limit():
        try:
            appeals_summary_build(summary.pk)
        except Exception:  # recorded on the summary (status failed, the error shown on its page)
            logger.exception("appeals summary %s failed", summary.pk)
        summary.refresh_from_db()
    return summary


def appeals_summary_build(summary_id: int) -> AppealsSummary | None:
    """Make the summary: visit each municipality's report sources, then write the files. Idempotent: a
    finished summary is left as it is; a failed or interrupted one starts again."""
    from gorodok_tenants.modules.report_sources import report_source_compute_many

    with schema_context(get_public_schema_name()):
        summary = AppealsSummary.objects.filter(pk=summary_id).first()
        if summary is None or summary.status == SummaryStatus.DONE:
            return summary
        keys = [key for key, _label in summary_columns()]
        municipalities = list(_municipalities())
        AppealsSummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.RUNNING, total=len(municipalities),
                                                           done=0, columns=keys, error="")
        try:
            rows = []
            for number, municipality in enumerate(municipalities, start=1):
                try:
                    with transaction.atomic():  # a failure in one schema leaves the connection usable
                        figures = report_source_compute_many(municipality=municipality, keys=keys,
                                                             date_from=summary.period_start,
                                                             date_to=summary.period_end)
                except Exception as exc:
                    raise SummaryFailed(f"{municipality.name} ({municipality.schema_name}): {exc}") from exc
                rows.append({"municipality": municipality.name, "oktmo": municipality.oktmo,
                             "schema": municipality.schema_name,
                             "values": [int(figures[key] or 0) for key in keys]})
                if number % PROGRESS_EVERY == 0:
                    AppealsSummary.objects.filter(pk=summary.pk).update(done=number)
            summary.refresh_from_db()
            summary.rows, summary.columns, summary.done = rows, keys, len(rows)
            with translation.override(settings.LANGUAGE_CODE):
                handle = summary_xlsx(summary)
                summary.xlsx.save("summary.xlsx", File(handle), save=False)
                handle.close()
                summary.csv.save("summary.csv", ContentFile("".join(summary_csv(summary)).encode()), save=False)
            summary.status, summary.finished_at = SummaryStatus.DONE, timezone.now()
            summary.save()
        except Exception as exc:
            AppealsSummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.FAILED, error=str(exc)[:2000])
            raise
        return summary


# --- reading a summary -----------------------------------------------------------------------------------------

def summary_rows(summary: AppealsSummary, schemas: list[str] | None = None) -> list[dict]:
    """The rows of the municipalities given (all when None)."""
    return [row for row in summary.rows if schemas is None or row["schema"] in schemas]


def summary_total(columns: list[str], rows: list[dict]) -> list[int]:
    return [sum(row["values"][index] for row in rows) for index in range(len(columns))]


def summary_headers(summary: AppealsSummary) -> list[str]:
    labels = dict(summary_columns())
    return [labels.get(key, key) for key in summary.columns]


def summary_table(summary: AppealsSummary, schemas: list[str] | None = None) -> Iterator[list]:
    """The header, one row per municipality, then the region's total."""
    rows = summary_rows(summary, schemas)
    yield [_("Municipality"), _("OKTMO"), *summary_headers(summary)]
    for row in rows:
        yield [row["municipality"], row["oktmo"], *row["values"]]
    yield [_("Region total"), "", *summary_total(summary.columns, rows)]


def summary_csv(summary: AppealsSummary) -> Iterator[str]:
    """``;``-separated lines, UTF-8 with a byte-order mark so Excel reads the Cyrillic."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    for row in summary_table(summary):
        writer.writerow(spreadsheet_row(row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def summary_xlsx(summary: AppealsSummary):
    """The workbook in a rewound temporary file: the title and period, then the table."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Summary of appeals")[:31])
    sheet.append(spreadsheet_row([_("Summary of citizens' appeals of the region")]))
    sheet.append(spreadsheet_row([_("Period"), str(summary)]))
    sheet.append([])
    for row in summary_table(summary):
        sheet.append(spreadsheet_row(row))
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (the caller saves and closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle
