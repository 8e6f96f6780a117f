"""The appeals summary as files: an Excel workbook and a CSV that Excel opens as is.

Both are built from the same labelled rows (``statistics_rows``), so they always agree. Labels are
translatable, in the "appeals statistics" context so that short words ("Summary", "Kind") do not pick
up Django's own translations meant for other screens; Russian, the municipality's language, is the
default language.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import pgettext_lazy

from gorodok_services.appeals.models import AppealForm, AppealKind, Channel, QuestionResult
from gorodok_services.appeals.statistics import AppealStatistics
from gorodok_services.core.spreadsheets import spreadsheet_row

SUMMARY_LABELS = {
    "appeals": pgettext_lazy("appeals statistics", "Appeals received"),
    "repeated": pgettext_lazy("appeals statistics", "Repeated appeals"),
    "collective": pgettext_lazy("appeals statistics", "Collective appeals"),
    "under_control": pgettext_lazy("appeals statistics", "Taken under control"),
    "information_requests": pgettext_lazy("appeals statistics", "Information requests (8-FZ)"),
    "platform_messages": pgettext_lazy("appeals statistics", "Feedback platform messages"),
    "questions": pgettext_lazy("appeals statistics", "Questions in the appeals"),
    "considered_on_site": pgettext_lazy("appeals statistics", "Considered on site"),
    "considered_late": pgettext_lazy("appeals statistics", "Considered late"),
    "under_consideration": pgettext_lazy("appeals statistics", "Still under consideration at the end of the period"),
    "personal_receptions": pgettext_lazy("appeals statistics", "Personal receptions"),
    "unclear_notices": pgettext_lazy("appeals statistics", "Authors told the appeal is unclear"),
    "unclear_notices_late": pgettext_lazy("appeals statistics", "Of them, told late"),
    "awaiting_clarification": pgettext_lazy("appeals statistics", "Awaiting the author's clarification"),
}
SECTION_LABELS = {
    "summary": pgettext_lazy("appeals statistics", "Summary"),
    "form": pgettext_lazy("appeals statistics", "Form"),
    "channel": pgettext_lazy("appeals statistics", "Source"),
    "kind": pgettext_lazy("appeals statistics", "Kind"),
    "result": pgettext_lazy("appeals statistics", "Results"),
    "section": pgettext_lazy("appeals statistics", "Sections"),
    "theme": pgettext_lazy("appeals statistics", "Themes"),
}
HEADERS = {
    "title": pgettext_lazy("appeals statistics", "Summary of citizens' appeals"),
    "municipality": pgettext_lazy("appeals statistics", "Municipality"),
    "period": pgettext_lazy("appeals statistics", "Period"),
    "timezone": pgettext_lazy("appeals statistics", "Time zone"),
    "section": pgettext_lazy("appeals statistics", "Section"),
    "indicator": pgettext_lazy("appeals statistics", "Indicator"),
    "value": pgettext_lazy("appeals statistics", "Value"),
    "code": pgettext_lazy("appeals statistics", "Code"),
    "title_column": pgettext_lazy("appeals statistics", "Title"),
    "questions": pgettext_lazy("appeals statistics", "Questions"),
}
CHOICES = {"form": AppealForm, "channel": Channel, "kind": AppealKind, "result": QuestionResult}
BREAKDOWNS = {"form": "by_form", "channel": "by_channel", "kind": "by_kind", "result": "by_result"}


def _h(key: str) -> str:
    return str(HEADERS[key])


def _choice_label(section: str, value: str) -> str:
    return str(CHOICES[section](value).label)


def statistics_rows(stats: AppealStatistics) -> list[tuple[str, str, str, int]]:
    """Every figure as (section key, code, label, value), in the order of the report."""
    rows = [("summary", key, str(label), getattr(stats, key)) for key, label in SUMMARY_LABELS.items()]
    for section, attribute in BREAKDOWNS.items():
        rows += [(section, value, _choice_label(section, value), number)
                 for value, number in getattr(stats, attribute).items()]
    for section, breakdown in (("section", stats.by_section), ("theme", stats.by_theme)):
        rows += [(section, row.code, f"{row.code} {row.title}".strip(), row.questions) for row in breakdown]
    return rows


def _period(stats: AppealStatistics) -> str:
    return f"{stats.date_from:%d.%m.%Y} — {stats.date_to:%d.%m.%Y}"


def statistics_csv(stats: AppealStatistics) -> str:
    """``section;indicator;value`` rows, UTF-8 with a byte-order mark so Excel reads the Cyrillic."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(spreadsheet_row([_h("section"), _h("indicator"), _h("value")]))
    for section, _code, label, value in statistics_rows(stats):
        writer.writerow(spreadsheet_row([str(SECTION_LABELS[section]), label, value]))
    return "\ufeff" + buffer.getvalue()


def statistics_xlsx(stats: AppealStatistics) -> bytes:
    """A workbook: the summary sheet, then one sheet per breakdown. Figures are numbers, not text; no
    text cell can be a formula (``spreadsheet_row``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    rows = statistics_rows(stats)
    workbook = Workbook()
    summary = workbook.active
    summary.title = str(SECTION_LABELS["summary"])
    summary.append(spreadsheet_row([_h("title")]))
    summary.append(spreadsheet_row([_h("municipality"), stats.municipality]))
    summary.append(spreadsheet_row([_h("period"), _period(stats)]))
    summary.append(spreadsheet_row([_h("timezone"), stats.timezone]))
    summary.append(spreadsheet_row([]))
    summary.append(spreadsheet_row([_h("indicator"), _h("value")]))
    header_row = summary.max_row
    for _section, _code, label, value in (r for r in rows if r[0] == "summary"):
        summary.append(spreadsheet_row([label, value]))
    summary["A1"].font = bold
    for cell in summary[header_row]:
        cell.font = bold
    summary.column_dimensions["A"].width = 60
    summary.column_dimensions["B"].width = 24

    for section in ("form", "channel", "kind", "result", "section", "theme"):
        sheet = workbook.create_sheet(str(SECTION_LABELS[section])[:31])
        classifier = section in ("section", "theme")
        sheet.append(spreadsheet_row([_h("code"), _h("title_column"), _h("questions")] if classifier
                                     else [_h("indicator"), _h("value")]))
        for cell in sheet[1]:
            cell.font = bold
        if classifier:
            for row in getattr(stats, f"by_{section}"):
                sheet.append(spreadsheet_row([row.code, row.title, row.questions]))
        else:
            for _section, _code, label, value in (r for r in rows if r[0] == section):
                sheet.append(spreadsheet_row([label, value]))
        sheet.column_dimensions["A"].width = 16 if classifier else 50
        sheet.column_dimensions["B"].width = 70 if classifier else 12
        sheet.column_dimensions["C"].width = 12
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
