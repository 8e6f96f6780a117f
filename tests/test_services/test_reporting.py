"""Reporting: templates (typed fields, rules, sources, versions), campaigns, the submission's state
machine and history, the public copies, isolation between municipalities, the region-wide figures
against hand-computed values, reminders and overdue notices sent once, indicators and the demo."""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.integrations.models import OutboxEvent
from gorodok_services.reporting import error_codes, services
from gorodok_services.reporting.deadlines import reporting_deadlines
from gorodok_services.reporting.definition import parse_definition
from gorodok_services.reporting.figures import campaign_aggregates, comparison_table
from gorodok_services.reporting.indicators import indicators_refresh
from gorodok_services.reporting.models import Campaign, Indicator, SubmissionCopy, TemplateVersion
from gorodok_services.reporting.selectors import campaign_progress, municipality_campaigns
from gorodok_services.reporting.submissions.models import Submission, SubmissionEvent
from tests.test_services.reporting_common import (
    DEFINITION,
    fill_and_submit,
    open_campaign,
    published,
    schemaless_municipalities,
)

VALID = {"spent": "1000.50", "planned": "900", "staff": 3, "share": "12.5", "topic": "housing", "ok": True,
         "since": "2025-02-01", "note": "=HYPERLINK(\"x\")", "items": [{"item": "связь", "amount": "1000.50"}]}


def codes(exc: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in exc.error_dict.items()}


# --- templates ------------------------------------------------------------------------------------------------

def test_a_cycle_in_the_rules_is_refused():
    definition = copy.deepcopy(DEFINITION)
    definition["rules"].append({"kind": "sum_equals", "fields": ["planned", "staff"], "total": "spent"})
    with pytest.raises(ValidationError) as caught:
        parse_definition(definition)
    assert caught.value.code == error_codes.RULE_CYCLE


def _field(**overrides) -> dict:
    return {"code": "spent", "type": "money", "label": "Потрачено", **overrides}


def _one_field(**overrides) -> dict:
    return {"sections": [{"title": "Раздел", "fields": [_field(**overrides)]}]}


MALFORMED_DEFINITIONS = {
    "not an object": [],
    "no sections": {"sections": []},
    "a section without a title": {"sections": [{"fields": [_field()]}]},
    "fields not a list": {"sections": [{"title": "Раздел", "fields": 5}]},
    "no fields": {"sections": [{"title": "Раздел", "fields": []}]},
    "a field not an object": {"sections": [{"title": "Раздел", "fields": ["spent"]}]},
    "a code not an identifier": _one_field(code="потрачено всего"),
    "an unknown type": _one_field(type="currency"),
    "no label": _one_field(label="  "),
    "an unknown money unit": _one_field(unit="usd"),
    "bounds on a text": _one_field(type="text", min="1"),
    "a bound not a number": _one_field(min="ноль"),
    "an infinite bound": _one_field(max="Infinity"),
    "a choice without choices": _one_field(type="choice", choices="жкх"),
    "repeated choices": _one_field(type="choice", choices=[{"value": "a", "label": "A"}, {"value": "a", "label": "Б"}]),
    "a table without columns": _one_field(type="table", columns={"item": "text"}),
    "a table inside a table": _one_field(type="table", columns=[_field(type="table", code="inner")]),
    "a text pre-filled": _one_field(type="text", source="appeals.received"),
    "a code used twice": {"sections": [{"title": "Раздел", "fields": [_field(), _field()]}]},
    "rules not a list": {**_one_field(), "rules": {"kind": "not_above"}},
    "an unknown rule": {**_one_field(), "rules": [{"kind": "at_least"}]},
    "a rule naming a missing field": {**_one_field(), "rules": [{"kind": "not_above", "field": "spent",
                                                                 "other": "planned"}]},
    "a rule on a text field": {
        "sections": [{"title": "Раздел", "fields": [_field(), _field(code="note", type="text")]}],
        "rules": [{"kind": "not_above", "field": "note", "other": "spent"}]},
    "a sum of nothing": {**_one_field(), "rules": [{"kind": "sum_equals", "fields": [], "total": "spent"}]},
    "a sum's parts not a list": {**_one_field(), "rules": [{"kind": "sum_equals", "fields": 3, "total": "spent"}]},
}


