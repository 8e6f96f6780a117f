"""Service errors in the API's terms: the names of the mutation's arguments, not the model's fields."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def in_input_terms(error: ValidationError, names: dict[str, str]) -> ValidationError:
    """Rename the fields of ``error`` (model or service names) to the mutation's argument names."""
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, list[ValidationError]] = {}
    for field, errors in error.error_dict.items():
        renamed.setdefault(names.get(field, field), []).extend(errors)
    return ValidationError(renamed)


def contains_nul(*values) -> bool:
    """PostgreSQL text cannot hold NUL characters: a value with one can never match and cannot be stored."""
    return any(isinstance(value, str) and "\x00" in value for value in values)
