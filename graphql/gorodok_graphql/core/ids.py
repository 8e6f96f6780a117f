"""Relay global IDs: the one place that turns an ID into an object of the request's schema.

An ID is ``base64("<Type>:<pk>")`` with an integer primary key. A malformed ID, one of another type,
or one whose key cannot exist (not a positive 32-bit integer: it must never reach the database) is
simply *not found*, exactly like a row that does not exist or one of another municipality (a row is
only ever looked up in the schema of the request's host):

- in a mutation, ``object_from_global_id`` raises a ValidationError coded ``not_found`` on the
  argument, which the mutation returns as data (``errors: [{field, code: NOT_FOUND}]``);
- in ``node(id:)`` and the other Relay fields, ``resolve_node`` answers a ``NOT_FOUND`` error for an
  ID that names no object type of this API, and null for an object that does not exist here or that
  the caller may not see (each type's ``get_node`` applies the permissions of its own query).
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from functools import partial

import graphene
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from graphene.relay.node import NodeField as GrapheneNodeField
from graphene.types.utils import get_type

from graphql import GraphQLError

MAX_PK = 2**31 - 1  # integer primary keys: anything larger cannot exist (and must not reach the database)
MAX_GLOBAL_ID_LENGTH = 200


class NotFound(GraphQLError):
    def __init__(self, message: str | None = None):
        super().__init__(message or _("No such object."), extensions={"code": "NOT_FOUND"})


def parse_global_id(global_id) -> tuple[str, int] | None:
    """``(type name, pk)`` of a well-formed ID whose key can exist; None for anything else."""
    if not isinstance(global_id, str) or not global_id or len(global_id) > MAX_GLOBAL_ID_LENGTH:
        return None
    try:
        decoded = b64decode(global_id, validate=False).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    type_name, separator, pk = decoded.partition(":")
    if not separator or not type_name or not pk.isascii() or not pk.isdigit():
        return None
    value = int(pk)
    if not 0 < value <= MAX_PK:
        return None
    return type_name, value


def pk_from_global_id(global_id, type_name: str) -> int | None:
    """The primary key an ID of ``type_name`` names; None when it is not one."""
    parsed = parse_global_id(global_id)
    if parsed is None or parsed[0] != type_name:
        return None
    return parsed[1]


def object_from_global_id(global_id, type_name: str, queryset: QuerySet | type[Model], *, field: str = "id",
                          message: str | None = None):
    """The object of ``queryset`` an ID of ``type_name`` names, for a mutation's argument ``field``;
    otherwise a ValidationError coded ``not_found`` on that field."""
    if isinstance(queryset, type) and issubclass(queryset, Model):
        queryset = queryset._default_manager.all()
    pk = pk_from_global_id(global_id, type_name)
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({field: ValidationError(message or _("No such object."), code="not_found")})
    return found


def resolve_node(only_type, root, info, id):
    """``node(id:)``: the object an ID names in this API and this schema, if the caller may see it."""
    parsed = parse_global_id(id)
    if parsed is None:
        raise NotFound(_("Not an ID of this API."))
    type_name, pk = parsed
    schema_type = info.schema.get_type(type_name)
    graphene_type = getattr(schema_type, "graphene_type", None)
    interfaces = getattr(getattr(graphene_type, "_meta", None), "interfaces", ()) or ()
    if graphene_type is None or graphene.relay.Node not in interfaces:
        raise NotFound(_("Not an ID of this API."))
    if only_type is not None and graphene_type is not only_type:
        raise NotFound(_("Not an ID of a %(type)s.") % {"type": only_type._meta.name})
    return graphene_type.get_node(info, pk)


class NodeField(GrapheneNodeField):
    """A Relay ``node``-style field (``node(id:)``, or one type's ``municipality(id:)``) resolved by
    ``resolve_node``: typed errors for bad IDs, null for what the caller may not see."""

    def __init__(self, type_=False, **kwargs):
        super().__init__(graphene.relay.Node, type_, **kwargs)

    def wrap_resolve(self, parent_resolver):
        return partial(resolve_node, get_type(self.field_type) if self.field_type else None)