@pytest.mark.parametrize("definition", MALFORMED_DEFINITIONS.values(), ids=MALFORMED_DEFINITIONS.keys())
def test_a_malformed_template_is_refused_with_a_typed_error_and_nothing_written(definition, db):
    with pytest.raises(ValidationError) as caught:
        services.template_create(code="malformed", title="Неверный", definition=definition)
    assert caught.value.code in (error_codes.INVALID_DEFINITION, error_codes.UNKNOWN_SOURCE)
    assert caught.value.messages and all(message.strip() for message in caught.value.messages)
    assert not TemplateVersion.objects.filter(template__code="malformed").exists()


def test_a_source_no_module_provides_is_refused(db):
    definition = copy.deepcopy(DEFINITION)
    definition["sections"][0]["fields"][4]["source"] = "roads.repaired_km"
    with pytest.raises(ValidationError) as caught:
        services.template_create(code="bad-source", title="x", definition=definition)
    assert caught.value.code == error_codes.UNKNOWN_SOURCE
    assert not TemplateVersion.objects.filter(template__code="bad-source").exists()


def test_a_published_version_never_changes_and_a_new_version_is_a_copy(db):
    version = published()
    with pytest.raises(ValidationError) as caught:
        services.template_version_update(version=version, definition=DEFINITION)
    assert caught.value.code == error_codes.VERSION_PUBLISHED
    version.definition = {"sections": []}
    with pytest.raises(ValidationError):
        version.save()
    second = services.template_version_copy(version=TemplateVersion.objects.get(pk=version.pk))
    assert (second.number, second.published_at, second.definition) == (2, None, DEFINITION)
    services.template_version_update(version=second, definition={**DEFINITION, "rules": []})
    assert TemplateVersion.objects.get(pk=version.pk).definition == DEFINITION


# --- submissions ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "field", "code"), [
    ({"spent": "10.005"}, "spent", error_codes.FRACTION_OF_KOPECK),
    ({"spent": "много"}, "spent", error_codes.INVALID_TYPE),
    ({"staff": "2.5"}, "staff", error_codes.INVALID_TYPE),
    ({"staff": 1001}, "staff", error_codes.OUT_OF_RANGE),
    ({"share": "100.01"}, "share", error_codes.OUT_OF_RANGE),
    ({"ok": "yes"}, "ok", error_codes.INVALID_TYPE),
    ({"topic": "space"}, "topic", error_codes.INVALID_CHOICE),
    ({"since": "31.12.2025"}, "since", error_codes.INVALID_TYPE),
    ({"items": [{"item": "связь"}]}, "items", error_codes.REQUIRED),
    ({"items": [{"item": "связь", "amount": "1.001"}]}, "items", error_codes.FRACTION_OF_KOPECK),
    ({"nope": 1}, "nope", error_codes.UNKNOWN_FIELD),
])
def test_bad_values_are_typed_errors_and_nothing_is_written(alpha, values, field, code):
    campaign = open_campaign([alpha])
    with schema_context(alpha.schema_name):
        submission = services.submission_start(campaign_id=campaign.pk)
        services.submission_save(submission=submission, values={"note": "первая запись"})
        with pytest.raises(ValidationError) as caught:
            services.submission_save(submission=submission, values={"note": "вторая", **values})
        assert code in codes(caught.value)[field]
        submission.refresh_from_db()
        assert submission.values.get("note") == "первая запись"
        assert submission.events.filter(kind=SubmissionEvent.Kind.SAVED).count() == 1


