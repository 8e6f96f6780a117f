"""Reporting types of the tenant and the regional API."""

from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType

from gorodok_graphql.core.connection import CountableConnection
from gorodok_graphql.core.errors import error_type
from gorodok_graphql.core.limits import register_field_cost
from gorodok_services.reporting import error_codes
from gorodok_services.reporting import models as reporting_models
from gorodok_services.reporting.figures import campaign_aggregates, comparison_table
from gorodok_services.reporting.selectors import campaign_progress, copies_visible_to
from gorodok_services.reporting.submissions import models as submission_models

ReportErrorCode = graphene.Enum("ReportErrorCode", [(code.upper(), code.upper()) for code in
                                                    [*error_codes.ALL, "invalid", "not_found"]])
ReportError = error_type("ReportError", ReportErrorCode, "Why a report change was refused.")


def _actor(info):
    return getattr(info.context, "api_client", None) or info.context.user


class ReportChoice(graphene.ObjectType):
    value = graphene.String(required=True)
    label = graphene.String(required=True)


class ReportField(graphene.ObjectType):
    """A field of a report template: its type says what a value looks like (numbers are strings of
    their exact decimal text; a table's value is a list of rows keyed by column code)."""

    code = graphene.String(required=True)
    label = graphene.String(required=True)
    type = graphene.String(required=True, description="integer, money, percent, text, date, choice, yesno, table")
    required = graphene.Boolean(required=True)
    help = graphene.String(required=True)
    unit = graphene.String(required=True, description="For money: rub or thousand_rub.")
    source = graphene.String(required=True, description="The report source that pre-fills it, or empty.")
    multiple = graphene.Boolean(required=True)
    choices = graphene.List(graphene.NonNull(ReportChoice), required=True)
    columns = graphene.List(graphene.NonNull(lambda: ReportField), required=True)

    def resolve_choices(root, info):
        return [ReportChoice(value=value, label=label) for value, label in root.choices]


class ReportSection(graphene.ObjectType):
    title = graphene.String(required=True)
    fields = graphene.List(graphene.NonNull(ReportField), required=True)


class ReportTemplateVersion(DjangoObjectType):
    title = graphene.String(required=True)
    sections = graphene.List(graphene.NonNull(ReportSection), required=True)

    class Meta:
        model = reporting_models.TemplateVersion
        fields = ("number", "published_at", "created_at")

    def resolve_title(root, info):
        return root.template.title

    def resolve_sections(root, info):
        return root.parsed.sections


class ReportProgress(graphene.ObjectType):
    total = graphene.Int(required=True)
    not_started = graphene.Int(required=True)
    draft = graphene.Int(required=True)
    submitted = graphene.Int(required=True)
    returned = graphene.Int(required=True)
    accepted = graphene.Int(required=True)
    overdue = graphene.Int(required=True)


class ReportComparisonRow(graphene.ObjectType):
    municipality = graphene.String(required=True)
    kind = graphene.String(required=True)
    status = graphene.String(required=True)
    values = graphene.List(graphene.JSONString, required=True,
                           description="In the order of `columns`; null until submitted.")


class ReportComparison(graphene.ObjectType):
    columns = graphene.List(graphene.NonNull(ReportField), required=True)
    rows = graphene.List(graphene.NonNull(ReportComparisonRow), required=True)


class ReportAggregate(graphene.ObjectType):
    kind = graphene.String(description="The kind of municipality; null for all of them.")
    count = graphene.Int(required=True)
    sum = graphene.Decimal()
    mean = graphene.Decimal()
    median = graphene.Decimal()
    min = graphene.Decimal()
    max = graphene.Decimal()


class ReportChoiceCount(graphene.ObjectType):
    value = graphene.String(required=True)
    count = graphene.Int(required=True)


class ReportFieldFigures(graphene.ObjectType):
    code = graphene.String(required=True)
    label = graphene.String(required=True)
    overall = graphene.Field(ReportAggregate, required=True)
    by_kind = graphene.List(graphene.NonNull(ReportAggregate), required=True)
    choices = graphene.List(graphene.NonNull(ReportChoiceCount), required=True)


def _aggregate(value, kind=None) -> ReportAggregate:
    return ReportAggregate(kind=kind, count=value.count, sum=value.sum, mean=value.mean, median=value.median,
                           min=value.min, max=value.max)


class ReportCampaign(DjangoObjectType):
    """A report campaign as the region sees it: progress, answers side by side and aggregates, read from
    the copies kept in the public schema (a regional API client sees only its municipalities)."""

    version = graphene.Field(ReportTemplateVersion, required=True)
    status = graphene.String(required=True)
    audience = graphene.String(required=True)
    progress = graphene.Field(ReportProgress, required=True)
    comparison = graphene.Field(ReportComparison, required=True)
    aggregates = graphene.List(graphene.NonNull(ReportFieldFigures), required=True)

    class Meta:
        model = reporting_models.Campaign
        name = "ReportCampaign"
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        fields = ("title", "period_start", "period_end", "deadline", "opened_at", "closed_at")

    @classmethod
    def get_queryset(cls, queryset, info):
        from gorodok_services.reporting.selectors import campaigns_visible_to

        return (queryset.all() & campaigns_visible_to(_actor(info))).select_related("version__template")

    def resolve_progress(root, info):
        return ReportProgress(**campaign_progress(root, copies_visible_to(_actor(info), root)))

    def resolve_comparison(root, info):
        columns, rows = comparison_table(root, copies_visible_to(_actor(info), root))
        return ReportComparison(columns=columns, rows=[ReportComparisonRow(**row) for row in rows])

    def resolve_aggregates(root, info):
        return [ReportFieldFigures(
            code=figures.field.code, label=figures.field.label, overall=_aggregate(figures.overall),
            by_kind=[_aggregate(value, kind) for kind, value in figures.by_kind.items()],
            choices=[ReportChoiceCount(value=value, count=count) for value, count in figures.choices.items()])
            for figures in campaign_aggregates(root, copies_visible_to(_actor(info), root))]


