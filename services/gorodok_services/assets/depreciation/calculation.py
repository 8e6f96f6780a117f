"""The depreciation rule, one object at a time, in Python: the definition the bulk SQL of
``selectors.net_book_values`` implements (tests and the benchmark check that both agree to the kopeck).

Terms: base B = the balance value; useful life L months; commissioning date C. Depreciation is charged
from the month after the month of C; after n charged months (n = month index - index of C's month,
at least 0) the net book value at the end of the month is:

- linear: NBV(n) = B - round(B * n / L, 2) while n < L; 0 from n = L on. The accumulated depreciation is
  rounded, not each charge, so the charges add up to B exactly (the last one absorbs the kopecks).
- reducing balance with coefficient k: monthly rate r = k / L rounded to 20 decimal places, applied to the
  opening balance each month: NBV(n) = round(B * (1 - r) ** n, 2) while n < L; 0 from n = L on (the
  balance left at the end of the useful life is charged in its last month). A rate of 1 or more writes
  the object off in its first month.

A month's depreciation is NBV(n - 1) - NBV(n) (NBV(-1) = NBV(0) = B). Rounding is half up (away from
zero), to kopecks, as PostgreSQL's round(numeric, 2) does. The charge stops at zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal

KOPECK = Decimal("0.01")
RATE_PLACES = Decimal(1).scaleb(-20)
_EXACT = Context(prec=120)

LINEAR = "linear"
REDUCING_BALANCE = "reducing_balance"


def month_index(day: date) -> int:
    return day.year * 12 + day.month


def first_of_month(day: date) -> date:
    return day.replace(day=1)


@dataclass(frozen=True)
class Terms:
    base: Decimal
    method: str
    life: int
    coefficient: Decimal | None
    commissioned_on: date


def monthly_rate(coefficient: Decimal, life: int) -> Decimal:
    return _EXACT.divide(Decimal(coefficient), Decimal(life)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def net_book_value(terms: Terms, months_charged: int) -> Decimal:
    base = terms.base
    if months_charged <= 0:
        return base
    if months_charged >= terms.life:
        return Decimal("0.00")
    if terms.method == LINEAR:
        accumulated = _EXACT.divide(_EXACT.multiply(base, months_charged), terms.life)
        return base - accumulated.quantize(KOPECK, rounding=ROUND_HALF_UP)
    factor = max(Decimal(1) - monthly_rate(terms.coefficient, terms.life), Decimal(0))
    return _EXACT.multiply(base, _EXACT.power(factor, months_charged)).quantize(KOPECK, rounding=ROUND_HALF_UP)


def month_figures(terms: Terms, month: date) -> tuple[Decimal, Decimal]:
    """(depreciation charged in ``month``, net book value at its end)."""
    charged = month_index(month) - month_index(terms.commissioned_on)
    closing = net_book_value(terms, charged)
    opening = net_book_value(terms, charged - 1)
    return opening - closing, closing
