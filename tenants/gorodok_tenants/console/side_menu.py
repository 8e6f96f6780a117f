"""The side menu of both consoles, written out in Python: it is on every page, and rendering it through
the theme's template (a loop of includes) cost more than the rest of the page's frame."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

_ACTIVE = " bg-base-100 font-semibold text-primary-600 dark:bg-white/[.06] dark:text-primary-500 active"
_SEPARATOR = mark_safe('<hr class="border-t border-base-200 mx-6 my-2 dark:border-base-800" />')


def _icon(name: str) -> SafeString:
    return format_html('<span class="material-symbols-outlined md-18 mr-3 w-[18px]">{}</span>', name)


def _links(items: list[dict]) -> SafeString:
    return format_html_join(
        "",
        '<li><a href="{}" class="flex h-[38px] items-center -mx-3 px-3 rounded-default hover:text-primary-600 '
        'dark:hover:text-primary-500{}">{}<span>{}</span></a></li>',
        ((item["link"], _ACTIVE if item.get("active") else "", _icon(item["icon"]) if item.get("icon") else "",
          item["title"]) for item in items if item.get("has_permission", True)))


def _title(title) -> SafeString:
    return format_html('<h2 class="font-semibold flex flex-row group items-center mb-1 mx-3 py-1.5 px-3 select-none '
                       'text-font-important-light text-sm dark:text-font-important-dark">{}</h2>', title)


def side_menu_markup(groups: list[dict]) -> SafeString:
    """The theme's markup (``unfold/helpers/app_list.html``) for the groups ``get_sidebar_list`` builds:
    a separator and a title each, links with an optional icon, the open one marked; every text escaped."""
    return format_html_join("", '<div class="hidden mb-1.5 has-[ol]:has-[li]:block">{}{}'
                                '<ol class="flex flex-col gap-0.5 px-6">{}</ol></div>', (
        (_SEPARATOR if group.get("separator") else "", _title(group["title"]) if group.get("title") else "",
         _links(group["items"])) for group in groups if group["items"]))
