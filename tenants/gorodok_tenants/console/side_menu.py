"""The side menu of both consoles, written out in Python: it is on every page, and rendering it through
the theme's template (a loop of includes) cost more than the rest of the page's frame."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

_ACTIVE = " bg-base-100 font-semibold text-primary-600 dark:bg-white/[.06] dark:text-primary-500 active"
_SEPARATOR = '<hr class="border-t border-base-200 mx-6 my-2 dark:border-base-800" />'
_LINK = ('<li><a href="{}" class="flex h-[38px] items-center -mx-3 px-3 rounded-default hover:text-primary-600 '
         'dark:hover:text-primary-500{}">{}<span>{}</span></a></li>')
_ICON = '<span class="material-symbols-outlined md-18 mr-3 w-[18px]">{}</span>'
_TITLE = ('<h2 class="font-semibold flex flex-row group items-center mb-1 mx-3 py-1.5 px-3 select-none '
          'text-font-important-light text-sm dark:text-font-important-dark">{}</h2>')
_GROUP = '<div class="hidden mb-1.5 has-[ol]:has-[li]:block">{}{}<ol class="flex flex-col gap-0.5 px-6">{}</ol></div>'


def _text(value) -> str:
    """Any text or link as markup: the standard library's escape (the characters Django's escapes, with
    the same entities), on the text of lazy translations too. Some forty links on every page: Django's
    format_html asks each argument whether it is already markup, which cost more than the escaping."""
    return escape(str(value))


def _links(items: list[dict]) -> str:
    return "".join(_LINK.format(_text(item["link"]), _ACTIVE if item.get("active") else "",
                                _ICON.format(_text(item["icon"])) if item.get("icon") else "", _text(item["title"]))
                   for item in items if item.get("has_permission", True))


def side_menu_markup(groups: list[dict]) -> SafeString:
    """The theme's markup (``unfold/helpers/app_list.html``) for the groups ``get_sidebar_list`` builds:
    a separator and a title each, links with an optional icon, the open one marked; every text escaped."""
    markup = "".join(_GROUP.format(_SEPARATOR if group.get("separator") else "",
                                   _TITLE.format(_text(group["title"])) if group.get("title") else "",
                                   _links(group["items"]))
                     for group in groups if group["items"])
    return mark_safe(markup)  # noqa: S308  (every text and link escaped by _text; the rest is constant)
