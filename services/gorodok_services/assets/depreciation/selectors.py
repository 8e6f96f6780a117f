"""Reads of depreciation: the net book value of every object of the municipality for a month or a
range of months, in one SQL query (no loop over objects in Python). The rule and its rounding are
defined in ``calculation`` (which computes the same figures one object at a time).

An object takes part when it has a method and a useful life (its own, or its kind's default); its
commissioning date is its own or, when empty, the date it was included in the register. It appears in
a month when it was commissioned by the month's end and had not left the register before the month began.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from gorodok_services.assets.depreciation.calculation import first_of_month, month_index
from gorodok_services.assets.depreciation.models import CategoryDefault, DepreciationProfile
from gorodok_services.assets.models import Asset, AssetStatus

MAX_MONTHS = 120  # one query covers at most ten years of months


@dataclass(frozen=True)
class MonthFigure:
    asset_id: int
    month: date
    depreciation: Decimal
    net_book_value: Decimal


def _nbv(months: str) -> str:
    """The net book value after ``months`` charged months, as an SQL expression over ``counted``."""
    months = f"({months})"
    return f"""CASE
        WHEN {months} <= 0 THEN base
        WHEN {months} >= life THEN 0::numeric
        WHEN method = 'linear' THEN base - round(base * {months} / life, 2)
        ELSE round(base * power(factor, ({months})::numeric), 2)
    END"""


def _figures_sql(asset_filter: str) -> str:
    """The query; ``asset_filter`` is one of this module's constant conditions (values go as parameters)."""
    return f"""
WITH months AS (
    SELECT gs::date AS month
    FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') AS gs
), terms AS (
    SELECT a.id AS asset_id, a.balance_value AS base,
           COALESCE(NULLIF(p.method, ''), d.method) AS method,
           COALESCE(p.useful_life_months, d.useful_life_months) AS life,
           COALESCE(p.coefficient, d.coefficient) AS coefficient,
           COALESCE(p.commissioned_on, a.included_on) AS commissioned_on,
           a.removed_on
    FROM {Asset._meta.db_table} a
    LEFT JOIN {DepreciationProfile._meta.db_table} p ON p.asset_id = a.id
    LEFT JOIN {CategoryDefault._meta.db_table} d ON d.kind = a.kind
    WHERE {asset_filter}
), rated AS (
    SELECT asset_id, base, method, life, commissioned_on, removed_on,
           CASE WHEN method = 'reducing_balance'
                THEN GREATEST(1 - round(coefficient::numeric(30, 24) / life, 20), 0)::numeric(60, 40) END AS factor,
           (EXTRACT(YEAR FROM commissioned_on)::int * 12 + EXTRACT(MONTH FROM commissioned_on)::int) AS start_index
    FROM terms
    WHERE method IS NOT NULL AND life IS NOT NULL
), counted AS (
    SELECT r.asset_id, m.month, r.base, r.method, r.life, r.factor,
           EXTRACT(YEAR FROM m.month)::int * 12 + EXTRACT(MONTH FROM m.month)::int - r.start_index AS n
    FROM rated r
    JOIN months m ON r.commissioned_on < (m.month + interval '1 month')::date
                 AND (r.removed_on IS NULL OR r.removed_on >= m.month)
)
SELECT asset_id, month, opening - closing AS depreciation, closing AS net_book_value
FROM (SELECT asset_id, month, {_nbv("n - 1")} AS opening, {_nbv("n")} AS closing FROM counted) AS valued
"""  # noqa: S608 - table names from the models, conditions from this module


def month_bounds(first: date, last: date | None = None) -> tuple[date, date]:
    first = first_of_month(first)
    last = first_of_month(last) if last is not None else first
    return first, last


def net_book_values(first: date, last: date | None = None, *, asset_ids: Iterable[int] | None = None,
                    in_register_only: bool = False) -> list[MonthFigure]:
    """(object, month, depreciation of the month, net book value at its end) for every depreciated object,
    for the month of ``first`` or each month from ``first`` to ``last``; by month, then object. One query.
    The caller bounds the range (``MAX_MONTHS``): the services and the API check it."""
    first, last = month_bounds(first, last)
    conditions, params = ["TRUE"], {"first": first, "last": last}
    if asset_ids is not None:
        conditions.append("a.id = ANY(%(ids)s)")
        params["ids"] = list(asset_ids)
    if in_register_only:
        conditions.append("a.status = %(in_register)s")
        params["in_register"] = AssetStatus.IN_REGISTER.value
    sql = _figures_sql(" AND ".join(conditions)) + " ORDER BY month, asset_id"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [MonthFigure(*row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class MonthSummary:
    month: date
    objects: int
    depreciation: Decimal
    net_book_value: Decimal
    balance_value: Decimal


def depreciation_summary(month: date) -> MonthSummary:
    """The municipality's totals for a month: objects depreciated, the month's charge, the net book
    value at its end and the balance value of those objects. One query."""
    first, last = month_bounds(month)
    sql = (f"SELECT count(*), COALESCE(sum(f.depreciation), 0), COALESCE(sum(f.net_book_value), 0), "  # noqa: S608
           f"COALESCE(sum(a.balance_value), 0) FROM ({_figures_sql('TRUE')}) AS f "
           f"JOIN {Asset._meta.db_table} a ON a.id = f.asset_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"first": first, "last": last})
        count, charge, value, balance = cursor.fetchone()
    return MonthSummary(first, count, charge, value, balance)


def months_between(first: date, last: date) -> int:
    return month_index(last) - month_index(first) + 1
