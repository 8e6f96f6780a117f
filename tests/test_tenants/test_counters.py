"""Console figures are computed in each schema by jobs, fanned out by the scheduler."""

from __future__ import annotations

import dramatiq
import pytest
from django_tenants.utils import schema_context
from dramatiq import Worker

from gorodok_platform.accounts.services import staff_user_create
from gorodok_platform.jobs.scheduler import PeriodicJob, Scheduler, periodic_jobs
from gorodok_tenants.models import Municipality, MunicipalityCounter
from gorodok_tenants.modules import Counter, ModuleInfo, register_module, unregister_module
from gorodok_tenants.modules.counters import municipality_counters_refresh
from tests.conftest import login


def _values(municipality) -> dict[str, int]:
    return dict(MunicipalityCounter.objects.filter(municipality=municipality).values_list("key", "value"))


def test_counters_are_computed_inside_each_schema(alpha, beta):
    with schema_context(beta.schema_name):
        staff_user_create(email="officer@beta.example.ru", password=None, roles=["appeals_officer"])
    municipality_counters_refresh(municipality=alpha.municipality)
    municipality_counters_refresh(municipality=beta.municipality)
    assert _values(alpha.municipality)["core.users"] == 1
    assert _values(beta.municipality)["core.users"] == 2
    municipality_counters_refresh(municipality=beta.municipality)  # idempotent: updated, not duplicated
    assert MunicipalityCounter.objects.filter(municipality=beta.municipality, key="core.users").count() == 1


def test_module_counters_only_for_enabled_modules(alpha, beta):
    from django.db import connection

    register_module(ModuleInfo(code="demo", name="Demo", counters=(
        Counter("schema_len", "schema name length", lambda: len(connection.schema_name)),)))
    try:
        beta.municipality.disabled_modules = ["demo"]
        beta.municipality.save()
        municipality_counters_refresh(municipality=alpha.municipality)
        municipality_counters_refresh(municipality=beta.municipality)
        assert _values(alpha.municipality)["demo.schema_len"] == len(alpha.schema_name)
        assert "demo.schema_len" not in _values(beta.municipality)
    finally:
        unregister_module("demo")


def test_scheduler_sends_each_periodic_job_once_per_interval():
    sent = []

    class FakeActor:
        actor_name = "fake"

        def send_with_options(self, **options):
            sent.append(options)

    now = [100.0]
    scheduler = Scheduler({"fake": PeriodicJob(actor=FakeActor(), seconds=60)}, clock=lambda: now[0])
    assert scheduler.tick() == ["fake"]
    now[0] += 59
    assert scheduler.tick() == []
    now[0] += 1
    assert scheduler.tick() == ["fake"]
    assert [o["tenant_schema"] for o in sent] == ["public", "public"]


def test_counter_refresh_is_a_registered_periodic_job():
    import gorodok_tenants.actors  # noqa: F401

    jobs = periodic_jobs()
    assert "refresh_all_counters" in jobs
    assert jobs["refresh_all_counters"].seconds <= 600


@pytest.fixture
def stub_worker():
    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    yield broker
    worker.stop()
    broker.flush_all()


def test_fan_out_refreshes_every_municipality_through_the_broker(municipalities, stub_worker, django_db_blocker):
    """End to end on the in-process broker: the worker's own connection sees committed data."""
    from gorodok_tenants.actors import refresh_all_counters

    with django_db_blocker.unblock():
        MunicipalityCounter.objects.filter(municipality__slug__in=["alpha", "beta"]).delete()
        try:
            refresh_all_counters.send_with_options(tenant_schema="public")
            stub_worker.join("fanout", timeout=20_000)
            for item in municipalities.values():
                assert _values(Municipality.objects.get(pk=item.municipality.pk))["core.users"] >= 1
        finally:
            MunicipalityCounter.objects.filter(municipality__slug__in=["alpha", "beta"]).delete()


def test_staff_activity_is_recorded_at_most_every_few_minutes(client, alpha):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert Municipality.objects.get(pk=alpha.municipality.pk).last_activity_at is None
    login(client, alpha.host, alpha.admin_email)
    client.get("/admin/", HTTP_HOST=alpha.host)
    first = Municipality.objects.get(pk=alpha.municipality.pk).last_activity_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        client.get("/admin/", HTTP_HOST=alpha.host)
    assert not [q for q in queries if "last_activity_at" in q["sql"]]


def test_monthly_figures_are_kept_and_summed_for_the_region(alpha, beta, client, regional_admin, region_host):
    """The committee's chart: appeals received per month, per municipality in public, summed for the region."""
    from datetime import UTC, date, datetime

    from gorodok_services.appeals import services as appeals
    from gorodok_tenants.console.dashboard import region_monthly_chart
    from gorodok_tenants.models import MunicipalityMonthlyFigure
    from gorodok_tenants.modules.counters import month_starts, municipality_monthly_refresh, region_monthly_totals
    from tests.support.appeals import dated_intake

    today = date(2026, 11, 20)
    assert month_starts(today)[0] == date(2025, 12, 1) and month_starts(today)[-1] == date(2026, 11, 1)
    MunicipalityMonthlyFigure.objects.filter(municipality__in=[alpha.municipality, beta.municipality]).delete()
    def receive(day):
        appeals.appeal_receive(data=dated_intake(received_at=datetime(day.year, day.month, day.day, 5, tzinfo=UTC),
                                                 external_number=f"POS-{day.isoformat()}"))

    with schema_context(alpha.schema_name):
        for day in (date(2026, 10, 5), date(2026, 11, 2), date(2026, 11, 3)):
            receive(day)
    with schema_context(beta.schema_name):
        receive(date(2026, 11, 10))
    first = municipality_monthly_refresh(municipality=alpha.municipality, today=today)
    assert first == 24  # two figures for twelve months, the first time
    assert municipality_monthly_refresh(municipality=alpha.municipality, today=today) == 4  # then the last two
    municipality_monthly_refresh(municipality=beta.municipality, today=today)
    figures = dict(MunicipalityMonthlyFigure.objects.filter(municipality=alpha.municipality,
                                                             key="appeals.received").values_list("month", "value"))
    assert figures[date(2026, 10, 1)] == 1 and figures[date(2026, 11, 1)] == 2
    months, totals = region_monthly_totals(today)
    ours = dict(zip(months, totals["appeals.received"], strict=True))
    assert ours[date(2026, 11, 1)] >= 3 and ours[date(2026, 10, 1)] >= 1
    chart = region_monthly_chart()
    assert chart.kind == "line" and len(chart.labels) == 12 and chart.series
    login(client, region_host, regional_admin.email)
    page = client.get("/admin/", HTTP_HOST=region_host).content.decode()
    assert "appeals received in the period" in page or "обращений" in page


def test_the_console_names_each_modules_late_work(alpha, client, regional_admin, region_host):
    from django.test import Client

    for key, value in (("appeals.overdue", 3), ("reporting.overdue", 2)):
        MunicipalityCounter.objects.update_or_create(municipality=alpha.municipality, key=key,
                                                     defaults={"value": value})
    russian = Client(HTTP_ACCEPT_LANGUAGE="ru")
    login(russian, region_host, regional_admin.email)
    page = russian.get("/admin/", HTTP_HOST=region_host).content.decode()
    assert "— 3" in page and "отчёты просрочены — 2" in page
