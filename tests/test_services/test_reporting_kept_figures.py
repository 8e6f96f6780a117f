"""The campaign's figures kept in the public schema: computed after a change, read in two small queries
while nothing changed, never served once a copy moved on, and never to a caller who sees only a part
of the audience."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from gorodok_platform.integrations.services import api_client_create
from gorodok_services.reporting import services
from gorodok_services.reporting.figures import campaign_aggregates, campaign_figures_warm, figures_revision_move
from gorodok_services.reporting.models import CampaignFigures, SubmissionCopy
from gorodok_services.reporting.selectors import copies_visible_to
from tests.test_services.reporting_common import fill_and_submit, open_campaign

ALPHA = {"spent": "1000.50", "planned": "900", "staff": 3, "share": "12.5", "topic": "housing", "ok": True,
         "items": [{"item": "связь", "amount": "1000.50"}]}
BETA = {**ALPHA, "spent": "99.50", "planned": "10", "topic": "roads", "ok": False,
        "items": [{"item": "связь", "amount": "99.50"}]}


def spent(figures) -> Decimal:
    return next(f for f in figures if f.field.code == "spent").overall.sum


def test_kept_figures_answer_in_two_queries_and_follow_every_change(alpha, beta):
    campaign = open_campaign([alpha, beta])
    fill_and_submit(alpha, campaign, ALPHA)
    campaign_figures_warm(campaign.pk)  # the job queued when the submission committed
    kept = CampaignFigures.objects.get(campaign=campaign)
    assert kept.computed_revision == kept.revision > 0 and kept.delivered == 1
    assert campaign.version.parsed  # the template, read once per request with the campaign
    with CaptureQueriesContext(connection) as captured:
        figures = campaign_aggregates(campaign)
    assert len(captured.captured_queries) == 2  # the kept row, and the count of the copies asked for
    assert spent(figures) == Decimal("1000.50")
    assert next(f for f in figures if f.field.code == "topic").choices["housing"] == 1

    # A second submission moves the revision in its own transaction: the kept figures are behind at
    # once, even before the job has run, and the reader computes and keeps the new ones.
    fill_and_submit(beta, campaign, BETA)
    assert spent(campaign_aggregates(campaign)) == Decimal("1100.00")
    kept = CampaignFigures.objects.get(campaign=campaign)
    assert kept.computed_revision == kept.revision and kept.delivered == 2

    # Returned: out of the figures.
    services.submission_return(campaign=campaign, municipality=beta.municipality, comment="Проверьте")
    figures = campaign_aggregates(campaign)
    assert spent(figures) == Decimal("1000.50")
    assert next(f for f in figures if f.field.code == "spent").overall.count == 1


def test_a_client_given_part_of_the_audience_never_gets_the_whole_figures(alpha, beta):
    campaign = open_campaign([alpha, beta])
    fill_and_submit(alpha, campaign, ALPHA)
    fill_and_submit(beta, campaign, BETA)
    campaign_figures_warm(campaign.pk)
    assert campaign.version.parsed
    client, _token = api_client_create(name="только альфа", scopes=["reports:read"],
                                       municipalities=[alpha.schema_name])
    figures = campaign_aggregates(campaign, copies_visible_to(client, campaign))
    assert spent(figures) == Decimal("1000.50")
    assert spent(campaign_aggregates(campaign)) == Decimal("1100.00")  # the kept whole figures are intact
    both, _token = api_client_create(name="обе", scopes=["reports:read"],
                                     municipalities=[alpha.schema_name, beta.schema_name])
    with CaptureQueriesContext(connection) as captured:
        assert spent(campaign_aggregates(campaign, copies_visible_to(both, campaign))) == Decimal("1100.00")
    assert len(captured.captured_queries) == 2  # every municipality asked: the kept figures answer


def test_figures_are_computed_again_when_copies_go_without_a_revision(alpha, beta):
    campaign = open_campaign([alpha, beta])
    fill_and_submit(alpha, campaign, ALPHA)
    fill_and_submit(beta, campaign, BETA)
    campaign_figures_warm(campaign.pk)
    # A municipality's row removed from the campaign (as when a municipality is deleted): the count no
    # longer matches the kept figures.
    SubmissionCopy.objects.filter(campaign=campaign, municipality=beta.municipality).delete()
    assert spent(campaign_aggregates(campaign)) == Decimal("1000.50")


def test_an_older_computation_never_replaces_newer_kept_figures(alpha):
    campaign = open_campaign([alpha])
    fill_and_submit(alpha, campaign, ALPHA)
    campaign_figures_warm(campaign.pk)
    kept = CampaignFigures.objects.get(campaign=campaign)
    from gorodok_services.reporting.figures import _store

    _store(campaign.pk, kept.computed_revision - 1, 0, [])
    again = CampaignFigures.objects.get(campaign=campaign)
    assert (again.computed_revision, again.delivered) == (kept.computed_revision, 1)
    figures_revision_move(campaign.pk)
    assert CampaignFigures.objects.get(campaign=campaign).revision == kept.revision + 1


def test_the_job_after_a_submission_is_queued_for_the_campaign(alpha, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    campaign = open_campaign([alpha])
    sent = []
    monkeypatch.setattr("gorodok_platform.jobs.enqueue.enqueue_now",
                        lambda actor, *args, **kwargs: sent.append((actor.actor_name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        fill_and_submit(alpha, campaign, ALPHA)
    assert ("warm_campaign_figures", (campaign.pk,)) in sent
    with schema_context("public"):  # until the job runs, the kept figures are behind the copies
        kept = CampaignFigures.objects.get(campaign=campaign)
        assert kept.computed_revision is None and kept.revision > 0


def test_the_comparison_rows_escape_every_text_even_one_holding_a_separator():
    from gorodok_services.reporting.admin import _comparison_rows
    from gorodok_services.reporting.definition import parse_definition

    definition = parse_definition({"sections": [{"title": "Раздел", "fields": [
        {"code": "note", "type": "text", "label": "Примечание"},
        {"code": "spent", "type": "money", "label": "Расходы"}]}], "rules": []})
    columns = definition.fields
    statuses = {"submitted": "Отправлен", "draft": "<b>Черновик</b>"}
    hostile = ['<script>alert("x")</script>', "a & b 'c'", "\x1f</td><td>", "\x1e<tr>"]
    for note in hostile:
        rows = [{"municipality": "Город <i>", "status": "submitted", "values": [note, "10.50"]},
                {"municipality": "Село & Ко", "status": "draft", "values": [None, None]}]
        body = _comparison_rows(columns, rows, statuses)
        assert body.count("<tr>") == 2 and body.count("<td>") == 2 * 3 and "<script>" not in body
        assert "<i>" not in body and "<b>" not in body
        import html

        assert f"<td>{html.escape(note)}</td>" in body
        assert "<th>Село &amp; Ко</th><td>&lt;b&gt;Черновик&lt;/b&gt;</td><td></td><td></td>" in body
    assert _comparison_rows(columns, [], statuses) == ""
