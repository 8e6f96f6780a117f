"""Typed errors: validation failures are returned as data, each with a field, a message and a code."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from types import ModuleType

import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from graphql import GraphQLError

logger = logging.getLogger("gorodok.graphql")

# The codes Django's own validation raises (model fields, validators), which every module may meet,
# the code of a lookup that found nothing, and UNKNOWN: a refusal whose code the module did not
# declare (a bug, logged; the message still says what is wrong). An undeclared code never becomes
# INVALID, which would hide it among the ordinary input errors.
GENERIC_ERROR_CODES = ("INVALID", "REQUIRED", "NOT_FOUND", "INVALID_CHOICE", "MAX_LENGTH", "MIN_LENGTH",
                       "MIN_VALUE", "MAX_VALUE", "UNIQUE", "UNKNOWN")
# Django's names for "nothing given".
CODE_ALIASES = {"BLANK": "REQUIRED", "NULL": "REQUIRED"}


def declared_codes(source: ModuleType | Iterable[str]) -> list[str]:
    """The codes a module's ``error_codes.py`` declares (its ``ALL``, or its upper-case constants)."""
    if isinstance(source, ModuleType):
        values = getattr(source, "ALL", None)
        if values is None:
            values = [value for name, value in vars(source).items() if name.isupper() and isinstance(value, str)]
    else:
        values = list(source)
    return [value.upper() for value in values]


def error_code_enum(name: str, source: ModuleType | Iterable[str], description: str) -> type[graphene.Enum]:
    """A module's error-code enum: the generic codes, then every code its services declare."""
    codes = dict.fromkeys([*GENERIC_ERROR_CODES, *declared_codes(source)])
    return graphene.Enum(name, [(code, code) for code in codes], description=description)


class ErrorInterface(graphene.Interface):
    field = graphene.String(description="The input field the error is about; null for the whole input.")
    message = graphene.String(
        required=True, description="A human-readable message, in the request's language."
    )


def error_type(name: str, code_enum: type[graphene.Enum], description: str) -> type[graphene.ObjectType]:
    """An error object type for one module: ``field``, ``message`` and a ``code`` from its enum."""
    return type(name, (graphene.ObjectType,), {
        "Meta": type("Meta", (), {"interfaces": (ErrorInterface,), "description": description}),
        "code": graphene.Field(code_enum, required=True),
    })


def to_graphql_field_name(field: str | None) -> str | None:
    if not field or field == NON_FIELD_ERRORS:
        return None
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


def in_input_terms(error: ValidationError, names: Mapping[str, str],
                   codes: Mapping[tuple[str, str | None], str] | None = None) -> ValidationError:
    """``error`` in a mutation's terms: fields renamed by ``names`` (model or service names to the
    argument names; a field the error already names itself wins over one renamed onto it), and codes
    renamed by ``codes`` (``(field, code)``, or ``(field, None)`` for any code of that field)."""
    if not hasattr(error, "error_dict"):
        error = ValidationError({NON_FIELD_ERRORS: error.error_list})
    codes = codes or {}
    renamed: dict[str, list[ValidationError]] = {}
    for field, errors in error.error_dict.items():
        target = names.get(field, field)
        if target != field and target in error.error_dict:
            continue
        renamed.setdefault(target, []).extend(
            ValidationError(item.message, code=codes.get((field, item.code)) or codes.get((field, None)) or item.code,
                            params=item.params)
            for item in errors)
    return ValidationError(renamed)


def errors_from_validation_error(
    error: ValidationError, code_enum: type[graphene.Enum], default_code: str = "INVALID"
) -> list[dict]:
    """Flatten a Django ValidationError into error dicts whose codes are members of ``code_enum``.
    A code the enum does not declare is logged and answered as UNKNOWN (when the enum has it)."""
    known = set(code_enum._meta.enum.__members__)
    result = []
    items = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.error_list)]
    for field, errors in items:
        for item in errors:
            code = (item.code or default_code).upper()
            code = CODE_ALIASES.get(code, code)
            if code not in known:
                logger.error("Undeclared error code %s in %s", code, code_enum._meta.name)
                code = "UNKNOWN" if "UNKNOWN" in known else default_code
            message = item.message % item.params if item.params else item.message
            result.append({"field": to_graphql_field_name(field), "message": str(message), "code": code})
    return result


class PermissionDenied(GraphQLError):
    def __init__(self, message: str = "You do not have permission to perform this action."):
        super().__init__(message, extensions={"code": "PERMISSION_DENIED"})


class NotAuthenticated(GraphQLError):
    def __init__(self, message: str = "Sign in to perform this action."):
        super().__init__(message, extensions={"code": "NOT_AUTHENTICATED"})
