"""Connection fields with page-size errors that integrators can read."""

from __future__ import annotations

from django.utils.translation import gettext as _
from graphene_django import DjangoConnectionField

from graphql import GraphQLError


class CappedConnectionField(DjangoConnectionField):
    """A DjangoConnectionField whose ``first``/``last`` limits answer with a coded error."""

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
        return super().connection_resolver(resolver, connection, default_manager, queryset_resolver, max_limit,
                                           enforce_first_or_last, root, info, **args)
