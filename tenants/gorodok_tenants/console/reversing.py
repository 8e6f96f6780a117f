"""Console links: a link follows from the URL configuration, the script prefix, the admin site and its
arguments alone, so a process looks each one up once (every console page asks for dozens: a side menu
entry per section, the person's menu)."""

from __future__ import annotations

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_known: dict[tuple, str | None] = {}


def reverse_or_none(name: str, current_app: str | None = None, kwargs: dict | None = None) -> str | None:
    try:
        return reverse(name, kwargs=kwargs, current_app=current_app)
    except NoReverseMatch:
        return None


def reverse_once(name: str, current_app: str | None = None) -> str | None:
    """``reverse_or_none``, looked up once per URL configuration, script prefix and site. (The side
    menu keeps its sections' links a section at a time, with one lookup per section on every page.)"""
    key = (get_urlconf(), get_script_prefix(), current_app, name)
    if key not in _known:
        _known[key] = reverse_or_none(name, current_app)
    return _known[key]