def test_money_is_exact_to_the_kopeck(alpha):
    campaign = open_campaign([alpha])
    submission = fill_and_submit(alpha, campaign, {**VALID, "spent": "671047.1", "planned": "0.01"})
    assert submission.values["spent"] == "671047.10"
    copy_row = SubmissionCopy.objects.get(campaign=campaign, municipality=alpha.municipality)
    assert Decimal(copy_row.values["spent"]) + Decimal(copy_row.values["planned"]) == Decimal("671047.11")


def test_the_full_state_machine_with_history_copies_and_events(alpha, regional_admin):
    campaign = open_campaign([alpha])
    with schema_context(alpha.schema_name):
        submission = services.submission_start(campaign_id=campaign.pk)
        with pytest.raises(ValidationError) as caught:
            services.submission_submit(submission=submission)  # the required "spent" is missing
        assert error_codes.REQUIRED in codes(caught.value)["spent"]
        with pytest.raises(ValidationError) as caught:
            services.submission_save(submission=submission, values={**VALID, "planned": "2000"})
            services.submission_submit(submission=submission)
        assert error_codes.RULE_FAILED in codes(caught.value)["planned"]
        services.submission_save(submission=submission, values={"planned": "900"})
        services.submission_submit(submission=submission)
    copy_row = SubmissionCopy.objects.get(campaign=campaign, municipality=alpha.municipality)
    assert copy_row.status == "submitted" and copy_row.values["spent"] == "1000.50"

    with pytest.raises(ValidationError) as caught:
        services.submission_return(campaign=campaign, municipality=alpha.municipality, comment="  ",
                                   actor=regional_admin)
    assert codes(caught.value)["comment"] == {error_codes.COMMENT_REQUIRED}
    services.submission_return(campaign=campaign, municipality=alpha.municipality,
                               comment="Уточните численность", actor=regional_admin)
    copy_row.refresh_from_db()
    assert (copy_row.status, copy_row.comment) == ("returned", "Уточните численность")
    with schema_context(alpha.schema_name):
        submission.refresh_from_db()
        services.submission_save(submission=submission, values={"staff": 4})
        services.submission_submit(submission=submission)
    services.submission_accept(campaign=campaign, municipality=alpha.municipality, actor=regional_admin)
    with schema_context(alpha.schema_name):
        submission.refresh_from_db()
        assert submission.status == "accepted"
        with pytest.raises(ValidationError) as caught:
            services.submission_save(submission=submission, values={"staff": 5})
        assert caught.value.code == error_codes.READ_ONLY
        kinds = list(submission.events.values_list("kind", flat=True))
        assert kinds == ["started", "saved", "saved", "submitted", "returned", "saved", "resubmitted", "accepted"]
        returned = submission.events.get(kind="returned")
        assert (returned.actor_label, returned.comment) == (regional_admin.email, "Уточните численность")
        assert submission.events.filter(kind="saved").last().changes["staff"] == {"from": "3", "to": "4"}
        events = list(OutboxEvent.objects.order_by("pk").values_list("event_type", flat=True))
        assert events[-4:] == ["report.submitted", "report.returned", "report.submitted", "report.accepted"]
    assert SubmissionCopy.objects.get(pk=copy_row.pk).values["staff"] == "4"
    from gorodok_platform.audit.models import AuditEntry

    audited = list(AuditEntry.objects.filter(tenant_schema=alpha.schema_name, action__startswith="report.")
                   .order_by("pk").values_list("action", "actor_email"))
    assert audited == [("report.returned", regional_admin.email), ("report.accepted", regional_admin.email)]


def test_prefilled_values_are_marked_and_changed_only_with_a_reason(alpha):
    campaign = open_campaign([alpha])
    with schema_context(alpha.schema_name):
        from gorodok_services.appeals.models import Appeal

        Appeal.objects.all().delete()
        submission = services.submission_start(campaign_id=campaign.pk)
        assert submission.prefilled == {"appeals": "0"} and submission.values["appeals"] == "0"
        with pytest.raises(ValidationError) as caught:
            services.submission_save(submission=submission, values={"appeals": 5})
        assert codes(caught.value)["appeals"] == {error_codes.REASON_REQUIRED}
        services.submission_save(submission=submission, values={"appeals": 5},
                                 reasons={"appeals": "пять писем пришли по почте до подключения модуля"})
        submission.refresh_from_db()
        assert submission.values["appeals"] == "5" and submission.reasons["appeals"].startswith("пять")
        assert submission.events.get(kind="started").changes == {"prefilled": {"appeals": "0"}}


