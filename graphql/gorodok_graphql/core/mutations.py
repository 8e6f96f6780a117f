"""The base of every mutation: permissions first, then one atomic write, errors as data."""

from __future__ import annotations

import re
from typing import ClassVar

import graphene
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from graphene.types.mutation import MutationOptions

from gorodok_graphql.core.errors import errors_from_validation_error, to_graphql_field_name
from gorodok_graphql.core.permissions import check_access, check_module, write_scope

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL, and lone UTF-16 surrogates (from JSON "\\udXXX")


def _fields_with_nul(value, name: str | None = None) -> list[str]:
    """The input fields whose text PostgreSQL cannot store — a NUL character or a lone surrogate, in a
    value or in a JSON object's key (top-level names, in order, once each)."""
    if isinstance(value, str):
        return [name or "input"] if UNSTORABLE.search(value) else []
    found: list[str] = []
    items = value.items() if isinstance(value, dict) else ((None, v) for v in value) \
        if isinstance(value, (list, tuple)) else ()
    for key, item in items:
        child = key if key is not None and name in (None, "input") else name
        if isinstance(key, str) and UNSTORABLE.search(key) and (child or name or "input") not in found:
            found.append(child or name or "input")
        for field in _fields_with_nul(item, child):
            if field not in found:
                found.append(field)
    return found


class BaseMutationOptions(MutationOptions):
    error_type = None
    code_enum = None
    roles = ()
    scopes = ()
    module = None


class BaseMutation(graphene.Mutation):
    """Subclasses set ``Meta.error_type`` (built with ``error_type()``), ``Meta.code_enum``,
    ``Meta.roles`` and, for a module's mutation, ``Meta.module``; and implement ``perform_mutation``
    returning an instance of the mutation. API clients need ``Meta.scopes`` (by default
    ``<module>:write`` for a module's mutation; none, i.e. staff only, otherwise).
    A ``ValidationError`` raised inside becomes ``errors`` and rolls the write back."""

    permission_roles: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, error_type=None, code_enum=None, roles=(), module=None, scopes=None,
                                    _meta=None, **options):
        if not _meta:
            _meta = BaseMutationOptions(cls)
        if error_type is None or code_enum is None:
            raise ValueError(f"{cls.__name__} needs Meta.error_type and Meta.code_enum.")
        _meta.error_type = error_type
        _meta.code_enum = code_enum
        _meta.roles = tuple(roles)
        _meta.module = module
        _meta.scopes = tuple(scopes) if scopes is not None else ((write_scope(module),) if module else ())
        super().__init_subclass_with_meta__(_meta=_meta, **options)
        cls._meta.fields["errors"] = graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(error_type))),
            description="Why the mutation did not happen; empty on success.",
        )

    @classmethod
    def mutate(cls, root, info, **data):
        if cls._meta.module:
            check_module(info.context, cls._meta.module)
        check_access(info.context, roles=cls._meta.roles, scopes=cls._meta.scopes)
        nul_fields = _fields_with_nul(data)
        if nul_fields:
            # PostgreSQL text cannot hold NUL: refuse it as data, before it reaches the database.
            message = str(_("Text may not contain NUL characters or broken Unicode (lone surrogates)."))
            return cls(errors=[{"field": to_graphql_field_name(field), "code": "INVALID", "message": message}
                               for field in nul_fields])
        try:
            with transaction.atomic():
                result = cls.perform_mutation(root, info, **data)
        except ValidationError as error:
            return cls(errors=errors_from_validation_error(error, cls._meta.code_enum))
        if getattr(result, "errors", None) is None:
            result.errors = []
        return result

    @classmethod
    def perform_mutation(cls, root, info, **data):  # pragma: no cover - abstract
        raise NotImplementedError
