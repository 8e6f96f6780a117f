"""The first pages of both sites, the module dashboard hook and the appeals statistics page."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create
from gorodok_platform.modules import DashboardPanel
from gorodok_services.appeals import services
from gorodok_services.appeals.models import Appeal
from gorodok_services.appeals.module import MODULE
from tests.conftest import ADMIN_PASSWORD, login
from tests.support.appeals import dated_intake as intake


def _office(alpha, email=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    login(client, alpha.host, email or alpha.admin_email)
    return client


def test_the_first_page_counts_the_queues_with_links(alpha, db):
    with schema_context(alpha.schema_name):
        appeal, _ = services.appeal_receive(data=intake(external_number="WP-1"))
        services.appeal_register(appeal=appeal)
        unassigned = Appeal.objects.filter(executor__isnull=True, status__in=("received", "registered")).count()
    page = _office(alpha).get("/admin/", HTTP_HOST=alpha.host).content.decode()
    assert 'href="/admin/appeals/appeal/?queue=unassigned"' in page
    assert "Не назначены" in page and f'<span class="gorodok-count">{unassigned}</span>' in page
    assert page.count('<canvas class="chart"') == 2  # by month, by section; each with its table
    assert page.count('class="gorodok-chart-table"') == 2
    assert 'href="/admin/appeals/appeal/statistics/"' in page


def test_the_dashboard_is_declared_in_the_registry():
    assert MODULE.dashboard == "gorodok_services.appeals.dashboard.appeals_today"


def test_a_failing_module_dashboard_leaves_the_first_page_open(alpha, db, monkeypatch):
    from gorodok_services.appeals import dashboard

    def broken(request) -> DashboardPanel:
        raise RuntimeError("broken module")

    monkeypatch.setattr(dashboard, "appeals_today", broken)
    response = _office(alpha).get("/admin/", HTTP_HOST=alpha.host)
    page = response.content.decode()
    # The appeals panel (its queues) is left out; the other modules' panels stay.
    assert response.status_code == 200 and "?queue=mine" not in page and "Отчёты в комитет" in page


def test_the_statistics_page_and_its_downloads(alpha, db):
    with schema_context(alpha.schema_name):
        appeal, _ = services.appeal_receive(data=intake(external_number="WP-2"))
        services.appeal_register(appeal=appeal)
        received = Appeal.objects.count()
    today = timezone.localdate()
    start, end = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat()
    office = _office(alpha)
    page = office.get("/admin/appeals/appeal/statistics/", {"date_from": start, "date_to": end}, HTTP_HOST=alpha.host)
    assert page.status_code == 200 and "Поступило обращений" in page.content.decode()
    csv = office.get("/admin/appeals/appeal/statistics/", {"date_from": start, "date_to": end, "download": "csv"},
                     HTTP_HOST=alpha.host)
    assert csv["Content-Type"].startswith("text/csv") and csv.content.startswith("\ufeff".encode())
    assert f"Поступило обращений;{received}" in csv.content.decode("utf-8-sig")
    xlsx = office.get("/admin/appeals/appeal/statistics/", {"date_from": start, "date_to": end, "download": "xlsx"},
                      HTTP_HOST=alpha.host)
    assert xlsx.content[:2] == b"PK" and "attachment" in xlsx["Content-Disposition"]
    bad = office.get("/admin/appeals/appeal/statistics/", {"date_from": start, "date_to": "2000-01-01",
                                                           "download": "csv"}, HTTP_HOST=alpha.host)
    assert bad.status_code == 200 and bad["Content-Type"].startswith("text/html")  # the form's error, no file


def test_statistics_follow_the_rule_table(alpha, db):
    with schema_context(alpha.schema_name):
        staff_user_create(email="nobody@alpha.example.ru", password=ADMIN_PASSWORD, roles=[])
        staff_user_create(email="viewer@alpha.example.ru", password=ADMIN_PASSWORD, roles=[Role.VIEWER])
    assert _office(alpha, "viewer@alpha.example.ru").get(
        "/admin/appeals/appeal/statistics/", HTTP_HOST=alpha.host).status_code == 200
    assert _office(alpha, "nobody@alpha.example.ru").get(
        "/admin/appeals/appeal/statistics/", HTTP_HOST=alpha.host).status_code == 403


def test_the_console_names_the_municipalities_needing_attention(alpha, beta, regional_admin, region_host, db):
    from gorodok_tenants.models import Municipality, MunicipalityStatus

    Municipality.objects.filter(pk=beta.municipality.pk).update(status=MunicipalityStatus.SUSPENDED)
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    login(client, region_host, regional_admin.email)
    page = client.get("/admin/", HTTP_HOST=region_host).content.decode()
    attention = page[page.index('id="attention"'):page.index("</section>", page.index('id="attention"'))]
    rows = dict(re.findall(r'<li[^>]*><a href="[^"]+">([^<]+)</a>: ([^<]+)</li>', attention))
    assert f"/admin/gorodok_tenants/municipality/{beta.municipality.pk}/change/" in attention
    assert "приостановлен" in rows["Бета"]
    assert "приостановлен" not in rows.get("Альфа", "")  # listed only for what it has (e.g. failed jobs)