def test_submitting_after_the_campaign_closed_is_refused(alpha):
    campaign = open_campaign([alpha])
    with schema_context(alpha.schema_name):
        submission = services.submission_start(campaign_id=campaign.pk)
        services.submission_save(submission=submission, values=VALID)
    services.campaign_close(campaign=campaign)
    with schema_context(alpha.schema_name):
        with pytest.raises(ValidationError) as caught:
            services.submission_submit(submission=submission)
        assert caught.value.code == error_codes.CAMPAIGN_CLOSED
        assert Submission.objects.get(pk=submission.pk).status == "draft"
    assert SubmissionCopy.objects.get(campaign=campaign, municipality=alpha.municipality).values == {}


def test_a_municipality_not_asked_cannot_start_a_report(alpha, beta):
    campaign = open_campaign([alpha])
    with schema_context(beta.schema_name), pytest.raises(ValidationError) as caught:
        services.submission_start(campaign_id=campaign.pk)
    assert caught.value.code == error_codes.NOT_ASKED


def test_municipalities_see_only_their_own_reports(alpha, beta):
    campaign = open_campaign([alpha, beta])
    fill_and_submit(alpha, campaign, VALID)
    with schema_context(beta.schema_name):
        assert not Submission.objects.exists()
        (row,) = municipality_campaigns()
        assert row["submission"] is None and row["status"] == "not_started"
    with schema_context(alpha.schema_name):
        (row,) = municipality_campaigns()
        assert row["submission"].values["spent"] == "1000.50" and row["status"] == "submitted"


def test_campaign_open_extend_close(alpha, beta):
    campaign = open_campaign([alpha, beta])
    assert campaign_progress(campaign)["total"] == 2
    with pytest.raises(ValidationError) as caught:
        services.campaign_extend(campaign=campaign, deadline=campaign.deadline)
    assert codes(caught.value)["deadline"] == {error_codes.INVALID_DEADLINE}
    services.campaign_extend(campaign=campaign, deadline=campaign.deadline + timedelta(days=5))
    services.campaign_close(campaign=campaign)
    with pytest.raises(ValidationError):
        services.campaign_close(campaign=campaign)
    assert Campaign.objects.get(pk=campaign.pk).status == "closed"


# --- region-wide figures --------------------------------------------------------------------------------------

def test_aggregates_and_comparison_match_hand_computed_values(db):
    places = schemaless_municipalities(5)
    campaign = open_campaign(places)
    spent = ["100.00", "250.50", "300.00", "50.25", None]
    for place, value, status in zip(places, spent, ["submitted", "accepted", "submitted", "submitted", "draft"],
                                    strict=True):
        values = {"spent": value, "topic": "housing" if value != "50.25" else "roads", "ok": value != "300.00"}
        SubmissionCopy.objects.filter(campaign=campaign, municipality=place).update(
            status=status, values=values if status != "draft" else {})
    figures = {f.field.code: f for f in campaign_aggregates(campaign)}
    spent_figures = figures["spent"].overall
    assert spent_figures.count == 4
    assert spent_figures.sum == Decimal("700.75")
    assert spent_figures.mean == Decimal("175.18750")
    assert spent_figures.median == Decimal("175.25")  # (100.00 + 250.50) / 2
    assert (spent_figures.min, spent_figures.max) == (Decimal("50.25"), Decimal("300.00"))
    # kinds alternate: 0, 2, 4 urban okrugs; 1, 3 districts
    assert figures["spent"].by_kind["urban_okrug"].sum == Decimal("400.00")
    assert figures["spent"].by_kind["municipal_district"].median == Decimal("150.375")
    assert figures["topic"].choices == {"housing": 3, "roads": 1}
    assert figures["ok"].choices == {"true": 3, "false": 1}
    columns, rows = comparison_table(campaign)
    assert [row["municipality"] for row in rows] == [p.name for p in places]
    assert rows[4]["status"] == "draft" and all(v is None for v in rows[4]["values"])
    assert rows[1]["values"][[c.code for c in columns].index("spent")] == "250.50"
    progress = campaign_progress(campaign)
    assert (progress["submitted"], progress["accepted"], progress["draft"], progress["total"]) == (3, 1, 1, 5)


