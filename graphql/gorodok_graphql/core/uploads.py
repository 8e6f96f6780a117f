"""Files sent inside a GraphQL request, as base64 text (the request body's bound limits their size)."""

from __future__ import annotations

import binascii
from base64 import b64decode

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _


def file_from_base64(value: str, name: str, *, field: str = "file") -> ContentFile:
    """The file ``value`` carries (standard base64); a ValidationError coded ``invalid`` on ``field``
    for anything else, which a mutation returns as data."""
    try:
        content = b64decode(value or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError({field: ValidationError(_("Not base64."), code="invalid")}) from exc
    return ContentFile(content, name=name)
