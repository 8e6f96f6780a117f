"""The legal calendar: counting calendar or working days in a municipality's time zone.

Working days follow the Russian production calendar as published in the ``holidays`` package:
federal holidays, the days off moved by government decree, and the Saturdays made working days
in exchange. Every deadline is the end of a local day, stored in UTC.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayType(models.TextChoices):
    CALENDAR = "calendar", _("calendar days")
    WORKING = "working", _("working days")


class Shift(models.TextChoices):
    """Where a calendar term goes when its last day is not a working day."""

    NONE = "none", _("stays on that day")
    NEXT = "next", _("moves to the next working day (Civil Code, art. 193)")
    PRECEDING = "preceding", _("moves to the preceding working day")


@lru_cache(maxsize=64)
def _russian_calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=range(year - 1, year + 3))


def is_working_day(day: date) -> bool:
    return _russian_calendar(day.year).is_working_day(day)


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def preceding_working_day(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def shift_day(day: date, shift: str, *, not_before: date | None = None) -> date:
    """``day`` moved by ``shift`` when it is not a working day. A move back never goes before
    ``not_before`` (the day the term counts from): a term cannot end before it starts."""
    if shift == Shift.NEXT:
        return next_working_day(day)
    if shift == Shift.PRECEDING:
        moved = preceding_working_day(day)
        return max(moved, not_before) if not_before is not None else moved
    return day


def add_days(start: date, days: int, day_type: str, *, shift_to_working_day: bool = True,
             shift: str | None = None) -> date:
    """The last day of a term of ``days`` days that starts the day after ``start``.

    Calendar terms whose last day is not a working day end on the next working day (Civil Code,
    art. 193) by default; ``shift`` chooses otherwise (``Shift``: none, next, preceding). Without
    ``shift``, ``shift_to_working_day`` off means none. Working-day terms always end on a working day.
    """
    if days < 0:
        raise ValueError("A term cannot be negative.")
    if day_type == DayType.WORKING:
        day = start
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if is_working_day(day):
                counted += 1
        return day
    if shift is None:
        shift = Shift.NEXT if shift_to_working_day else Shift.NONE
    return shift_day(start + timedelta(days=days), shift, not_before=start)


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()


def end_of_local_day(day: date, zone: str) -> datetime:
    """The last moment of ``day`` in ``zone``, as an aware datetime (store it in UTC)."""
    return datetime.combine(day, time(23, 59, 59, 999999), tzinfo=zoneinfo.ZoneInfo(zone))


def deadline(start: datetime, days: int, day_type: str, zone: str, *, shift_to_working_day: bool = True,
             shift: str | None = None) -> datetime:
    """The end of the term that starts on the local date of ``start`` in ``zone``."""
    return end_of_local_day(add_days(local_date(start, zone), days, day_type,
                                     shift_to_working_day=shift_to_working_day, shift=shift), zone)
