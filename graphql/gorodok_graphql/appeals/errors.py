"""Checks of the appeals API's text inputs."""

from __future__ import annotations


def contains_nul(*values) -> bool:
    """PostgreSQL text cannot hold NUL characters: a value with one can never match and cannot be stored."""
    return any(isinstance(value, str) and "\x00" in value for value in values)
