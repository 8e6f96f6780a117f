"""Typed errors: validation failures are returned as data, each with a field, a message and a code."""

from __future__ import annotations

import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from graphql import GraphQLError


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


def errors_from_validation_error(
    error: ValidationError, code_enum: type[graphene.Enum], default_code: str = "INVALID"
) -> list[dict]:
    """Flatten a Django ValidationError into error dicts whose codes are members of ``code_enum``."""
    known = set(code_enum._meta.enum.__members__)
    aliases = {"BLANK": "REQUIRED", "NULL": "REQUIRED"}
    result = []
    items = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.error_list)]
    for field, errors in items:
        for item in errors:
            code = (item.code or default_code).upper()
            code = aliases.get(code, code)
            message = item.message % item.params if item.params else item.message
            result.append({
                "field": to_graphql_field_name(field),
                "message": str(message),
                "code": code if code in known else default_code,
            })
    return result


class PermissionDenied(GraphQLError):
    def __init__(self, message: str = "You do not have permission to perform this action."):
        super().__init__(message, extensions={"code": "PERMISSION_DENIED"})


class NotAuthenticated(GraphQLError):
    def __init__(self, message: str = "Sign in to perform this action."):
        super().__init__(message, extensions={"code": "NOT_AUTHENTICATED"})