# --- deadlines and indicators ---------------------------------------------------------------------------------

def test_reminders_and_overdue_notices_are_sent_once(alpha, django_capture_on_commit_callbacks):
    import dramatiq

    from tests.support.appeals import staff
    from tests.test_services.test_sweep import deliver_queued

    staff(alpha, "reporter@alpha.example.ru", "reporter")
    campaign = open_campaign([alpha], deadline=timezone.localdate() + timedelta(days=2))
    mail.outbox.clear()
    with schema_context(alpha.schema_name), django_capture_on_commit_callbacks(execute=True):
        assert reporting_deadlines() == {"reminders": 1, "overdue": 0}
        assert reporting_deadlines() == {"reminders": 0, "overdue": 0}
    assert deliver_queued(dramatiq.get_broker()) >= 1  # the notice is mailed by a job, once
    reminders = [m for m in mail.outbox if campaign.title in m.subject]
    assert len(reminders) == 1 and "reporter@alpha.example.ru" in reminders[0].to
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    with schema_context(alpha.schema_name):
        assert reporting_deadlines() == {"reminders": 0, "overdue": 1}
        assert reporting_deadlines() == {"reminders": 0, "overdue": 0}
        assert OutboxEvent.objects.filter(event_type="campaign.overdue").count() == 1
    services.campaign_extend(campaign=Campaign.objects.get(pk=campaign.pk),
                             deadline=timezone.localdate() + timedelta(days=1))
    with schema_context(alpha.schema_name):
        assert reporting_deadlines() == {"reminders": 1, "overdue": 0}


def test_indicator_refresh_costs_the_same_queries_whatever_the_data_size(alpha):
    from tests.support.appeals import receive

    def refresh_queries() -> int:
        with schema_context(alpha.schema_name), CaptureQueriesContext(connection) as queries:
            written = indicators_refresh()
        assert written > 0
        # Schema switches depend on where the connection was left, not on the data: not counted.
        return len([q for q in queries.captured_queries if not q["sql"].startswith("SET search_path")])

    refresh_queries()  # the first refresh may create a module's settings row once
    small = refresh_queries()
    # Each module's figures of a period (or of a day) are one aggregate query, its settings read once:
    # 33 with every module switched on, not one query per source.
    assert small <= 40
    for n in range(15):
        receive(alpha, external_number=f"IND-{n}")
    assert refresh_queries() == small
    from gorodok_services.core.calendar import local_date

    # The municipality's month (its zone is seven hours ahead of the server's in the evening).
    month_start = local_date(timezone.now(), alpha.municipality.timezone).replace(day=1)
    received = Indicator.objects.get(municipality=alpha.municipality, key="appeals.received",
                                     period_start=month_start)
    assert received.value >= 15 and received.refreshed_at is not None


