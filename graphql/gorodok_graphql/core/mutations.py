"""The base of every mutation: permissions first, then one atomic write, errors as data."""

from __future__ import annotations

from typing import ClassVar

import graphene
from django.core.exceptions import ValidationError
from django.db import transaction
from graphene.types.mutation import MutationOptions

from gorodok_graphql.core.errors import errors_from_validation_error
from gorodok_graphql.core.permissions import check_module, check_roles


class BaseMutationOptions(MutationOptions):
    error_type = None
    code_enum = None
    roles = ()
    module = None


class BaseMutation(graphene.Mutation):
    """Subclasses set ``Meta.error_type`` (built with ``error_type()``), ``Meta.code_enum``,
    ``Meta.roles`` and, for a module's mutation, ``Meta.module``; and implement ``perform_mutation``
    returning an instance of the mutation.
    A ``ValidationError`` raised inside becomes ``errors`` and rolls the write back."""

    permission_roles: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, error_type=None, code_enum=None, roles=(), module=None, _meta=None,
                                    **options):
        if not _meta:
            _meta = BaseMutationOptions(cls)
        if error_type is None or code_enum is None:
            raise ValueError(f"{cls.__name__} needs Meta.error_type and Meta.code_enum.")
        _meta.error_type = error_type
        _meta.code_enum = code_enum
        _meta.roles = tuple(roles)
        _meta.module = module
        super().__init_subclass_with_meta__(_meta=_meta, **options)
        cls._meta.fields["errors"] = graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(error_type))),
            description="Why the mutation did not happen; empty on success.",
        )

    @classmethod
    def mutate(cls, root, info, **data):
        if cls._meta.module:
            check_module(info.context, cls._meta.module)
        check_roles(info.context.user, cls._meta.roles)
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