class ReportHistoryEntry(DjangoObjectType):
    by = graphene.String(required=True)
    changes = graphene.JSONString(required=True)

    class Meta:
        model = submission_models.SubmissionEvent
        fields = ("kind", "at", "comment")
        convert_choices_to_enum = False  # started, saved, submitted, returned, resubmitted, accepted

    def resolve_by(root, info):
        return root.actor_label


class ReportSubmission(DjangoObjectType):
    """The municipality's report for a campaign."""

    status = graphene.String(required=True)
    values = graphene.JSONString(required=True)
    prefilled = graphene.JSONString(required=True, description="What the report sources gave, by field code.")
    reasons = graphene.JSONString(required=True, description="Why a pre-filled value was changed, by field code.")
    history = graphene.List(graphene.NonNull(ReportHistoryEntry), required=True)

    class Meta:
        model = submission_models.Submission
        fields = ("comment", "submitted_at", "accepted_at", "created_at", "updated_at")

    def resolve_history(root, info):
        return root.events.all()


class MunicipalityReport(graphene.ObjectType):
    """A campaign the municipality is asked for, with its deadline and its report (null: not started)."""

    campaign_id = graphene.Int(required=True)
    title = graphene.String(required=True)
    period_start = graphene.Date(required=True)
    period_end = graphene.Date(required=True)
    deadline = graphene.Date(required=True)
    campaign_status = graphene.String(required=True)
    status = graphene.String(required=True)
    overdue = graphene.Boolean(required=True)
    template = graphene.Field(ReportTemplateVersion, required=True)
    submission = graphene.Field(ReportSubmission)

    @staticmethod
    def from_row(row: dict) -> MunicipalityReport:
        campaign = row["campaign"]
        return MunicipalityReport(campaign_id=campaign.pk, title=campaign.title, period_start=campaign.period_start,
                                  period_end=campaign.period_end, deadline=campaign.deadline,
                                  campaign_status=campaign.status, status=row["status"], overdue=row["overdue"],
                                  template=campaign.version, submission=row["submission"])


class AppealsSummaryColumn(graphene.ObjectType):
    key = graphene.String(required=True, description="The report source, e.g. `appeals.received`.")
    label = graphene.String(required=True)


class AppealsSummaryRow(graphene.ObjectType):
    municipality = graphene.String(required=True)
    oktmo = graphene.String(required=True)
    values = graphene.List(graphene.NonNull(graphene.Int), required=True, description="In the order of `columns`.")


class AppealsSummary(DjangoObjectType):
    """The region-wide summary of citizens' appeals for a period, in the layout of a municipality's own
    report: a row per municipality (a regional API client sees only its municipalities) and the total.
    Rows and files appear once `status` is `done`; until then `done` of `total` municipalities tells
    the progress of the job making it."""

    status = graphene.String(required=True, description="pending, running, done or failed")
    percent = graphene.Int(required=True)
    columns = graphene.List(graphene.NonNull(AppealsSummaryColumn), required=True)
    rows = graphene.List(graphene.NonNull(AppealsSummaryRow), required=True)
    total_row = graphene.List(graphene.NonNull(graphene.Int), required=True,
                              description="The sum of `rows`, in the order of `columns`.")
    xlsx_url = graphene.String(description="Download for a signed-in person (console session); null until done.")
    csv_url = graphene.String(description="Download for a signed-in person (console session); null until done.")

    class Meta:
        model = reporting_models.AppealsSummary
        interfaces = (graphene.relay.Node,)
        connection_class = CountableConnection
        fields = ("period_start", "period_end", "total", "done", "created_at", "finished_at")

    @classmethod
    def get_queryset(cls, queryset, info):
        from gorodok_services.reporting.selectors import summaries_visible_to

        return queryset.all() & summaries_visible_to(_actor(info))

    def resolve_columns(root, info):
        from gorodok_services.reporting.summaries import summary_headers

        return [AppealsSummaryColumn(key=key, label=label) for key, label in zip(root.columns, summary_headers(root),
                                                                                 strict=True)]

    def resolve_rows(root, info):
        from gorodok_services.reporting.selectors import summary_rows_visible_to

        return [AppealsSummaryRow(municipality=row["municipality"], oktmo=row["oktmo"], values=row["values"])
                for row in summary_rows_visible_to(_actor(info), root)]

    def resolve_total_row(root, info):
        from gorodok_services.reporting.selectors import summary_rows_visible_to
        from gorodok_services.reporting.summaries import summary_total

        return summary_total(root.columns, summary_rows_visible_to(_actor(info), root))

    def _url(root, info, kind):
        from django.urls import reverse

        from gorodok_services.core.access import is_api_client

        if root.status != reporting_models.SummaryStatus.DONE or is_api_client(_actor(info)):
            return None
        return info.context.build_absolute_uri(reverse("console:reporting_appeals_summary_file", args=[root.pk, kind]))

    def resolve_xlsx_url(root, info):
        return AppealsSummary._url(root, info, "xlsx")

    def resolve_csv_url(root, info):
        return AppealsSummary._url(root, info, "csv")


# A summary's rows are a row per municipality of about fifty figures: read them from one summary at a time
# (``appealsSummary(id:)``), not across a page of summaries.
SUMMARY_ROWS_COST = 100
register_field_cost("AppealsSummary", "rows", SUMMARY_ROWS_COST)
