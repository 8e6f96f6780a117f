"""Connection fields: keyset cursors, page sizes and cursors checked at the input with coded errors,
and no COUNT(*) unless ``totalCount`` is asked for.

**Keyset cursors.** A list backed by a queryset is ordered by its own ordering plus the primary key (so
the order is total), and an edge's cursor holds that row's values of the ordering columns. ``after``
and ``before`` then mean "the rows strictly after/before this one in that order": a row created,
changed or removed while an integrator pages through a list never shifts the others, so no row is
listed twice or skipped because of it. A cursor is opaque (base64 of a small JSON document); one that
does not decode, does not fit the list's ordering, or carries a value out of its column's range is
refused with ``INVALID_CURSOR``. Offset cursors of earlier versions (``arrayconnection:<n>``) are still
accepted as ``after`` within ``MAX_OFFSET``. Lists that are not querysets keep offset cursors, bounded
the same way.

Refusals, each a GraphQL error with ``extensions.code``: ``INVALID_PAGE_SIZE`` (negative ``first``,
``last`` or ``offset``, or ``offset`` past ``MAX_OFFSET``), ``PAGE_SIZE_EXCEEDED`` (over the cap),
``INVALID_CURSOR``, ``INVALID_PAGINATION`` (``before`` or ``last`` together with ``offset``).
"""

from __future__ import annotations

import binascii
import datetime as dt
import json
import uuid
from base64 import urlsafe_b64decode, urlsafe_b64encode
from contextvars import ContextVar
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from graphene.relay.connection import PageInfo
from graphene_django import DjangoConnectionField
from graphene_django.utils import maybe_queryset
from graphql_relay import connection_from_array_slice, get_offset_with_default

from gorodok_graphql.core.bounds import date_in_range
from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode

_count_wanted: ContextVar[bool] = ContextVar("gorodok_count_wanted", default=True)

KEYSET_PREFIX = "keyset:"
LEGACY_PREFIX = "arrayconnection:"
MAX_CURSOR_LENGTH = 2000
MAX_OFFSET = 100_000
_INT_BOUNDS = {
    models.SmallIntegerField: 2**15 - 1, models.PositiveSmallIntegerField: 2**15 - 1,
    models.BigIntegerField: 2**63 - 1, models.BigAutoField: 2**63 - 1, models.PositiveBigIntegerField: 2**63 - 1,
    models.IntegerField: 2**31 - 1, models.AutoField: 2**31 - 1, models.SmallAutoField: 2**15 - 1,
}


def selects(selection_set, name: str, fragments) -> bool:
    """Whether `selection_set` selects a field called `name`, directly or through fragments."""
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode) and selection.name.value == name:
            return True
        if isinstance(selection, InlineFragmentNode) and selects(selection.selection_set, name, fragments):
            return True
        if isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and selects(fragment.selection_set, name, fragments):
                return True
    return False


def total_count_requested(info) -> bool:
    return any(selects(node.selection_set, "totalCount", info.fragments) for node in info.field_nodes)


def invalid_cursor(argument: str) -> GraphQLError:
    return GraphQLError(_("`%(arg)s` is not a cursor of this list.") % {"arg": argument},
                        extensions={"code": "INVALID_CURSOR", "argument": argument})


def _invalid_pagination(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "INVALID_PAGINATION"})


# --- keyset cursors ----------------------------------------------------------------------------------

def _ordering(queryset: QuerySet) -> list[tuple[models.Field, bool]]:
    """The queryset's ordering as (concrete field, descending), made total with the primary key; None
    when it orders by something other than plain columns of its own model (then offsets are used)."""
    model = queryset.model
    names = list(queryset.query.order_by or queryset.query.get_meta().ordering or ())
    if not queryset.query.default_ordering and not queryset.query.order_by:
        names = []
    result: list[tuple[models.Field, bool]] = []
    for name in names:
        if not isinstance(name, str) or "__" in name or name.startswith("?"):
            return None
        descending = name.startswith("-")
        attname = name.lstrip("-+")
        try:
            field = model._meta.pk if attname == "pk" else model._meta.get_field(attname)
        except FieldDoesNotExist:
            return None
        if not getattr(field, "concrete", False) or field.many_to_many or field.one_to_many:
            return None
        if field.null:  # NULLs do not compare: such an ordering is paged by offset
            return None
        if all(existing.attname != field.attname for existing, _ in result):
            result.append((field, descending))
    if all(field.attname != model._meta.pk.attname for field, _ in result):
        result.append((model._meta.pk, result[-1][1] if result else False))
    return result


