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


def reject_nul_characters(arguments: dict) -> None:
    """A coded error, instead of a database failure, for text with NUL characters anywhere in the arguments.
    Fields inside a list are reported under the list's name (``questions``)."""
    from django.utils.translation import gettext as _

    fields: list[str] = []

    def walk(value, field: str, in_list: bool = False) -> None:
        if isinstance(value, str):
            if "\x00" in value and field not in fields:
                fields.append(field)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, field if in_list else key)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item, field, in_list=True)

    for name, value in arguments.items():
        walk(value, name)
    if fields:
        raise ValidationError({field: ValidationError(_("Text may not contain NUL characters."), code="invalid")
                               for field in fields})
