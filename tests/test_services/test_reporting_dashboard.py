"""Reports on the first pages: a municipality's back office lists the reports the committee asks of it
(deadline, status, a link to each form; overdue and returned ones marked), never another municipality's;
the regional console shows each open campaign's progress (submitted of asked) with a link to its figures."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gorodok_services.reporting.models import Campaign
from gorodok_services.reporting.services import submission_return
from tests.conftest import login
from tests.support.appeals import staff
from tests.test_services.reporting_common import fill_and_submit, open_campaign


def first_page(client, host: str) -> str:
    response = client.get("/admin/", HTTP_HOST=host)
    assert response.status_code == 200
    return response.content.decode()


def test_the_back_office_first_page_lists_the_reports_asked(client, alpha, beta):
    due = open_campaign([alpha], code="due", deadline=timezone.localdate() + timedelta(days=3))
    late = open_campaign([alpha], code="late")
    Campaign.objects.filter(pk=late.pk).update(title="Просроченный отчёт",
                                               deadline=timezone.localdate() - timedelta(days=2))
    returned = open_campaign([alpha, beta], code="returned")
    Campaign.objects.filter(pk=returned.pk).update(title="Возвращённый отчёт")
    fill_and_submit(alpha, returned, {"spent": "5"})
    submission_return(campaign=returned, municipality=alpha.municipality, comment="Исправьте")
    email = staff(alpha, "reporter-dash@alpha.example.ru", "reporter")
    login(client, alpha.host, email)
    page = first_page(client, alpha.host)
    assert "Reports to the committee" in page
    assert f"/admin/reporting_submissions/submission/fill/{due.pk}/" in page
    assert f"due {due.deadline:%d.%m.%Y}" in page and "Просроченный отчёт: overdue since" in page
    assert "Возвращённый отчёт" in page and "Returned" in page
    assert page.index("Просроченный отчёт") < page.index("Проверка")  # the most urgent first
    # Beta is asked only for the returned one, and sees nothing of alpha's.
    other = staff(beta, "reporter-dash@beta.example.ru", "reporter")
    client.logout()
    login(client, beta.host, other)
    page = first_page(client, beta.host)
    assert "Возвращённый отчёт" in page and f"fill/{due.pk}/" not in page and "Просроченный отчёт" not in page
    assert "Returned" not in page  # beta's report is not started


def test_people_without_reports_see_no_panel_and_nothing_asked_is_said(client, alpha):
    officer = staff(alpha, "officer-dash@alpha.example.ru", "appeals_officer")
    login(client, alpha.host, officer)
    assert "Reports to the committee" not in first_page(client, alpha.host)
    client.logout()
    login(client, alpha.host, alpha.admin_email)
    page = first_page(client, alpha.host)
    assert "Reports to the committee" in page and "No report is asked of the municipality now." in page


def test_the_console_first_page_shows_campaign_progress(client, alpha, beta, regional_admin, region_host):
    campaign = open_campaign([alpha, beta])
    fill_and_submit(alpha, campaign, {"spent": "5"})
    login(client, region_host, regional_admin.email)
    page = first_page(client, region_host)
    assert "Report campaigns" in page and "1 / 2" in page
    assert f"/admin/reporting/campaign/{campaign.pk}/figures/" in page
    assert "Report campaigns: submitted and not yet" in page  # the chart, its numbers beside it


def test_the_console_panel_costs_the_same_queries_for_more_campaigns(client, alpha, regional_admin, region_host):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    open_campaign([alpha], code="one")
    login(client, region_host, regional_admin.email)
    first_page(client, region_host)
    counts = []
    for n in range(2):
        with CaptureQueriesContext(connection) as captured:
            first_page(client, region_host)
        counts.append(len(captured))
        for m in range(3):
            open_campaign([alpha], code=f"more-{n}-{m}")
    assert counts[0] == counts[1]
