"""The differences report of a closed stock-taking: an XLSX workbook (openpyxl write-only) with the
summary, the differences and what was done about them, and every object checked. Cells that would be
formulas are neutralised (``core.spreadsheets``)."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _

from gorodok_services.assets.stocktaking.models import Campaign, Mark, Outcome
from gorodok_services.core.spreadsheets import spreadsheet_row


def differences_xlsx(campaign: Campaign) -> bytes:
    from openpyxl import Workbook

    from gorodok_services.assets.stocktaking.services import campaign_counts

    with translation.override("ru"):
        workbook = Workbook(write_only=True)
        summary = workbook.create_sheet(_("Stock-taking totals"))
        counts = campaign_counts(campaign)
        summary.append(spreadsheet_row([_("Stock-taking"), campaign.name]))
        summary.append(spreadsheet_row([_("Dates"), f"{campaign.starts_on:%d.%m.%Y} — {campaign.ends_on:%d.%m.%Y}"]))
        summary.append(spreadsheet_row([_("Closed on"),
                                        campaign.closed_on.strftime("%d.%m.%Y") if campaign.closed_on else ""]))
        summary.append(spreadsheet_row([_("Commission"), campaign.commission]))
        summary.append([])
        summary.append([_("objects checked"), counts["total"]])
        for mark in Mark:
            summary.append([str(mark.label), counts[mark.value]])
        headers = [_("register number"), _("inventory number"), _("name"), _("address"), _("right holder"),
                   _("balance value, roubles"), _("mark"), _("where it was found"), _("note"), _("outcome")]
        differences = workbook.create_sheet(_("Differences"))
        differences.append(headers)
        everything = workbook.create_sheet(_("All objects"))
        everything.append(headers)
        for item in campaign.items.order_by("register_number", "pk").iterator(chunk_size=2000):
            row = spreadsheet_row([
                item.register_number, item.inventory_number, item.name, item.address, item.holder_name,
                item.balance_value, str(Mark(item.mark).label) if item.mark else "", item.place, item.note,
                item.outcome_note or (str(Outcome(item.outcome).label) if item.outcome else "")])
            everything.append(row)
            if item.mark and item.mark != Mark.FOUND:
                differences.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
