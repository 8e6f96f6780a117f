"""Report sources of the appeals module: figures of a municipality for a period that reporting reads
(each runs inside the municipality's schema; dates are local to it, both inclusive)."""

from __future__ import annotations

from datetime import date

from gorodok_services.appeals.deadlines import tenant_timezone
from gorodok_services.appeals.models import Appeal, Question
from gorodok_services.appeals.statistics import appeals_in_period, late_at, open_at, period_bounds


def _period(date_from: date, date_to: date):
    return period_bounds(date_from, date_to, str(tenant_timezone()))


def appeals_received(date_from: date, date_to: date) -> int:
    """Appeals of the period (by registration date, or receipt for those not registered yet)."""
    start, end = _period(date_from, date_to)
    return Appeal.objects.filter(appeals_in_period(start, end)).count()


def questions_received(date_from: date, date_to: date) -> int:
    start, end = _period(date_from, date_to)
    return Question.objects.filter(appeals_in_period(start, end, prefix="appeal__")).count()


def appeals_open_at_end(date_from: date, date_to: date) -> int:
    """Appeals of the period still under consideration at the end of ``date_to``."""
    start, end = _period(date_from, date_to)
    return Appeal.objects.filter(appeals_in_period(start, end)).filter(open_at(end)).count()


def appeals_considered_late(date_from: date, date_to: date) -> int:
    """Appeals of the period answered late, or open and past their due date at the end of ``date_to``."""
    start, end = _period(date_from, date_to)
    return Appeal.objects.filter(appeals_in_period(start, end)).filter(late_at(end)).count()
