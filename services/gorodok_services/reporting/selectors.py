"""Reads of the reporting module, shaped for their callers."""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_services.core.access import is_api_client
from gorodok_services.core.lookups import AnyOf
from gorodok_services.reporting.models import (
    DELIVERED,
    Campaign,
    CampaignStatus,
    SubmissionCopy,
    SubmissionStatus,
    TemplateVersion,
)
from gorodok_services.reporting.permissions import REGION_READ, VIEW, reporting_permit

# --- the municipality's side (run in its schema) ---------------------------------------------------------------

def municipality_campaigns(actor=None) -> list[dict]:
    """The campaigns the current municipality is asked for, with its report's status and the deadline,
    open ones first by deadline. Nothing for an actor without the right (checked when given)."""
    from gorodok_services.reporting.submissions.models import Submission

    if actor is not None and not reporting_permit(actor, VIEW):
        return []
    tenant = current_municipality()
    if tenant is None:
        return []
    with schema_context(get_public_schema_name()):
        copies = list(SubmissionCopy.objects.filter(municipality_id=tenant.pk)
                      .exclude(campaign__status=CampaignStatus.DRAFT)
                      .select_related("campaign__version__template").order_by("campaign__status", "campaign__deadline"))
    submissions = {s.campaign_id: s for s in Submission.objects.filter(campaign_id__in=[c.campaign_id for c in copies])}
    today = timezone.localdate()
    return [{"campaign": copy.campaign, "submission": submissions.get(copy.campaign_id), "status": copy.status,
             "overdue": copy.campaign.deadline < today and copy.status not in DELIVERED,
             "days_left": (copy.campaign.deadline - today).days}
            for copy in copies]


def submission_visible_to(actor) -> QuerySet:
    """The current municipality's reports ``actor`` may read: all of them, or none."""
    from gorodok_services.reporting.submissions.models import Submission

    return Submission.objects.all() if reporting_permit(actor, VIEW) else Submission.objects.none()


def reports_due_count() -> int:
    """Reports of open campaigns the current municipality has not submitted (the console's counter)."""
    tenant = current_municipality()
    if tenant is None:
        return 0
    with schema_context(get_public_schema_name()):
        return SubmissionCopy.objects.filter(
            municipality_id=tenant.pk, campaign__status=CampaignStatus.OPEN,
            status__in=[SubmissionStatus.NOT_STARTED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED]).count()


def reports_overdue_count() -> int:
    """Of those, the reports whose campaign's deadline has passed (the municipality's date): the console
    lists the municipality among those needing attention."""
    from zoneinfo import ZoneInfo

    tenant = current_municipality()
    if tenant is None:
        return 0
    today = timezone.now().astimezone(ZoneInfo(tenant.timezone)).date()
    with schema_context(get_public_schema_name()):
        return SubmissionCopy.objects.filter(
            municipality_id=tenant.pk, campaign__status=CampaignStatus.OPEN, campaign__deadline__lt=today,
            status__in=[SubmissionStatus.NOT_STARTED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED]).count()


# --- the region's side (public schema) -------------------------------------------------------------------------

def campaigns_visible_to(actor) -> QuerySet:
    if not reporting_permit(actor, REGION_READ):
        return Campaign.objects.none()
    return Campaign.objects.select_related("version__template")


@cache
def _campaign_with_version_statement() -> tuple[str, list, list]:
    """The statement ``campaign_with_version`` runs and the fields it reads, from the models (built once)."""
    campaign_fields = list(Campaign._meta.concrete_fields)
    version_fields = [f for f in TemplateVersion._meta.concrete_fields if f.name != "definition"]
    columns = ", ".join([f"c.{connection.ops.quote_name(f.column)}" for f in campaign_fields]
                        + [f"v.{connection.ops.quote_name(f.column)}" for f in version_fields])
    sql = (f"SELECT {columns} FROM {Campaign._meta.db_table} c "  # noqa: S608  (names from the models)
           f"JOIN {TemplateVersion._meta.db_table} v ON v.id = c.version_id WHERE c.id = %s")
    return sql, campaign_fields, version_fields


def campaign_with_version(pk: int) -> Campaign | None:
    """The campaign and its template version, in one written-out statement: the comparison page reads
    little else, and building the same join with the ORM cost more than running it. The version's
    definition is left unread: a published version's parsed definition is kept once per process
    (``TemplateVersion.parsed``), and the field is read on first use otherwise."""
    sql, campaign_fields, version_fields = _campaign_with_version_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    converted = []
    for f, value in zip([*campaign_fields, *version_fields], row, strict=True):
        for converter in f.get_db_converters(connection):
            value = converter(value, f, connection)
        converted.append(value)
    split = len(campaign_fields)
    campaign = Campaign.from_db(connection.alias, [f.attname for f in campaign_fields], converted[:split])
    campaign.version = TemplateVersion.from_db(connection.alias, [f.attname for f in version_fields], converted[split:])
    return campaign


def copies_visible_to(actor, campaign: Campaign) -> QuerySet:
    """The municipalities' rows of ``campaign`` ``actor`` may read; a regional API client only those of
    the municipalities it is given."""
    if not reporting_permit(actor, REGION_READ):
        return SubmissionCopy.objects.none()
    queryset = SubmissionCopy.objects.filter(campaign=campaign).select_related("municipality")
    if is_api_client(actor):
        record = getattr(actor, "client", actor)  # the request's authenticated client wraps the record
        queryset = queryset.filter(AnyOf(F("municipality__schema_name"), getattr(record, "municipalities", None) or []))
    return queryset.order_by("municipality__name")


def campaign_progress(campaign: Campaign, copies: QuerySet | None = None) -> dict[str, int]:
    """How many municipalities are at each status, plus the total and the overdue ones."""
    copies = copies if copies is not None else SubmissionCopy.objects.filter(campaign=campaign)
    counts = copies.order_by().aggregate(
        total=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in SubmissionStatus.values})
    return progress_from_counts(campaign, counts)


def progress_from_counts(campaign: Campaign, counts: dict[str, int]) -> dict[str, int]:
    """``counts`` (the total and one per status) with the overdue ones added."""
    past_deadline = campaign.deadline < timezone.localdate()
    counts["overdue"] = counts["total"] - sum(counts[status] for status in DELIVERED) if past_deadline else 0
    return counts


def current_municipality():
    """The municipality whose schema is active (the real row, also under ``schema_context``), or None."""
    from gorodok_tenants.models import Municipality

    schema = connection.schema_name
    if schema == get_public_schema_name():
        return None
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Municipality):
        return tenant
    with schema_context(get_public_schema_name()):
        return Municipality.objects.filter(schema_name=schema).first()


def summaries_visible_to(actor) -> QuerySet:
    """The region-wide appeals summaries ``actor`` may read."""
    from gorodok_services.reporting.models import AppealsSummary

    return AppealsSummary.objects.all() if reporting_permit(actor, REGION_READ) else AppealsSummary.objects.none()


def summary_rows_visible_to(actor, summary) -> list[dict]:
    """A summary's rows ``actor`` may read: a regional API client only those of its municipalities."""
    from gorodok_services.reporting.summaries import summary_rows

    if not reporting_permit(actor, REGION_READ):
        return []
    if is_api_client(actor):
        record = getattr(actor, "client", actor)
        return summary_rows(summary, list(getattr(record, "municipalities", None) or []))
    return summary_rows(summary)
