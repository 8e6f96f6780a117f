"""Enums shared by every module's API."""

from __future__ import annotations


def enum_value(value):
    """The stored value of an enum argument: graphene passes enum members to resolvers (and raw values
    when a variable was given), while models and services take the raw value."""
    return getattr(value, "value", value)
