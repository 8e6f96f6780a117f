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
    import html

    from gorodok_services.reporting.admin import _comparison_rows

    statuses = {"submitted": "Отправлен", "draft": "<b>Черновик</b>"}
    hostile = ['<script>alert("x")</script>', "a & b 'c'", "\x1f</td><td>", "\x1e<tr>"]
    for note in hostile:
        rows = [("Город <i>", "submitted", [note, "10.50"]), ("Село & Ко", "draft", ["", ""])]
        body = _comparison_rows(rows, statuses)
        assert body.count("<tr>") == 2 and body.count("<td>") == 2 * 3 and "<script>" not in body
        assert "<i>" not in body and "<b>" not in body
        assert f"<td>{html.escape(note)}</td>" in body
        assert "<th>Село &amp; Ко</th><td>&lt;b&gt;Черновик&lt;/b&gt;</td><td></td><td></td>" in body
    assert _comparison_rows([], statuses) == ""


def test_the_pages_texts_read_from_the_database_are_what_display_value_shows(alpha, beta):
    """``comparison_texts`` (each answer as text from the database) against ``display_value`` over
    ``comparison_table`` (the answers as stored): every kind of field, a multiple choice, an answer left
    out, a municipality that has not submitted, and a page of them."""
    from django.utils import translation

    from gorodok_services.reporting.figures import comparison_table, comparison_texts, display_value
    from tests.test_services.reporting_common import DEFINITION, schemaless_municipalities

    definition = {**DEFINITION, "sections": [{**DEFINITION["sections"][0], "fields": [
        *DEFINITION["sections"][0]["fields"],
        {"code": "topics", "type": "choice", "label": "Темы", "multiple": True,
         "choices": [{"value": "housing", "label": "ЖКХ"}, {"value": "parks", "label": "Парки & скверы"}]}]}]}
    (third,) = schemaless_municipalities(1, prefix="txt")
    campaign = open_campaign([alpha, beta, third], code="texts", definition=definition)
    fill_and_submit(alpha, campaign, {"spent": "1200.50", "staff": 7, "share": "12.5", "topic": "roads",
                                      "ok": True, "since": "2025-03-01", "note": "<b>пусть</b> & так",
                                      "items": [{"item": "Связь", "amount": "1200.50"}],
                                      "topics": ["parks", "housing"]})
    with schema_context(beta.schema_name):
        services.submission_save(submission=services.submission_start(campaign_id=campaign.pk),
                                 values={"spent": "5"})
    with schema_context("public"), translation.override("ru"):
        SubmissionCopy.objects.filter(campaign=campaign, municipality=third).update(
            status="accepted", values={"spent": "0", "ok": False, "topics": [], "staff": 12})
        columns, stored = comparison_table(campaign)
        text_columns, rows = comparison_texts(campaign)
        assert text_columns == columns
        expected = [(row["municipality"], row["status"], [display_value(f, v) for f, v in zip(columns, row["values"])])
                    for row in stored]
        assert rows == expected and len(rows) == 3
        by_name = {name: texts for name, _status, texts in rows}
        codes = [f.code for f in columns]
        # a multiple choice shows its answers in the template's order
        assert by_name[alpha.municipality.name][codes.index("topics")] == "ЖКХ; Парки & скверы"
        assert by_name[alpha.municipality.name][codes.index("ok")] == "да"
        assert by_name[alpha.municipality.name][codes.index("spent")] == "1200.50"
        assert by_name[third.name][codes.index("ok")] == "нет"
        assert by_name[third.name][codes.index("staff")] == "12"
        assert by_name[third.name][codes.index("note")] == ""  # left out
        assert by_name[beta.municipality.name] == [""] * len(columns)  # a draft shows nothing
        assert comparison_texts(campaign, offset=1, limit=1)[1] == rows[1:2]


