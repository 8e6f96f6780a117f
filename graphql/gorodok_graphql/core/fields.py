"""Connection fields with page-size errors that integrators can read, and no COUNT(*) unless asked."""

from __future__ import annotations

from contextvars import ContextVar
from functools import partial

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from graphene_django import DjangoConnectionField
from graphene_django.utils import maybe_queryset
from graphql_relay import connection_from_array_slice, get_offset_with_default

from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode

_count_wanted: ContextVar[bool] = ContextVar("gorodok_count_wanted", default=True)


def _selects(selection_set, name: str, fragments) -> bool:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode) and selection.name.value == name:
            return True
        if isinstance(selection, InlineFragmentNode) and _selects(selection.selection_set, name, fragments):
            return True
        if isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and _selects(fragment.selection_set, name, fragments):
                return True
    return False


def total_count_requested(info) -> bool:
    return any(_selects(node.selection_set, "totalCount", info.fragments) for node in info.field_nodes)


class CappedConnectionField(DjangoConnectionField):
    """A DjangoConnectionField whose ``first``/``last`` limits answer with a coded error, and which
    counts the matching rows only when ``totalCount`` is requested: a forward page otherwise reads
    one row more than it returns, to know whether there is a next page."""

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
        if args.get("offset") is not None and args["offset"] < 0:
            raise GraphQLError(_("`offset` must not be negative."), extensions={"code": "INVALID_PAGE_SIZE"})
        token = _count_wanted.set(total_count_requested(info))
        try:
            return super().connection_resolver(resolver, connection, default_manager, queryset_resolver, max_limit,
                                               enforce_first_or_last, root, info, **args)
        finally:
            _count_wanted.reset(token)

    @classmethod
    def resolve_connection(cls, connection, args, iterable, max_limit=None):
        iterable = maybe_queryset(iterable)
        forward_only = args.get("last") is None and args.get("before") is None and not args.get("offset")
        if _count_wanted.get() or not forward_only or not isinstance(iterable, QuerySet):
            return super().resolve_connection(connection, args, iterable, max_limit=max_limit)
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
