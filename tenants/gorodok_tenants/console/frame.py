"""Parts of the theme's frame around every console page, written out in Python or rendered once per
process: rendering them through the theme's templates node by node cost a fifth of a light page.

- ``user_menu_markup``: the person's menu at the foot of the side menu (``unfold/helpers/navigation_user.html``);
- ``rendered_once``: a piece of the theme's markup that depends on the settings alone (the stylesheets and
  scripts of the page's head, the theme's colours), rendered once for each set of its inputs.
"""

from __future__ import annotations

from django.template import Context, engines
from django.urls import get_script_prefix
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from gorodok_tenants.console.reversing import reverse_once

_MENU_LINK = ("mx-1 px-3 py-2 rounded-default hover:bg-base-100 hover:text-base-700 dark:hover:bg-base-700 "
              "dark:hover:text-base-200")


def _joined(parts) -> SafeString:
    """Pieces of markup one after the other (each already markup: built by format_html or a template)."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _theme_switch() -> SafeString:
    choices = (("", "light", "light_mode", gettext("Light")),
               ("leading-none -ml-1 ", "dark", "dark_mode", gettext("Dark")),
               ("-mr-1 ", "auto", "computer", gettext("System")))
    links = format_html_join(
        "",
        '<a class="cursor-pointer flex flex-row grow {}px-2 py-1.5 rounded-default hover:bg-base-100 '
        'hover:text-base-700 dark:hover:bg-base-700 dark:hover:text-base-200" x-on:click="switchTheme(\'{}\')" '
        'x-bind:class="adminTheme == \'{}\' && \'text-primary-600 dark:text-primary-500 dark:hover:text-primary-500! '
        'hover:text-primary-600!\'"><span class="material-symbols-outlined mr-2">{}</span>'
        '<span class="leading-none self-center">{}</span></a>',
        ((extra, theme, theme, icon, label) for extra, theme, icon, label in choices))
    return format_html('<div class="border-b border-base-200 flex flex-row gap-1 mb-1 pb-1 px-2 '
                       'dark:border-base-700">{}</div>', links)


def _csrf_input(token) -> SafeString:
    """What ``{% csrf_token %}`` writes (nothing when the page has no token)."""
    if not token or token == "NOTPROVIDED":
        return SafeString("")
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def _url(request, name: str) -> str | None:
    """``{% url name %}`` as a theme template resolves it: in the current admin site's namespace."""
    current_app = getattr(request, "current_app", None)
    if current_app is None and getattr(request, "resolver_match", None) is not None:
        current_app = request.resolver_match.namespace
    return reverse_once(name, current_app)


def _asked(user, method: str):
    """``user.<method>`` as a template reads it: called, and nothing where the object has no such method
    (an anonymous visitor of a page that shows the frame before signing in has no password to change)."""
    answer = getattr(user, method, None)
    return answer() if callable(answer) else answer or ""


def _display_name(user) -> str:
    """``user.get_full_name|default:user.get_username``, as the theme shows a person."""
    return _asked(user, "get_full_name") or _asked(user, "get_username")


def _avatar(user) -> SafeString:
    """``unfold/helpers/avatar.html`` at its default size: the picture, else the name's first letter."""
    avatar_url = getattr(user, "avatar_url", "")
    classes = ("bg-base-200 bg-cover font-semibold flex items-center justify-center relative select-none "
               "text-important dark:bg-base-700 after:absolute after:inset-0 after:inset-ring "
               "after:inset-ring-base-800/10 dark:after:inset-ring-base-200/10 h-[38px] min-w-[38px] w-[38px] "
               "rounded-default after:rounded-default")
    if avatar_url:
        return format_html("<div class=\"{}\" style=\"background-image: url('{}');\"></div>", classes, avatar_url)
    return format_html('<div class="{}">{}</div>', classes, _display_name(user)[:1].upper())


