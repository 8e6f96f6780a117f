"""Region-wide figures of a campaign, from the submitted copies in the public schema: the comparison
table (each municipality's answers side by side) and the aggregates per field (sum, mean, median, min,
max; for the whole audience and by kind of municipality), from the public copies; nothing visits a
municipality's schema."""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet

from gorodok_services.reporting.definition import CHOICE, TABLE, YESNO, Field
from gorodok_services.reporting.models import DELIVERED, Campaign, SubmissionCopy

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


def campaign_aggregates(campaign: Campaign, copies: QuerySet | None = None) -> list[FieldFigures]:
    """The figures of every number, choice and yes/no field of the campaign's template, over the
    submitted copies (for the whole audience and by kind of municipality).

    One query reads the copies' values; the result is cached under the copies' state (how many are
    delivered and the last change among them), so it is recomputed only after a submission changed."""
    copies = copies if copies is not None else SubmissionCopy.objects.filter(campaign=campaign)
    delivered = copies.filter(status__in=DELIVERED).order_by().select_related(None)
    state = delivered.aggregate(count=Count("pk"), changed=Max("updated_at"))
    # The rows asked for (a regional client sees only its municipalities) and their state: any change to a
    # copy moves its updated_at, so a key never outlives the figures it names.
    selection = hashlib.sha256(str(delivered.query).encode()).hexdigest()[:32]
    key = "reporting:figures:{}:{}:{}:{}".format(
        campaign.pk, selection, state["count"], state["changed"].timestamp() if state["changed"] else 0)
    cached = cache.get(key)
    if cached is None:
        rows = list(delivered.values_list("municipality__kind", "values"))
        cached = _compute(campaign.version.parsed.fields, rows)
        cache.set(key, cached, FIGURES_CACHE_SECONDS)
    return cached


def campaign_figures_warm(campaign_id: int) -> None:
    """Compute the whole campaign's figures once a change to it is committed, so the committee's next
    page or query finds them ready (a regional client restricted to some municipalities still computes
    its own on first use)."""
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
        return "да" if value else "нет"
    if f.type == TABLE:
        return str(len(value))
    return str(value)


def comparison_table(campaign: Campaign, copies: QuerySet | None = None, *, offset: int = 0,
                     limit: int | None = None) -> tuple[list[Field], list[dict]]:
    """The columns (every field but tables) and one row per municipality asked, by name: its status
    and, once submitted, its answers (``offset``/``limit`` for a page of them)."""
    copies = copies if copies is not None else SubmissionCopy.objects.filter(campaign=campaign)
    columns = [f for f in campaign.version.parsed.fields if f.type != TABLE]
    rows = []
    queryset = copies.order_by("municipality__name", "pk").values_list(
        "municipality__name", "municipality__kind", "status", "values")
    queryset = queryset[offset:offset + limit] if limit is not None else queryset[offset:]
    for name, kind, status, values in queryset:
        delivered = status in DELIVERED
        rows.append({"municipality": name, "kind": kind, "status": status,
                     "values": [values.get(f.code) if delivered else None for f in columns]})
    return columns, rows
