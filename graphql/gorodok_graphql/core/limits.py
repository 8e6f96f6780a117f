"""Validation rules every GraphQL endpoint applies.

graphql-core uses the rules it is given *instead of* its standard ones, so the standard rules are
always listed first.
"""

from __future__ import annotations

from django.conf import settings
from graphene.validation import depth_limit_validator

from graphql import specified_rules


def validation_rules() -> list:
    return [*specified_rules, depth_limit_validator(max_depth=settings.GRAPHQL_MAX_DEPTH)]
