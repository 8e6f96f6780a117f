"""Every date and time an API caller sends is bounded at the input, whatever the field.

graphene's Date and DateTime scalars accept anything Python can hold (years 1 to 9999, offsets up to
±24 h), but such a moment may not survive conversion to UTC (``0001-01-01T00:00:00+14:00``), may be
stored as a year PostgreSQL holds and Python cannot read back (``9999-12-31T23:59:59-14:00`` is year
10000 in UTC), or may overflow the arithmetic of deadlines and periods. This middleware looks at the
arguments of every field before it resolves, input objects and lists included, and refuses a date or
a moment outside ``MIN_YEAR``..``MAX_YEAR`` (judged in UTC for a moment) with ``VALUE_OUT_OF_RANGE``.
Integers are bounded by GraphQL itself (32 bits); page sizes, offsets and cursors by the connection
fields; lengths by each mutation.
"""

from __future__ import annotations

import datetime as dt
import math

from django.utils.translation import gettext as _

from graphql import GraphQLError

MIN_YEAR = 1900
MAX_YEAR = 2999


class ValueOutOfRange(GraphQLError):
    def __init__(self, argument: str):
        super().__init__(
            _("`%(arg)s` is out of range: dates from %(min)d to %(max)d only.")
            % {"arg": argument, "min": MIN_YEAR, "max": MAX_YEAR},
            extensions={"code": "VALUE_OUT_OF_RANGE", "argument": argument},
        )


def date_in_range(value: dt.date) -> bool:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        try:
            utc = value.astimezone(dt.UTC)
        except OverflowError:
            return False
        return MIN_YEAR <= utc.year <= MAX_YEAR and MIN_YEAR <= value.year <= MAX_YEAR
    return MIN_YEAR <= value.year <= MAX_YEAR


def check_bounds(value, argument: str) -> None:
    """Raise ValueOutOfRange for a date, a moment or a non-finite number anywhere in ``value``."""
    if isinstance(value, dt.date):
        if not date_in_range(value):
            raise ValueOutOfRange(argument)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueOutOfRange(argument)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_bounds(item, f"{argument}.{key}" if argument else str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            check_bounds(item, argument)


class InputBoundsMiddleware:
    """graphene middleware: every field's arguments are checked before its resolver runs.

    It looks at nothing but arguments: the execution context completes a field that declares none
    without calling it (``core.execution``)."""

    arguments_only = True

    def resolve(self, next_, root, info, **args):
        if args:
            for name, value in args.items():
                if value is not None and not isinstance(value, str | bool | int):
                    check_bounds(value, name)
        return next_(root, info, **args)
