"""The region-wide appeals summary: each municipality's figures come from its own schema through the
appeals module's report sources, agree with the municipality's own report, add up to the region's
total, and are produced at once for a small region or by a job with its progress for a large one;
the console shows and streams them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import dramatiq
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from gorodok_services.appeals import services as appeal_services
from gorodok_services.appeals.models import AppealForm, AppealKind, Channel, QuestionResult
from gorodok_services.appeals.module import CHANNELS, FORMS, KINDS, RESULTS
from gorodok_services.appeals.services import QuestionInput
from gorodok_services.appeals.statistics import appeal_statistics
from gorodok_services.reporting import error_codes
from gorodok_services.reporting.models import AppealsSummary, SummaryStatus
from gorodok_services.reporting.summaries import appeals_summary_request, summary_rows, summary_total
from gorodok_tenants.modules.report_sources import report_source_compute_many
from tests.support.appeals import LARGE_FAMILIES, ROAD, receive, register
from tests.test_services.test_sweep import deliver_queued

TODAY = timezone.localdate()


def period():
    return {"date_from": TODAY - timedelta(days=1), "date_to": TODAY + timedelta(days=1)}


def make_appeals(alpha, beta):
    """alpha: two registered feedback-platform appeals (one answered: explained + supported; one open) and
    one personal reception not registered yet (a complaint, two questions); beta: one collective post
    appeal, answered (the default result: answer given)."""
    first = register(alpha, receive(alpha, external_number="SUM-1", questions=[
        QuestionInput(ROAD, "дорога"), QuestionInput(LARGE_FAMILIES, "многодетные")])).appeal
    register(alpha, receive(alpha, external_number="SUM-2"))
    receive(alpha, channel="personal_reception", external_number=None, kind="complaint", questions=[
        QuestionInput(ROAD, "дорога"), QuestionInput(ROAD, "снег")])
    with schema_context(alpha.schema_name):
        appeal_services.appeal_answer(appeal=first, answer_text="Отремонтируем.",
                                      results={1: QuestionResult.EXPLAINED, 2: QuestionResult.SUPPORTED})
    answered = register(beta, receive(beta, channel="post", external_number=None, is_collective=True)).appeal
    with schema_context(beta.schema_name):
        appeal_services.appeal_answer(appeal=answered, answer_text="Ответ.")


def figures(summary: AppealsSummary, tenant) -> dict[str, int]:
    row = next(r for r in summary.rows if r["schema"] == tenant.schema_name)
    return dict(zip(summary.columns, row["values"], strict=True))


def test_the_layout_follows_the_models_choices():
    assert [v for v, _l in FORMS] == AppealForm.values
    assert [v for v, _l in CHANNELS] == Channel.values
    assert {v for v, _l in KINDS} == set(AppealKind.values) - {"information_request", "platform_message"}
    assert [v for v, _l in RESULTS] == QuestionResult.values


def test_each_municipalitys_figures_come_from_its_schema_and_add_up(alpha, beta):
    make_appeals(alpha, beta)
    summary = appeals_summary_request(**period())
    assert summary.status == SummaryStatus.DONE and summary.done == summary.total >= 2
    a, b = figures(summary, alpha), figures(summary, beta)
    # By hand: what make_appeals did.
    assert (a["appeals.received"], a["appeals.questions"], a["appeals.open_at_end"]) == (3, 5, 2)
    assert (a["appeals.channel_feedback_platform"], a["appeals.channel_personal_reception"],
            a["appeals.personal_receptions"]) == (2, 1, 1)
    assert (a["appeals.kind_complaint"], a["appeals.result_explained"], a["appeals.result_supported"],
            a["appeals.considered_on_time"], a["appeals.considered_late"]) == (1, 1, 1, 1, 0)
    assert (a["appeals.section_0003"], a["appeals.section_0002"], a["appeals.section_0001"]) == (4, 1, 0)
    assert (b["appeals.received"], b["appeals.collective"], b["appeals.channel_post"], b["appeals.result_answer_given"],
            b["appeals.considered_on_time"], b["appeals.open_at_end"]) == (1, 1, 1, 1, 1, 0)
    # The same figures as each municipality's own report of the period.
    for tenant, mine in ((alpha, a), (beta, b)):
        with schema_context(tenant.schema_name):
            own = appeal_statistics(**period())
        assert mine["appeals.received"] == own.appeals and mine["appeals.questions"] == own.questions
        assert mine["appeals.open_at_end"] == own.under_consideration
        assert mine["appeals.considered_late"] == own.considered_late
        assert {k: mine[f"appeals.form_{k}"] for k in own.by_form} == own.by_form
        assert {k: mine[f"appeals.channel_{k}"] for k in own.by_channel} == own.by_channel
        assert {k: mine[f"appeals.kind_{k}"] for k in own.by_kind} == own.by_kind
        assert {k: mine[f"appeals.result_{k}"] for k in own.by_result} == own.by_result
        assert {r.code: mine[f"appeals.section_{r.code}"] for r in own.by_section} == {
            r.code: r.questions for r in own.by_section}
    # The region's total is the sum of every row, for the whole region and for a selection.
    total = summary_total(summary.columns, summary.rows)
    assert total == [sum(r["values"][i] for r in summary.rows) for i in range(len(summary.columns))]
    both = summary_total(summary.columns, summary_rows(summary, [alpha.schema_name, beta.schema_name]))
    assert both[summary.columns.index("appeals.received")] == 4


def test_the_files_carry_a_row_per_municipality_and_the_total(alpha, beta):
    make_appeals(alpha, beta)
    summary = appeals_summary_request(**period())
    sheet = load_workbook(summary.xlsx.open("rb"), read_only=True).worksheets[0]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = cells[3]
    assert header[0] == "Муниципальное образование" and "Обращений поступило за период" in header
    by_name = {row[0]: row for row in cells[4:]}
    received = header.index("Обращений поступило за период")
    assert by_name[alpha.municipality.name][received] == 3 and by_name["Итого по региону"][received] == sum(
        r["values"][0] for r in summary.rows)
    lines = list(csv.reader(io.StringIO(summary.csv.open("rb").read().decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == header[:len(lines[0])] and lines[-1][0] == "Итого по региону"
    assert len(lines) == len(summary.rows) + 2


def test_a_large_region_is_summed_by_a_job_with_progress(alpha, beta, settings, django_capture_on_commit_callbacks):
    settings.REPORTING_SUMMARY_SYNC_MUNICIPALITIES = 1
    make_appeals(alpha, beta)
    with django_capture_on_commit_callbacks(execute=True):
        summary = appeals_summary_request(**period())
    assert (summary.status, summary.done, summary.xlsx.name) == (SummaryStatus.PENDING, 0, "")
    assert deliver_queued(dramatiq.get_broker()) == 1
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.DONE and summary.done == summary.total and summary.percent == 100
    assert figures(summary, alpha)["appeals.received"] == 3
    # A repeated message leaves a finished summary as it is.
    from gorodok_services.reporting.actors import build_appeals_summary

    build_appeals_summary.fn(summary.pk)
    assert AppealsSummary.objects.get(pk=summary.pk).finished_at == summary.finished_at


def test_one_municipalitys_summary_costs_two_queries_whatever_its_size(alpha):
    from gorodok_services.reporting.summaries import summary_columns

    keys = [key for key, _label in summary_columns()]

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            report_source_compute_many(municipality=alpha.municipality, keys=keys, **period())
        return len([q for q in queries.captured_queries if not q["sql"].startswith("SET search_path")])

    empty = cost()
    for n in range(6):
        register(alpha, receive(alpha, external_number=f"COST-{n}"))
    assert cost() == empty <= 3


@pytest.mark.parametrize("days", [(-1, -3), (0, 400)])
def test_a_bad_period_is_a_typed_error(db, days):
    with pytest.raises(ValidationError) as caught:
        appeals_summary_request(date_from=TODAY + timedelta(days=days[0]), date_to=TODAY + timedelta(days=days[1]))
    assert {e.code for e in caught.value.error_dict["date_to"]} == {error_codes.INVALID_PERIOD}
    assert not AppealsSummary.objects.exists()


def test_the_console_makes_shows_and_streams_the_summary(client, alpha, beta, regional_admin, region_host):
    from tests.conftest import login

    make_appeals(alpha, beta)
    login(client, region_host, regional_admin.email)
    form = client.get("/admin/reporting/appealssummary/add/", HTTP_HOST=region_host)
    assert form.status_code == 200
    made = client.post("/admin/reporting/appealssummary/add/", {
        "period_start": (TODAY - timedelta(days=1)).isoformat(), "period_end": (TODAY + timedelta(days=1)).isoformat()},
        HTTP_HOST=region_host)
    assert made.status_code == 302, made.content[:2000]
    summary = AppealsSummary.objects.get()
    page = client.get(made["Location"], HTTP_HOST=region_host)
    assert page.status_code == 200 and alpha.municipality.name in page.content.decode()
    listing = client.get("/admin/reporting/appealssummary/", HTTP_HOST=region_host)
    assert listing.status_code == 200
    download = client.get(f"/admin/reporting/appealssummary/{summary.pk}/file.csv", HTTP_HOST=region_host)
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert alpha.municipality.name in text
    missing = client.get(f"/admin/reporting/appealssummary/{summary.pk + 1}/file.csv", HTTP_HOST=region_host)
    assert missing.status_code == 404
    # A municipality's back office has no such page, whatever the ID.
    office = type(client)(HTTP_ACCEPT_LANGUAGE="en")
    login(office, alpha.host, alpha.admin_email)
    for url in (f"/admin/reporting/appealssummary/{summary.pk}/change/",
                f"/admin/reporting/appealssummary/{summary.pk}/file.csv"):
        assert office.get(url, HTTP_HOST=alpha.host).status_code == 404
    bad = client.post("/admin/reporting/appealssummary/add/",
                      {"period_start": "2026-05-01", "period_end": "2026-04-01"}, HTTP_HOST=region_host)
    assert bad.status_code == 200 and AppealsSummary.objects.count() == 1


def test_the_console_extends_an_open_campaign(client, alpha, regional_admin, region_host):
    from gorodok_services.reporting.models import Campaign
    from tests.conftest import login
    from tests.test_services.reporting_common import open_campaign

    campaign = open_campaign([alpha])
    login(client, region_host, regional_admin.email)
    listing = client.get("/admin/reporting/campaign/", HTTP_HOST=region_host).content.decode()
    assert f"/admin/reporting/campaign/{campaign.pk}/extend/" in listing
    url = f"/admin/reporting/campaign/{campaign.pk}/extend/"
    assert client.get(url, HTTP_HOST=region_host).status_code == 200
    refused = client.post(url, {"deadline": (campaign.deadline - timedelta(days=1)).isoformat()}, HTTP_HOST=region_host)
    assert refused.status_code == 200 and Campaign.objects.get(pk=campaign.pk).deadline == campaign.deadline
    later = campaign.deadline + timedelta(days=5)
    done = client.post(url, {"deadline": later.isoformat()}, HTTP_HOST=region_host)
    assert done.status_code == 302 and Campaign.objects.get(pk=campaign.pk).deadline == later
    assert client.get("/admin/reporting/campaign/999999/extend/", HTTP_HOST=region_host).status_code == 404


def test_an_analyst_may_not_extend(client, alpha, region_host):
    from gorodok_platform.accounts.services import staff_user_create
    from tests.conftest import ADMIN_PASSWORD, login
    from tests.test_services.reporting_common import open_campaign

    campaign = open_campaign([alpha])
    with schema_context("public"):
        staff_user_create(email="analyst-ext@region.example.ru", password=ADMIN_PASSWORD, roles=["regional_analyst"])
    login(client, region_host, "analyst-ext@region.example.ru")
    url = f"/admin/reporting/campaign/{campaign.pk}/extend/"
    assert client.post(url, {"deadline": "2099-01-01"}, HTTP_HOST=region_host).status_code == 403


def test_a_municipality_that_fails_fails_the_summary_visibly_not_the_request(alpha, client, regional_admin,
                                                                             region_host):
    from tests.conftest import login
    from tests.test_services.reporting_common import schemaless_municipalities

    schemaless_municipalities(1, prefix="broken")  # a municipality whose schema is missing
    summary = appeals_summary_request(**period())
    assert summary.status == SummaryStatus.FAILED and "broken-0000 (broken_0000)" in summary.error and not summary.xlsx
    login(client, region_host, regional_admin.email)
    page = client.get(f"/admin/reporting/appealssummary/{summary.pk}/change/", HTTP_HOST=region_host)
    assert page.status_code == 200 and "errornote" in page.content.decode()
    assert client.get(f"/admin/reporting/appealssummary/{summary.pk}/file.xlsx",
                      HTTP_HOST=region_host).status_code == 404
