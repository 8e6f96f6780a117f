"""A campaign's exports: one row per municipality and one column per field with Russian headers, table
fields on their own sheets, numbers as numbers, and no text cell that a spreadsheet would run as a
formula; the back office's fill page saves, submits and shows what the committee returned."""

from __future__ import annotations

from django.utils import translation
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from gorodok_services.reporting import exports, services
from gorodok_services.reporting.submissions.models import Submission
from tests.conftest import login
from tests.test_services.reporting_common import fill_and_submit, open_campaign

HOSTILE = {"spent": "1500.25", "note": "=HYPERLINK(\"http://evil\",\"x\")",
           "items": [{"item": "+cmd|' /C calc'!A0", "amount": "1500.25"}]}


def test_xlsx_and_csv_neutralise_formulas_and_keep_numbers(alpha, beta):
    campaign = open_campaign([alpha, beta])
    fill_and_submit(alpha, campaign, HOSTILE)
    with translation.override("ru"):
        handle = exports.campaign_xlsx(campaign)
        csv_text = "".join(exports.campaign_csv(campaign))
    workbook = load_workbook(handle)
    answers, items = workbook.worksheets
    header = [cell.value for cell in answers[1]]
    assert header[:3] == ["Муниципальное образование", "ОКТМО", "Состояние"] and "Потрачено, руб." in header
    rows = {row[0].value: row for row in answers.iter_rows(min_row=2)}
    alpha_row = rows[alpha.municipality.name]
    assert alpha_row[header.index("Потрачено, руб.")].value == 1500.25  # a number cell, not text
    assert alpha_row[header.index("Примечание")].value.startswith("'=")
    assert rows[beta.municipality.name][2].value == "Не начат"
    (line,) = list(items.iter_rows(min_row=2, values_only=True))
    assert line[0] == alpha.municipality.name and line[1].startswith("'+")
    assert csv_text.startswith("\ufeff") and "'=HYPERLINK" in csv_text and "\n=" not in csv_text


def test_the_back_office_fills_submits_and_shows_a_return(client, alpha, regional_admin):
    campaign = open_campaign([alpha])
    login(client, alpha.host, alpha.admin_email)
    url = f"/admin/reporting_submissions/submission/fill/{campaign.pk}/"
    page = client.get(url, HTTP_HOST=alpha.host)
    assert page.status_code == 200 and "Потрачено, руб." in page.content.decode()
    response = client.post(url, {"spent": "10.001", "_save": "1"}, HTTP_HOST=alpha.host)
    assert response.status_code == 200 and "no fraction of a kopeck" in response.content.decode()
    response = client.post(url, {"spent": "10.50", "items": "связь; 10.50", "_submit": "1"}, HTTP_HOST=alpha.host)
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        submission = Submission.objects.get()
        assert submission.status == "submitted" and submission.values["items"] == [{"item": "связь", "amount": "10.50"}]
    services.submission_return(campaign=campaign, municipality=alpha.municipality, comment="Разбейте по статьям",
                               actor=regional_admin)
    listing = client.get("/admin/reporting_submissions/submission/", HTTP_HOST=alpha.host).content.decode()
    assert "Разбейте по статьям" in listing
    page = client.get(url, HTTP_HOST=alpha.host).content.decode()
    assert "Разбейте по статьям" in page and "_submit" in page
    services.campaign_close(campaign=campaign)
    page = client.get(url, HTTP_HOST=alpha.host).content.decode()
    assert 'id="read-only"' in page and "_submit" not in page