def test_the_pages_progress_and_figures_are_read_in_one_statement_and_match_the_separate_reads(alpha, beta):
    """``campaign_progress_and_aggregates`` (the console page's read) against ``campaign_progress`` and
    ``campaign_aggregates``: the whole audience from the kept row in one query, a client given part of
    it never the whole figures, figures behind the copies computed, and a campaign with no kept row."""
    from gorodok_services.reporting.figures import campaign_progress_and_aggregates
    from gorodok_services.reporting.selectors import campaign_progress

    campaign = open_campaign([alpha, beta])
    progress, figures = campaign_progress_and_aggregates(campaign)  # nothing kept yet, nothing delivered
    assert progress == {**campaign_progress(campaign)} and progress["not_started"] == 2 and spent(figures) is None

    fill_and_submit(alpha, campaign, ALPHA)
    fill_and_submit(beta, campaign, BETA)
    campaign_figures_warm(campaign.pk)
    assert campaign.version.parsed
    with CaptureQueriesContext(connection) as captured:
        progress, figures = campaign_progress_and_aggregates(campaign)
    assert len(captured.captured_queries) == 1
    assert progress == campaign_progress(campaign) and progress["submitted"] == 2 and progress["total"] == 2
    assert spent(figures) == Decimal("1100.00") == spent(campaign_aggregates(campaign))

    only_alpha, _token = api_client_create(name="только альфа", scopes=["reports:read"],
                                           municipalities=[alpha.schema_name])
    progress, figures = campaign_progress_and_aggregates(campaign, copies_visible_to(only_alpha, campaign))
    assert (progress["total"], progress["submitted"]) == (1, 1) and spent(figures) == Decimal("1000.50")

    services.submission_return(campaign=campaign, municipality=beta.municipality, comment="Проверьте")
    progress, figures = campaign_progress_and_aggregates(campaign)  # behind the copies: computed and kept
    assert (progress["submitted"], progress["returned"]) == (1, 1) and spent(figures) == Decimal("1000.50")
    kept = CampaignFigures.objects.get(campaign=campaign)
    assert kept.computed_revision == kept.revision and kept.delivered == 1


def test_a_published_versions_definition_is_read_once_a_drafts_every_time(alpha):
    from gorodok_services.reporting.models import TemplateVersion
    from tests.test_services.reporting_common import DEFINITION

    campaign = open_campaign([alpha])
    first = TemplateVersion.objects.get(pk=campaign.version_id).parsed
    assert TemplateVersion.objects.get(pk=campaign.version_id).parsed is first
    draft = services.template_create(code="draft-memo", title="Черновик", definition=DEFINITION)
    assert TemplateVersion.objects.get(pk=draft.pk).parsed is not TemplateVersion.objects.get(pk=draft.pk).parsed
    changed = {"sections": [{"title": "Другое", "fields": DEFINITION["sections"][0]["fields"][:1]}], "rules": []}
    TemplateVersion.objects.filter(pk=draft.pk).update(definition=changed)
    assert [f.code for f in TemplateVersion.objects.get(pk=draft.pk).parsed.fields] == ["spent"]


def test_the_campaign_read_in_one_statement_is_the_orms_and_its_definition_is_read_when_needed(alpha):
    from gorodok_services.reporting.models import _PUBLISHED_PARSED as published_parsed
    from gorodok_services.reporting.models import Campaign, TemplateVersion
    from gorodok_services.reporting.selectors import campaign_with_version

    campaign = open_campaign([alpha])
    expected = Campaign.objects.select_related("version").get(pk=campaign.pk)
    with CaptureQueriesContext(connection) as captured:
        read = campaign_with_version(campaign.pk)
    assert len(captured.captured_queries) == 1
    fields = [f.attname for f in Campaign._meta.concrete_fields]
    assert [getattr(read, name) for name in fields] == [getattr(expected, name) for name in fields]
    version_fields = [f.attname for f in TemplateVersion._meta.concrete_fields if f.name != "definition"]
    assert ([getattr(read.version, name) for name in version_fields]
            == [getattr(expected.version, name) for name in version_fields])
    assert read.version.get_deferred_fields() == {"definition"}
    # Not yet parsed in this process: the definition is read (one query) and parsed; kept afterwards.
    published_parsed.clear()
    with CaptureQueriesContext(connection) as captured:
        codes = [f.code for f in read.version.parsed.fields]
    assert len(captured.captured_queries) == 1 and codes == [f.code for f in expected.version.parsed.fields]
    with CaptureQueriesContext(connection) as captured:
        assert campaign_with_version(campaign.pk).version.parsed is read.version.parsed
    assert len(captured.captured_queries) == 1
    assert campaign_with_version(campaign.pk + 10_000) is None
