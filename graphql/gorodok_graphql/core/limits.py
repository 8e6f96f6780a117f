"""Validation rules every GraphQL endpoint applies."""

from __future__ import annotations

from django.conf import settings
from graphene.validation import depth_limit_validator


def validation_rules() -> list:
    return [depth_limit_validator(max_depth=settings.GRAPHQL_MAX_DEPTH)]
