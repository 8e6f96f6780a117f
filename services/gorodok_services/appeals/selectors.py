"""Reads of appeals, shaped for their callers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gorodok_services.appeals.models import OPEN_STATUSES, Appeal, AppealEvent, Question


def appeal_open_count() -> int:
    return Appeal.objects.filter(status__in=OPEN_STATUSES).count()


def appeal_overdue_count(now=None) -> int:
    return appeal_overdue(now=now).count()


def appeal_overdue(now=None) -> QuerySet[Appeal]:
    """Open appeals past their answer deadline, or unregistered past the registration deadline."""
    now = now or timezone.now()
    return Appeal.objects.filter(status__in=OPEN_STATUSES).filter(
        Q(due_at__lt=now) | Q(registered_at__isnull=True, due_register_at__lt=now)
    )


def appeal_is_overdue(appeal: Appeal, now=None) -> bool:
    """The same rule as ``appeal_overdue``, for one appeal already in memory."""
    now = now or timezone.now()
    if appeal.status not in OPEN_STATUSES:
        return False
    if appeal.due_at is not None and appeal.due_at < now:
        return True
    return appeal.registered_at is None and appeal.due_register_at < now


def appeal_list() -> QuerySet[Appeal]:
    """Appeals with what a list shows: department, executor and questions (with their register objects)
    in two extra queries."""
    return (
        Appeal.objects.select_related("department", "executor")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.select_related("asset").order_by("position")))
        .order_by("-received_at", "-id")
    )


APPEAL_RELATIONS = ("questions", "events", "attachments")


def appeal_detail(relations=APPEAL_RELATIONS) -> QuerySet[Appeal]:
    """Appeals with department and executor, and of their questions (with register objects), history
    and attachments those named in ``relations`` (all by default): one query each."""
    lookups = {
        "questions": Prefetch("questions", queryset=Question.objects.select_related("asset").order_by("position")),
        "events": Prefetch("events", queryset=AppealEvent.objects.order_by("at", "id")),
        "attachments": "attachments",
    }
    return (Appeal.objects.select_related("department", "executor")
            .prefetch_related(*(lookups[name] for name in relations)).order_by("-received_at", "-id"))


# --- the filters every list offers (the back office's and the API's) ----------------------------------

QUEUES = ("mine", "week", "overdue", "unassigned")
SECTION_PREFIX = re.compile(r"\d{4}(?:\.\d{4}){0,3}")


def appeal_queue(queryset: QuerySet[Appeal], queue: str | None, user, now=None) -> QuerySet[Appeal]:
    """Open appeals in a work queue: ``mine``, due this ``week`` (ending on Sunday in the municipality's
    time zone), ``overdue``, ``unassigned``; any other value leaves the queryset as it is."""
    from datetime import timedelta

    from gorodok_services.appeals.deadlines import tenant_timezone
    from gorodok_services.core.calendar import end_of_local_day, local_date

    now = now or timezone.now()
    if queue == "mine":  # an API client is nobody's executor
        if user is None or not getattr(user, "pk", None):
            return queryset.none()
        return queryset.filter(status__in=OPEN_STATUSES, executor=user)
    if queue == "week":
        today = local_date(now, tenant_timezone())
        sunday = today + timedelta(days=6 - today.weekday())
        return queryset.filter(status__in=OPEN_STATUSES, due_at__gte=now,
                               due_at__lte=end_of_local_day(sunday, tenant_timezone()))
    if queue == "overdue":
        return queryset.filter(pk__in=appeal_overdue(now).values("pk"))
    if queue == "unassigned":
        return queryset.filter(status__in=OPEN_STATUSES, executor__isnull=True)
    return queryset


def appeal_in_section(queryset: QuerySet[Appeal], code_prefix: str) -> QuerySet[Appeal]:
    """Appeals with a question whose classifier code starts with ``code_prefix`` (a section such as 0003,
    or a longer beginning); listed once however many of their questions match."""
    return queryset.filter(Exists(Question.objects.filter(appeal=OuterRef("pk"),
                                                          classifier_code__startswith=code_prefix)))


def appeal_search(queryset: QuerySet[Appeal], term: str, *, personal_data: bool) -> QuerySet[Appeal]:
    """Appeals whose number, external number or subject contain ``term``; the applicant's name too only
    for a caller who may see personal data (otherwise the search would reveal it)."""
    condition = Q(registration_number__icontains=term) | Q(external_number__icontains=term) | Q(subject__icontains=term)
    if personal_data:
        condition |= Q(applicant_name__icontains=term)
    return queryset.filter(condition)


def appeal_overdue_filter(queryset: QuerySet[Appeal], overdue: bool, now=None) -> QuerySet[Appeal]:
    ids = appeal_overdue(now).values("pk")
    return queryset.filter(pk__in=ids) if overdue else queryset.exclude(pk__in=ids)


# --- appeals and the register objects they concern ---------------------------------------------------

def appeal_about_asset(queryset: QuerySet[Appeal], asset_id: int) -> QuerySet[Appeal]:
    """Appeals with a question about the register object ``asset_id``; listed once however many match."""
    return queryset.filter(Exists(Question.objects.filter(appeal=OuterRef("pk"), asset_id=asset_id)))


@dataclass(frozen=True)
class AssetAppealCount:
    """One row of "objects with the most appeals": the object and how many questions (and appeals)
    of the period concern it."""

    asset_id: int
    register_number: str
    name: str
    address: str
    status: str
    questions: int
    appeals: int


MAX_TOP = 100


def assets_by_appeals(*, date_from: date, date_to: date, section: str | None = None,
                      limit: int = 10) -> list[AssetAppealCount]:
    """The register objects with the most questions in the appeals received in the municipality's local
    dates ``date_from``..``date_to`` (inclusive), optionally only questions of one classifier section (or
    a longer code beginning): the most first, then by register number. One SQL query.

    Anonymised appeals count (they keep their questions' codes and objects); objects removed from the
    register since count too, with their status."""
    from gorodok_services.appeals.deadlines import tenant_timezone
    from gorodok_services.appeals.statistics import period_bounds

    if date_to < date_from:
        raise ValidationError({"date_to": ValidationError(_("The period ends before it starts."), code="invalid")})
    if not 1 <= limit <= MAX_TOP:
        raise ValidationError({"first": ValidationError(_("Between 1 and %(max)d.") % {"max": MAX_TOP},
                                                        code="max_value")})
    if section and not SECTION_PREFIX.fullmatch(section):
        raise ValidationError({"classifier_section": ValidationError(
            _("A classifier section is four digits, e.g. 0005 (or a longer code beginning)."), code="invalid")})
    start, end = period_bounds(date_from, date_to, tenant_timezone())
    sql, params = assets_by_appeals_sql(start, end, section, limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [AssetAppealCount(*row) for row in cursor.fetchall()]


def assets_by_appeals_sql(start, end, section: str | None, limit: int) -> tuple[str, list]:
    """The query behind ``assets_by_appeals`` for the moments [start, end): the linked questions of the
    period are counted per object and appeal, then per object (two hash aggregates, no sort of every
    row), and only then joined to the objects for their numbers and names; the top ``limit`` by a
    top-N sort. Tables are the current schema's (the municipality's search path)."""
    from gorodok_services.assets.models import Asset

    question, appeal, asset = Question._meta.db_table, Appeal._meta.db_table, Asset._meta.db_table
    section_condition = "AND q.classifier_code LIKE %s" if section else ""
    params = [start, end, *([section + "%"] if section else []), limit]
    sql = f"""
        WITH per_appeal AS (
            SELECT q.asset_id, count(*) AS questions
            FROM {question} q JOIN {appeal} a ON a.id = q.appeal_id
            WHERE q.asset_id IS NOT NULL AND a.received_at >= %s AND a.received_at < %s {section_condition}
            GROUP BY q.asset_id, q.appeal_id
        ), per_asset AS (
            SELECT asset_id, sum(questions)::int AS questions, count(*)::int AS appeals
            FROM per_appeal GROUP BY asset_id
        )
        SELECT o.id, o.register_number, o.name, o.address, o.status, p.questions, p.appeals
        FROM per_asset p JOIN {asset} o ON o.id = p.asset_id
        ORDER BY p.questions DESC, o.register_number
        LIMIT %s"""  # noqa: S608 -- table names from the models, values as parameters
    return sql, params