def _json_value(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def encode_cursor(row, ordering) -> str:
    values = [_json_value(getattr(row, field.attname)) for field, _ in ordering]
    document = json.dumps(values, separators=(",", ":"), ensure_ascii=False)
    return urlsafe_b64encode((KEYSET_PREFIX + document).encode()).decode()


def _decode(cursor, argument: str) -> str:
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid_cursor(argument)
    try:
        return urlsafe_b64decode(cursor.encode("ascii") + b"=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, ValueError) as error:
        raise invalid_cursor(argument) from error


def legacy_offset(cursor, argument: str) -> int:
    """The offset an ``arrayconnection:<n>`` cursor names, within bounds."""
    text = _decode(cursor, argument)
    if not text.startswith(LEGACY_PREFIX):
        raise invalid_cursor(argument)
    number = text[len(LEGACY_PREFIX):]
    if not number.isascii() or not number.isdigit() or len(number) > 9 or int(number) > MAX_OFFSET:
        raise invalid_cursor(argument)
    return int(number)


def _field_value(field: models.Field, value, argument: str):
    if value is None or isinstance(value, bool | list | dict):
        raise invalid_cursor(argument)
    if isinstance(field, models.DateTimeField | models.DateField | models.TimeField) and not isinstance(value, str):
        raise invalid_cursor(argument)
    try:
        converted = field.to_python(value)
    except (ValidationError, TypeError, ValueError, OverflowError) as error:
        raise invalid_cursor(argument) from error
    if isinstance(field, models.DateTimeField) and (not isinstance(converted, dt.datetime)
                                                    or timezone.is_naive(converted)):
        raise invalid_cursor(argument)
    if isinstance(converted, dt.date) and not date_in_range(converted):
        raise invalid_cursor(argument)
    for kind, bound in _INT_BOUNDS.items():
        if isinstance(field, kind):
            if not isinstance(converted, int) or not -bound - 1 <= converted <= bound:
                raise invalid_cursor(argument)
            break
    if isinstance(converted, str) and ("\x00" in converted or len(converted) > MAX_CURSOR_LENGTH):
        raise invalid_cursor(argument)
    return converted


def decode_cursor(cursor, ordering, argument: str) -> list | int:
    """The ordering values a keyset cursor holds, or the offset of a legacy cursor."""
    text = _decode(cursor, argument)
    if text.startswith(LEGACY_PREFIX):
        return legacy_offset(cursor, argument)
    if not text.startswith(KEYSET_PREFIX):
        raise invalid_cursor(argument)
    try:
        values = json.loads(text[len(KEYSET_PREFIX):])
    except (ValueError, RecursionError) as error:
        raise invalid_cursor(argument) from error
    if not isinstance(values, list) or len(values) != len(ordering):
        raise invalid_cursor(argument)
    return [_field_value(field, value, argument) for (field, _), value in zip(ordering, values, strict=True)]


def _beyond(ordering, values: list, forward: bool) -> Q:
    """Rows strictly after (``forward``) or before the row with ``values``, in ``ordering``."""
    condition = Q(pk__in=[])
    equal = Q()
    for (field, descending), value in zip(ordering, values, strict=True):
        greater = forward != descending  # forward in an ascending order: greater than
        lookup = f"{field.attname}__{'gt' if greater else 'lt'}"
        condition |= equal & Q(**{lookup: value})
        equal &= Q(**{field.attname: value})
    return condition


class CappedConnectionField(DjangoConnectionField):
    """A DjangoConnectionField with keyset cursors, whose paging arguments are checked at the input and
    answer with coded errors, and which counts the matching rows only when ``totalCount`` is asked."""

    @classmethod
    def connection_resolver(cls, resolver, connection, default_manager, queryset_resolver, max_limit,
                            enforce_first_or_last, root, info, **args):
        for argument in ("first", "last"):
            value = args.get(argument)
            if value is None:
                continue
            if value < 0:
                raise GraphQLError(_("`%(arg)s` must not be negative.") % {"arg": argument},
                                   extensions={"code": "INVALID_PAGE_SIZE"})
            if max_limit and value > max_limit:
                raise GraphQLError(
                    _("`%(arg)s` may be at most %(limit)d.") % {"arg": argument, "limit": max_limit},
                    extensions={"code": "PAGE_SIZE_EXCEEDED", "maxPageSize": max_limit},
                )
        offset = args.get("offset")
        if offset is not None and offset < 0:
            raise GraphQLError(_("`offset` must not be negative."), extensions={"code": "INVALID_PAGE_SIZE"})
        if offset is not None and offset > MAX_OFFSET:
            raise GraphQLError(_("`offset` may be at most %(limit)d: page with cursors.") % {"limit": MAX_OFFSET},
                               extensions={"code": "INVALID_PAGE_SIZE", "maxOffset": MAX_OFFSET})
        if offset is not None and (args.get("before") is not None or args.get("last") is not None):
            raise _invalid_pagination(_("`offset` pages forward: it cannot be combined with `before` or `last`."))
        for argument in ("after", "before"):
            value = args.get(argument)
            if value is not None:
                _decode(value, argument)  # well-formed at least; checked against the list's order later
        token = _count_wanted.set(total_count_requested(info))
        try:
            return super().connection_resolver(resolver, connection, default_manager, queryset_resolver, max_limit,
                                               enforce_first_or_last, root, info, **args)
        finally:
            _count_wanted.reset(token)

    @classmethod
    def resolve_connection(cls, connection, args, iterable, max_limit=None):
        iterable = maybe_queryset(iterable)
        ordering = _ordering(iterable) if isinstance(iterable, QuerySet) else None
        if ordering is None:
            return cls._offset_connection(connection, args, iterable, max_limit)
        return cls._keyset_connection(connection, args, iterable, ordering, max_limit)

    @classmethod
    def _keyset_connection(cls, connection, args, queryset: QuerySet, ordering, max_limit):
        matching = queryset
        queryset = queryset.order_by(*[("-" if descending else "") + field.attname for field, descending in ordering])
        first, last = args.get("first"), args.get("last")
        skip = args.get("offset") or 0
        after, before = args.get("after"), args.get("before")
        if after is not None:
            values = decode_cursor(after, ordering, "after")
            if isinstance(values, int):
                skip += values + 1
            else:
                queryset = queryset.filter(_beyond(ordering, values, forward=True))
        if before is not None:
            values = decode_cursor(before, ordering, "before")
            if isinstance(values, int):
                raise invalid_cursor("before")
            queryset = queryset.filter(_beyond(ordering, values, forward=False))
        if first is None and last is None:
            first = max_limit
        if first is None:  # the last rows before ``before`` (or of the list)
            rows = list(queryset.reverse()[:last + 1])
            has_previous = len(rows) > last
            rows = rows[:last][::-1]
            has_next = before is not None
        else:
            rows = list(queryset[skip:skip + first + 1])
            has_next = len(rows) > first
            rows = rows[:first]
            has_previous = after is not None or skip > 0
            if last is not None and last < len(rows):
                rows = rows[len(rows) - last:]
                has_previous = True
        edges = [connection.Edge(node=row, cursor=encode_cursor(row, ordering)) for row in rows]
        result = connection(edges=edges, page_info=PageInfo(
            start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=has_previous, has_next_page=has_next))
        result.iterable = matching
        result.length = matching.count() if _count_wanted.get() else None
        return result

    @classmethod
    def _offset_connection(cls, connection, args, iterable, max_limit):
        """Offset cursors, for lists that are not querysets (or not ordered by plain columns)."""
        for argument in ("after", "before"):
            if args.get(argument) is not None:
                legacy_offset(args[argument], argument)
        if _count_wanted.get() or not isinstance(iterable, QuerySet) or args.get("last") is not None \
                or args.get("before") is not None or args.get("offset"):
            return super().resolve_connection(connection, args, iterable, max_limit=max_limit)
        from functools import partial

        from graphene_django.fields import connection_adapter, page_info_adapter

        first = args.get("first")
        if first is None:
            first = max_limit
            args["first"] = first
        start = get_offset_with_default(args.get("after"), -1) + 1
        rows = list(iterable[start:start + first + 1]) if first is not None else list(iterable[start:])
        # What we know of the length is enough for relay: more than the page when a row follows it.
        known_length = start + len(rows)
        result = connection_from_array_slice(
            rows, args, slice_start=start, array_length=known_length, array_slice_length=len(rows),
            connection_type=partial(connection_adapter, connection), edge_type=connection.Edge,
            page_info_type=page_info_adapter,
        )
        result.iterable = iterable
        result.length = None  # not counted: totalCount was not asked for
        return result
