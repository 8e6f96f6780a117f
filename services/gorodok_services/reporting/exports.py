"""A campaign as files: XLSX (one row per municipality, one column per field, each table field on a
sheet of its own, Russian headers) and CSV. Both read only the public copies; no text cell can become a
formula (``spreadsheet_row``); numbers stay numbers. The workbook is written row by row (openpyxl's
write-only mode) to a temporary file the caller streams, so memory does not grow with the region."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gorodok_services.core.spreadsheets import spreadsheet_row
from gorodok_services.reporting.definition import CHOICE, DATE, NUMERIC_TYPES, TABLE, YESNO, Field
from gorodok_services.reporting.models import Campaign, SubmissionCopy, SubmissionStatus


def _cell(f: Field, value):
    if value is None:
        return None
    if f.type in NUMERIC_TYPES:
        return Decimal(value)
    if f.type == CHOICE:
        return "; ".join(f.choice_label(v) for v in (value if isinstance(value, list) else [value]))
    if f.type == YESNO:
        return _("yes") if value else _("no")
    if f.type == DATE:
        return value
    return str(value)


def _header(f: Field) -> str:
    return f.label


def _rows(campaign: Campaign, copies: QuerySet | None):
    copies = copies if copies is not None else SubmissionCopy.objects.filter(campaign=campaign)
    return (copies.order_by("municipality__name")
            .values_list("municipality__name", "municipality__oktmo", "status", "submitted_at", "values")
            .iterator(chunk_size=500))


def _status_label(status: str) -> str:
    return str(SubmissionStatus(status).label)


def campaign_table_rows(campaign: Campaign, copies: QuerySet | None = None) -> Iterator[list]:
    """The header, then one row per municipality asked (values only once submitted)."""
    fields = [f for f in campaign.version.parsed.fields if f.type != TABLE]
    yield [_("Municipality"), _("OKTMO"), _("Status"), _("Submitted"), *(_header(f) for f in fields)]
    for name, oktmo, status, submitted_at, values in _rows(campaign, copies):
        delivered = status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
        yield [name, oktmo, _status_label(status), submitted_at.strftime("%d.%m.%Y") if submitted_at else "",
               *(_cell(f, values.get(f.code)) if delivered else None for f in fields)]


def campaign_csv(campaign: Campaign, copies: QuerySet | None = None) -> Iterator[str]:
    """The comparison table as CSV lines (``;``-separated, UTF-8 with a byte-order mark for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    for row in campaign_table_rows(campaign, copies):
        writer.writerow(spreadsheet_row(row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def campaign_xlsx(campaign: Campaign, copies: QuerySet | None = None):
    """The workbook in a temporary file (rewound; the caller streams and closes it)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    main = workbook.create_sheet(_("Answers")[:31])
    for row in campaign_table_rows(campaign, copies):
        main.append(spreadsheet_row(row))
    for number, f in enumerate((f for f in campaign.version.parsed.fields if f.type == TABLE), start=1):
        sheet = workbook.create_sheet(f"{number}. {f.label}"[:31].replace("/", " ").replace(":", " "))
        sheet.append(spreadsheet_row([_("Municipality"), *(column.label for column in f.columns)]))
        for name, _oktmo, status, _submitted, values in _rows(campaign, copies):
            if status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED):
                continue
            for line in values.get(f.code) or []:
                sheet.append(spreadsheet_row([name, *(_cell(column, line.get(column.code)) for column in f.columns)]))
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (the caller streams it and closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle
