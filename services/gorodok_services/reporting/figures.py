"""Region-wide figures of a campaign, from the submitted copies in the public schema: the comparison
table (each municipality's answers side by side) and the aggregates per field (sum, mean, median, min,
max; for the whole audience and by kind of municipality), from the public copies; nothing visits a
municipality's schema."""

from __future__ import annotations

import hashlib
import json
import logging
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gorodok_services.reporting.definition import CHOICE, TABLE, YESNO, Field
from gorodok_services.reporting.models import DELIVERED, Campaign, CampaignFigures, SubmissionCopy, SubmissionStatus
from gorodok_services.reporting.selectors import progress_from_counts

logger = logging.getLogger(__name__)
MEAN_PLACES = Decimal("0.00001")
FIGURES_CACHE_SECONDS = 3600


@dataclass
class FieldAggregate:
    count: int = 0
    sum: Decimal | None = None
    mean: Decimal | None = None
    median: Decimal | None = None
    min: Decimal | None = None
    max: Decimal | None = None


@dataclass
class FieldFigures:
    field: Field
    overall: FieldAggregate
    by_kind: dict[str, FieldAggregate] = field(default_factory=dict)
    choices: dict[str, int] = field(default_factory=dict)  # choice and yes/no fields: answers per option


def aggregate(numbers: list[Decimal]) -> FieldAggregate:
    """The same figures of a list of numbers, in Python (the naive baseline and checks use it)."""
    if not numbers:
        return FieldAggregate()
    total = sum(numbers, Decimal(0))
    return FieldAggregate(count=len(numbers), sum=total,
                     mean=(total / len(numbers)).quantize(MEAN_PLACES, rounding=ROUND_HALF_UP),
                     median=statistics.median(numbers), min=min(numbers), max=max(numbers))


def delivered_rows(campaign: Campaign, copies: QuerySet | None = None) -> list[tuple]:
    """(municipality name, kind, status, values) of every submitted or accepted report, by name."""
    copies = copies if copies is not None else SubmissionCopy.objects.filter(campaign=campaign)
    return list(copies.filter(status__in=DELIVERED).order_by("municipality__name")
                .values_list("municipality__name", "municipality__kind", "status", "values"))


def _compute(fields: list[Field], rows: list[tuple]) -> list[FieldFigures]:
    numeric = [f for f in fields if f.numeric]
    overall: dict[str, list[Decimal]] = {f.code: [] for f in numeric}
    kinds: dict[str, dict[str, list[Decimal]]] = {}
    counted = {f.code: dict.fromkeys([v for v, _l in f.choices] if f.type == CHOICE else ["true", "false"], 0)
               for f in fields if f.type in (CHOICE, YESNO)}
    for kind, values in rows:
        by_kind = kinds.setdefault(kind, {f.code: [] for f in numeric})
        for f in numeric:
            raw = values.get(f.code)
            if raw is not None:
                number = Decimal(raw)
                overall[f.code].append(number)
                by_kind[f.code].append(number)
        for code, counts in counted.items():
            answer = values.get(code)
            for item in answer if isinstance(answer, list) else ([] if answer is None else [answer]):
                key = ("true" if item else "false") if isinstance(item, bool) else item
                if key in counts:
                    counts[key] += 1
    result = []
    for f in fields:
        if f.numeric:
            result.append(FieldFigures(f, aggregate(overall[f.code]),
                                       {kind: aggregate(numbers[f.code]) for kind, numbers in sorted(kinds.items())}))
        elif f.code in counted:
            result.append(FieldFigures(f, FieldAggregate(count=sum(counted[f.code].values())),
                                       choices=counted[f.code]))
    return result


def _aggregate_json(value: FieldAggregate) -> list:
    return [value.count, *(None if v is None else str(v) for v in
                           (value.sum, value.mean, value.median, value.min, value.max))]


def _aggregate_from_json(data: list) -> FieldAggregate:
    count, *numbers = data
    return FieldAggregate(count, *(None if v is None else Decimal(v) for v in numbers))


def figures_to_json(figures: list[FieldFigures]) -> list[dict]:
    """Figures as stored (numbers as their exact decimal text)."""
    return [{"code": f.field.code, "overall": _aggregate_json(f.overall),
             "by_kind": {kind: _aggregate_json(value) for kind, value in f.by_kind.items()}, "choices": f.choices}
            for f in figures]


def figures_from_json(fields: list[Field], data: list[dict]) -> list[FieldFigures]:
    by_code = {f.code: f for f in fields}
    return [FieldFigures(by_code[item["code"]], _aggregate_from_json(item["overall"]),
                         {kind: _aggregate_from_json(value) for kind, value in item["by_kind"].items()},
                         dict(item["choices"]))
            for item in data if item["code"] in by_code]


def figures_revision_move(campaign_id: int) -> None:
    """Mark the campaign's kept figures as behind its copies (called in the transaction that changes a
    copy's status or values)."""
    table = CampaignFigures._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (campaign_id, revision) VALUES (%s, 1) "  # noqa: S608 (model's table)
                       f"ON CONFLICT (campaign_id) DO UPDATE SET revision = {table}.revision + 1", [campaign_id])


def _store(campaign_id: int, revision: int, delivered: int, figures: list[FieldFigures]) -> None:
    """Keep figures computed at ``revision``, unless figures of a later revision are kept already."""
    table = CampaignFigures._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (campaign_id, revision, computed_revision, delivered, figures, computed_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, now()) ON CONFLICT (campaign_id) DO UPDATE SET "
            "computed_revision = EXCLUDED.computed_revision, delivered = EXCLUDED.delivered, "
            "figures = EXCLUDED.figures, computed_at = EXCLUDED.computed_at "
            f"WHERE {table}.computed_revision IS NULL OR {table}.computed_revision < EXCLUDED.computed_revision",
            [campaign_id, revision, revision, delivered, json.dumps(figures_to_json(figures))])


def campaign_aggregates(campaign: Campaign, copies: QuerySet | None = None, *, delivered_count: int | None = None,
                        kept: tuple | None = None) -> list[FieldFigures]:
    """The figures of every number, choice and yes/no field of the campaign's template, over the
    submitted copies (for the whole audience and by kind of municipality).

    The whole audience's figures are kept in the public schema (``CampaignFigures``), computed again
    after each change to the campaign's copies; they answer any request whose copies are all of the
    campaign's delivered ones (two small queries). A part of the audience (a regional client given some
    municipalities), or figures found behind the copies, are computed from the copies in one query and
    cached under the campaign's revision; the whole audience's are kept again on the way.
    ``delivered_count``: how many of ``copies`` are submitted or accepted, when the caller has just
    counted them, and ``kept``: the kept row's (revision, computed revision, delivered, figures) read
    in the same statement as that count (``campaign_progress_and_aggregates``); without them the kept
    row is read here, before any copy."""
    copies = copies if copies is not None else SubmissionCopy.objects.filter(campaign=campaign)
    delivered = copies.filter(status__in=DELIVERED).order_by().select_related(None)
    # The revision is read before any copy: figures computed afterwards are at least that recent.
    if kept is None:
        kept = CampaignFigures.objects.filter(campaign_id=campaign.pk).values_list(
            "revision", "computed_revision", "delivered", "figures").first()
    revision, kept_revision, kept_count, kept = kept if kept is not None and kept[0] is not None else (
        0, None, None, None)
    count = delivered_count if delivered_count is not None else delivered.count()
    fields = campaign.version.parsed.fields
    # The copies asked for are a part of the campaign's: as many as were counted at the same revision
    # means all of them.
    if kept_revision == revision and kept_count == count:
        return figures_from_json(fields, kept)
    selection = hashlib.sha256(str(delivered.query).encode()).hexdigest()[:32]
    key = f"reporting:figures:{campaign.pk}:{selection}:{revision}:{count}"
    cached = cache.get(key)
    if cached is None:
        cached = _compute(fields, list(delivered.values_list("municipality__kind", "values")))
        cache.set(key, cached, FIGURES_CACHE_SECONDS)
    if count == SubmissionCopy.objects.filter(campaign=campaign, status__in=DELIVERED).count():
        try:
            with transaction.atomic():
                _store(campaign.pk, revision, count, cached)
        except DatabaseError:  # e.g. the campaign deleted meanwhile: the figures are answered, not kept
            logger.warning("reporting: figures of campaign %s not kept", campaign.pk, exc_info=True)
    return cached


def campaign_progress_and_aggregates(campaign: Campaign,
                                     copies: QuerySet | None = None) -> tuple[dict[str, int], list[FieldFigures]]:
    """``campaign_progress`` and ``campaign_aggregates`` over ``copies``, for a page showing both: the
    statuses are counted and the kept figures read in one statement, so both are of one moment."""
    copies = copies if copies is not None else SubmissionCopy.objects.filter(campaign=campaign)
    statuses = list(SubmissionStatus.values)
    copies_sql, copies_params = copies.order_by().select_related(None).values_list("status").query.sql_with_params()
    counted = ", ".join(["count(*) FILTER (WHERE copy.status = %s)"] * len(statuses))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT counts.*, kept.revision, kept.computed_revision, kept.delivered, kept.figures "  # noqa: S608
            f"FROM (SELECT count(*), {counted} FROM ({copies_sql}) AS copy) AS counts "
            f"LEFT JOIN {CampaignFigures._meta.db_table} AS kept ON kept.campaign_id = %s",
            [*statuses, *copies_params, campaign.pk])
        total, *per_status, revision, kept_revision, kept_count, kept = cursor.fetchone()
    progress = progress_from_counts(campaign, {"total": total, **dict(zip(statuses, per_status, strict=True))})
    kept = json.loads(kept) if isinstance(kept, str) else kept
    figures = campaign_aggregates(campaign, copies, delivered_count=sum(progress[s] for s in DELIVERED),
                                  kept=(revision, kept_revision, kept_count, kept))
    return progress, figures


def campaign_figures_warm(campaign_id: int) -> None:
    """Compute the whole campaign's figures once a change to it is committed and keep them, so the
    committee's next page or query reads them ready."""
    campaign = Campaign.objects.select_related("version").filter(pk=campaign_id).first()
    if campaign is not None:
        campaign_aggregates(campaign)


def display_value(f: Field, value) -> str:
    """A value as a person reads it in a table cell (tables summarised by their row count)."""
    if value is None:
        return ""
    if f.type == CHOICE:
        return "; ".join(f.choice_label(v) for v in (value if isinstance(value, list) else [value]))
    if f.type == YESNO:
        return str(_("yes") if value else _("no"))
    if f.type == TABLE:
        return str(len(value))
    return str(value)


def _plain_text(value) -> str:
    return "" if value is None else str(value)


def _in_order(copies: QuerySet, offset: int, limit: int | None, *values: str) -> QuerySet:
    """``values`` of the copies in the comparison's order (by municipality), ``limit`` from ``offset``."""
    queryset = copies.order_by("municipality__name", "pk").values_list(*values)
    return queryset[offset:offset + limit] if limit is not None else queryset[offset:]


def comparison_table(campaign: Campaign, copies: QuerySet | None = None, *, offset: int = 0,
                     limit: int | None = None) -> tuple[list[Field], list[dict]]:
    """The columns (every field but tables) and one row per municipality asked, by name: its status
    and, once submitted, its answers (``offset``/``limit`` for a page of them)."""
    copies = copies if copies is not None else SubmissionCopy.objects.filter(campaign=campaign)
    columns = [f for f in campaign.version.parsed.fields if f.type != TABLE]
    rows = []
    for name, kind, status, values in _in_order(copies, offset, limit, "municipality__name", "municipality__kind",
                                                "status", "values"):
        delivered = status in DELIVERED
        rows.append({"municipality": name, "kind": kind, "status": status,
                     "values": [values.get(f.code) if delivered else None for f in columns]})
    return columns, rows


def _text_shown(f: Field):
    """How one column's answers read (``display_value``, decided once for the column: a page has
    thousands of cells); None where the stored answer is the text shown (numbers, dates, texts)."""
    if f.type == YESNO:
        yes, no = str(_("yes")), str(_("no"))
        return lambda value: "" if value is None else yes if value else no
    if f.type == CHOICE:
        labels, shown = f.choice_labels, partial(display_value, f)
        return lambda value: labels.get(value, value) if value.__class__ is str else shown(value)
    return None


def comparison_texts(campaign: Campaign, copies: QuerySet | None = None, *, offset: int = 0,
                     limit: int | None = None) -> tuple[list[Field], list[tuple[str, str, list[str]]]]:
    """``comparison_table`` as a person reads it: the columns, and per municipality its name, its status
    and each answer's text (``display_value``; "" until submitted)."""
    copies = copies if copies is not None else SubmissionCopy.objects.filter(campaign=campaign)
    columns = [f for f in campaign.version.parsed.fields if f.type != TABLE]
    shown = [(f.code, _text_shown(f)) for f in columns]
    blank = [""] * len(columns)
    return columns, [(name, status, [
        text(value) if text is not None else value if value.__class__ is str else _plain_text(value)
        for code, text in shown for value in (values.get(code),)] if status in DELIVERED else blank)
        for name, status, values in _in_order(copies, offset, limit, "municipality__name", "status", "values")]