def _account_links(context, request, user) -> SafeString:
    parts = []
    if context.get("site_url"):
        parts.append(format_html('<a href="{}" class="{}">{}</a>', context["site_url"], _MENU_LINK,
                                 gettext("View site")))
    if context.get("account_links"):
        parts.append(format_html_join("", '<a href="{}" class="{}">{}</a>',
                                      ((link["link"], _MENU_LINK, link["title"]) for link in context["account_links"])))
    elif _asked(user, "has_usable_password") and (change := _url(request, "admin:password_change")):
        parts.append(format_html('<a href="{}" class="{}">{}</a>', change, _MENU_LINK, gettext("Change password")))
    parts.append(format_html(
        '<div class="border-t border-base-200 mt-1 pt-1 dark:border-base-700">'
        '<form id="logout-form" method="post" action="{}" class="mx-1">{}'
        '<button type="submit" class="bg-none flex cursor-pointer items-center px-3 py-1.5 text-left text-red-700 '
        'rounded-default w-full hover:bg-red-100 dark:hover:bg-red-500/20 dark:text-red-400 '
        'dark:hover:text-red-400">{} <span class="ml-auto material-symbols-outlined text-red-700 '
        'dark:text-red-400">logout</span></button></form></div>',
        _url(request, "admin:logout") or "", _csrf_input(context.get("csrf_token")), gettext("Log out")))
    return _joined(parts)


def _theme_template(context, name: str) -> SafeString:
    """One of the theme's own templates, rendered within the page's context (for what the menu shows
    only where the configuration asks for it)."""
    template = context.template.engine.get_template(name)
    with context.push():
        return template.render(context)


def user_menu_markup(context) -> SafeString:
    """The theme's ``unfold/helpers/navigation_user.html`` for the page's context: the theme and language
    switches where configured, the account links, signing out (with the page's CSRF token), and the
    person's initial, name and e-mail; every text escaped."""
    request, user = context.get("request"), context.get("user")
    if user is None and request is not None:
        user = request.user
    menu = [
        "" if context.get("theme") else _theme_switch(),
        _theme_template(context, "unfold/helpers/language_switch.html") if context.get("show_languages") else "",
        context.get("extra_userlinks") or "",
        _account_links(context, request, user),
    ]
    email = format_html('<div class="text-subtle text-xs truncate">{}</div>', user.email) if getattr(
        user, "email", "") else ""
    return format_html(
        '<div class="border-t border-base-200 px-6 py-3 relative dark:border-base-800" '
        'x-data="{{ openUserLinks: false }}">'
        '<nav class="absolute bg-white border border-base-200 flex flex-col leading-none py-1 rounded-default '
        'shadow-lg bottom-[73px] left-3 right-3 z-50 dark:bg-base-800 dark:border-base-700" x-cloak '
        'x-show="openUserLinks" x-transition x-on:click.outside="openUserLinks = false">{}</nav>'
        '<div class="cursor-pointer flex flex-row gap-3 items-center min-h-[64px] -mx-6 -my-3 px-6 py-3 '
        'hover:bg-base-100 dark:hover:bg-base-800" x-on:click="openUserLinks = !openUserLinks" '
        'x-bind:class="{{\'bg-base-100 dark:bg-base-800\': openUserLinks}}">{}'
        '<div class="flex flex-col select-none min-w-0">'
        '<div class="font-semibold text-important tracking-tight truncate">{}</div>{}</div>'
        '<span class="material-symbols-outlined ml-auto select-none text-font-default-light '
        'dark:text-font-default-dark">unfold_more</span></div></div>',
        _joined(menu),
        _avatar(user), _display_name(user), email)


_rendered: dict[tuple[str, str, str], SafeString] = {}
_RENDERED_AT_MOST = 64


def rendered_once(template_name: str, values: dict) -> SafeString:
    """``template_name`` (markup that follows from ``values`` and the settings alone: no request, no
    person, no language) rendered once for each set of values seen, then reused."""
    key = (template_name, get_script_prefix(), repr(sorted(values.items())))  # the prefix: of relative URLs
    markup = _rendered.get(key)
    if markup is None:
        template = engines["django"].engine.get_template(template_name)
        markup = template.render(Context(values))
        if len(_rendered) >= _RENDERED_AT_MOST:
            _rendered.clear()
        _rendered[key] = markup
    return markup
