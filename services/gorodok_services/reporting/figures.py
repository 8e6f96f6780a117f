"""Region-wide figures of a campaign, from the submitted copies in the public schema: the comparison
table (each municipality's answers side by side) and the aggregates per field (sum, mean, median, min,
max; for the whole audience and by kind of municipality). One query reads the rows; nothing visits a
municipality's schema."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from gorodok_services.reporting.definition import CHOICE, TABLE, YESNO, Field
from gorodok_services.reporting.models import DELIVERED, Campaign, SubmissionCopy

MEAN_PLACES = Decimal("0.00001")


@dataclass
class Aggregate:
    count: int = 0
    sum: Decimal | None = None
    mean: Decimal | None = None
    median: Decimal | None = None
    min: Decimal | None = None
    max: Decimal | None = None


@dataclass
class FieldFigures:
    field: Field
    overall: Aggregate
    by_kind: dict[str, Aggregate] = field(default_factory=dict)
    choices: dict[str, int] = field(default_factory=dict)  # choice and yes/no fields: answers per option


def aggregate(numbers: list[Decimal]) -> Aggregate:
    if not numbers:
        return Aggregate()
    total = sum(numbers, Decimal(0))
    return Aggregate(count=len(numbers), sum=total,
                     mean=(total / len(numbers)).quantize(MEAN_PLACES, rounding=ROUND_HALF_UP),
                     median=statistics.median(numbers), min=min(numbers), max=max(numbers))


def delivered_rows(campaign: Campaign, copies: QuerySet | None = None) -> list[tuple]:
    """(municipality name, kind, status, values) of every submitted or accepted report, by name."""
    copies = copies if copies is not None else SubmissionCopy.objects.filter(campaign=campaign)
    return list(copies.filter(status__in=DELIVERED).order_by("municipality__name")
                .values_list("municipality__name", "municipality__kind", "status", "values"))


def campaign_aggregates(campaign: Campaign, copies: QuerySet | None = None) -> list[FieldFigures]:
    """The figures of every number, choice and yes/no field of the campaign's template."""
    rows = delivered_rows(campaign, copies)
    result = []
    for f in campaign.version.parsed.fields:
        if f.numeric:
            overall: list[Decimal] = []
            kinds: dict[str, list[Decimal]] = {}
            for _name, kind, _status, values in rows:
                raw = values.get(f.code)
                if raw is not None:
                    number = Decimal(raw)
                    overall.append(number)
                    kinds.setdefault(kind, []).append(number)
            result.append(FieldFigures(f, aggregate(overall),
                                       {kind: aggregate(numbers) for kind, numbers in sorted(kinds.items())}))
        elif f.type in (CHOICE, YESNO):
            counts: dict[str, int] = {}
            options = [value for value, _label in f.choices] if f.type == CHOICE else ["true", "false"]
            counts = dict.fromkeys(options, 0)
            for _name, _kind, _status, values in rows:
                answer = values.get(f.code)
                answers = answer if isinstance(answer, list) else ([] if answer is None else [answer])
                for item in answers:
                    key = str(item).lower() if f.type == YESNO else item
                    if key in counts:
                        counts[key] += 1
            result.append(FieldFigures(f, Aggregate(count=sum(counts.values())), choices=counts))
    return result


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


def comparison_table(campaign: Campaign, copies: QuerySet | None = None) -> tuple[list[Field], list[dict]]:
    """The columns (every field but tables) and one row per municipality asked, by name: its status
    and, once submitted, its answers."""
    copies = copies if copies is not None else SubmissionCopy.objects.filter(campaign=campaign)
    columns = [f for f in campaign.version.parsed.fields if f.type != TABLE]
    rows = []
    for name, kind, status, values in copies.order_by("municipality__name").values_list(
            "municipality__name", "municipality__kind", "status", "values"):
        delivered = status in DELIVERED
        rows.append({"municipality": name, "kind": kind, "status": status,
                     "values": [values.get(f.code) if delivered else None for f in columns]})
    return columns, rows