def test_the_jobs_count_the_municipalitys_day_not_the_servers(alpha, monkeypatch):
    """At 20:00 UTC on 31 December it is already 1 January in Krasnoyarsk: the municipality's indicators
    of the month are January's (the month and the year to date being the same period that day, written
    once), and a campaign due on 31 December is overdue there."""
    import datetime as dt

    from gorodok_services.core.calendar import local_date

    moment = dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC)
    assert local_date(moment, alpha.municipality.timezone) == dt.date(2027, 1, 1)
    from tests.support.appeals import staff

    staff(alpha, "zone-reporter@alpha.example.ru", "reporter")
    campaign = open_campaign([alpha], deadline=dt.date(2026, 12, 31))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    with schema_context(alpha.schema_name):
        indicators_refresh()
        assert reporting_deadlines() == {"reminders": 0, "overdue": 1}
    assert Indicator.objects.filter(municipality=alpha.municipality, key="appeals.received",
                                    period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 1, 1)).exists()
    # December is now the previous month, counted whole.
    assert Indicator.objects.filter(municipality=alpha.municipality, key="appeals.received", refreshed_at=moment,
                                    period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 12, 31)).exists()
    assert SubmissionCopy.objects.get(campaign=campaign, municipality=alpha.municipality).overdue_notified_at


# --- the shipped template and the demo -------------------------------------------------------------------------

def test_the_letter_fits_the_shipped_template(alpha):
    from gorodok_services.reporting.demo import LETTER_VALUES
    from gorodok_services.reporting.shipped import shipped_template

    version = shipped_template()
    campaign = services.campaign_open(campaign=services.campaign_create(
        version=version, title="Информатизация", period_start=timezone.localdate().replace(month=1, day=1),
        period_end=timezone.localdate(), deadline=timezone.localdate() + timedelta(days=5),
        audience="list", municipalities=[alpha.municipality]))
    submission = fill_and_submit(alpha, campaign, LETTER_VALUES)
    assert (submission.values["digital_spent_last"], submission.values["ict_spent_last"],
            submission.values["ict_planned"], submission.values["subsidy_share"]) == (
        "16.00000", "671.04700", "802.00000", "over_70")
    field = version.parsed.by_code["subsidy_share"]
    assert field.choice_label(submission.values["subsidy_share"]) == "более 70%"
    assert shipped_template().pk == version.pk  # created once


def test_demo_is_idempotent_and_opens_the_campaigns(alpha):
    from gorodok_services.reporting.demo import demo_campaigns, seed_demo_reporting

    with schema_context(alpha.schema_name):
        first = seed_demo_reporting()
        assert seed_demo_reporting() == 0
    assert first >= 1
    informatization, monthly = demo_campaigns()
    assert informatization.status == monthly.status == "open"
    assert monthly.deadline < timezone.localdate() < informatization.deadline
    assert SubmissionCopy.objects.filter(campaign=informatization, municipality=alpha.municipality).exists()


def test_campaign_audiences_all_and_by_kind(alpha, beta):
    from gorodok_services.reporting.services import campaign_audience

    version = published()
    today = timezone.localdate()
    common = {"version": version, "title": "Все", "period_start": today.replace(day=1), "period_end": today,
              "deadline": today + timedelta(days=3)}
    everyone = services.campaign_create(**common)
    asked = set(campaign_audience(everyone).values_list("pk", flat=True))
    assert {alpha.municipality.pk, beta.municipality.pk} <= asked
    kind = alpha.municipality.kind
    by_kind = services.campaign_create(**common, audience="kind", audience_kind=kind)
    assert set(campaign_audience(by_kind).values_list("kind", flat=True)) == {kind}
    with pytest.raises(ValidationError) as caught:
        services.campaign_create(**common, audience="kind", audience_kind="planet")
    assert codes(caught.value)["audience"] == {error_codes.INVALID_AUDIENCE}
    draft = services.template_version_copy(version=version)
    with pytest.raises(ValidationError) as caught:
        services.campaign_create(**{**common, "version": draft})
    assert codes(caught.value)["version"] == {error_codes.VERSION_NOT_PUBLISHED}


def test_the_console_lists_indicators_with_their_refresh_time(client, alpha, regional_admin, region_host):
    from tests.conftest import login

    with schema_context(alpha.schema_name):
        indicators_refresh()
    login(client, region_host, regional_admin.email)
    page = client.get("/admin/reporting/indicator/", {"key": "appeals.received"}, HTTP_HOST=region_host)
    assert page.status_code == 200 and alpha.municipality.name in page.content.decode()
