"""The console frame's written-out parts (``gorodok_tenants.console.frame``) for the theme's templates
the project overrides."""

from __future__ import annotations

from django import template

from gorodok_tenants.console.frame import rendered_once, user_menu_markup

register = template.Library()


@register.simple_tag(takes_context=True)
def console_user_menu(context):
    return user_menu_markup(context)


@register.simple_tag
def console_rendered_once(template_name: str, **values):
    return rendered_once(template_name, values)
