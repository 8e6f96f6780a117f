"""The console frame's written-out parts (``gorodok_tenants.console.frame``) give the theme's own markup:
each console page is rendered once with the project's templates and once with the theme's original
skeleton and person's menu, and the two read the same, element by element (the CSRF token aside, which
is new on every request); the person's menu follows the configuration the theme follows (theme and
language switches, account links, a site link) and escapes every text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import unfold
from django.conf import settings as django_settings
from django.template import RequestContext, Template, engines
from django.test import RequestFactory
from django.urls import set_urlconf
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.services import staff_user_create
from gorodok_tenants.console import frame
from gorodok_tenants.console.sites import region_console
from tests.conftest import ADMIN_PASSWORD, login
from tests.support.appeals import staff

THEME_TEMPLATES = Path(unfold.__file__).parent / "templates"
REWRITTEN = ("unfold/layouts/skeleton.html", "unfold/helpers/navigation_user.html")


class _Elements(HTMLParser):
    """A page as its elements read: tags with their attributes (classes as a set of words), and texts
    with their spaces collapsed; CSRF tokens replaced, since each request masks its own."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("name") == "csrfmiddlewaretoken":
            attrs["value"] = "<token>"
        normalised = {name: " ".join(sorted((value or "").split())) if name == "class"
                      else " ".join((value or "").split()) for name, value in attrs.items()}
        self.items.append(("<", tag, tuple(sorted(normalised.items()))))

    def handle_endtag(self, tag):
        self.items.append((">", tag))

    def handle_data(self, data):
        if text := " ".join(data.split()):
            self.items.append(("text", text))


def _elements(markup: str) -> list[tuple]:
    parser = _Elements()
    parser.feed(str(markup))
    parser.close()
    return parser.items


@pytest.fixture
def theme_templates(settings):
    """The theme's own skeleton and person's menu in place of the project's rewritten ones."""
    originals = {name: (THEME_TEMPLATES / name).read_text() for name in REWRITTEN}
    options = {key: value for key, value in settings.TEMPLATES[0]["OPTIONS"].items() if key != "loaders"}

    def use(theirs: bool):
        loaders = ["django.template.loaders.app_directories.Loader"]
        if theirs:
            loaders = [("django.template.loaders.locmem.Loader", originals), *loaders]
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "APP_DIRS": False,
                               "OPTIONS": {**options, "loaders": loaders}}]
    return use


@pytest.mark.parametrize("path", ["/admin/", "/admin/reporting/campaign/", "/admin/gorodok_tenants/municipality/"])
def test_a_region_console_page_reads_as_with_the_themes_own_templates(path, client, regional_admin, region_host, db,
                                                                     theme_templates):
    login(client, region_host, regional_admin.email)
    pages = {}
    for theirs in (True, False):
        theme_templates(theirs)
        response = client.get(path, HTTP_HOST=region_host)
        assert response.status_code == 200, path
        pages[theirs] = response.content.decode()
    assert 'id="logout-form"' in pages[False] and "unfold-theme-colors" in pages[False]
    assert _elements(pages[False]) == _elements(pages[True])


def test_a_back_office_page_reads_as_with_the_themes_own_templates(client, alpha, theme_templates):
    email = staff(alpha, "frame-clerk@alpha.example.ru", "appeals_officer")
    login(client, alpha.host, email)
    pages = {}
    for theirs in (True, False):
        theme_templates(theirs)
        response = client.get("/admin/appeals/appeal/", HTTP_HOST=alpha.host)
        assert response.status_code == 200
        pages[theirs] = response.content.decode()
    assert email in pages[False]
    assert _elements(pages[False]) == _elements(pages[True])


def _context(site, request, **overrides) -> RequestContext:
    return RequestContext(request, {**site.each_context(request), **overrides})


def _theirs(context) -> str:
    source = (THEME_TEMPLATES / "unfold/helpers/navigation_user.html").read_text()
    return engines["django"].engine.from_string(source).render(context)


def _ours(context) -> str:
    return engines["django"].engine.from_string("{% load console_frame %}{% console_user_menu %}").render(context)


@pytest.fixture
def console_request(region_host, settings):
    from gorodok_tenants.routing import region_tenant

    def make(user):
        request = RequestFactory().get("/admin/", HTTP_HOST=region_host)
        request.user, request.tenant, request.urlconf = user, region_tenant(), settings.PUBLIC_SCHEMA_URLCONF
        request.session, request.current_app = {}, region_console.name
        set_urlconf(settings.PUBLIC_SCHEMA_URLCONF)
        return request

    yield make
    set_urlconf(None)


@pytest.mark.parametrize("overrides", [
    {},
    {"theme": "dark"},  # a fixed theme: no switch
    {"show_languages": True, "languages_action": "/language/"},  # a form per language, each with a token
    {"site_url": "/portal/", "account_links": [{"title": "Профиль <b>", "link": "/me/?a=1&b=2"}]},
    {"extra_userlinks": "<a href='/help/'>Справка</a>"},
], ids=["default", "fixed-theme", "languages", "links", "extra-links"])
def test_the_persons_menu_is_the_themes_for_each_configuration(overrides, console_request, db):
    with schema_context("public"):
        user = staff_user_create(email="frame-menu@example.ru", password=ADMIN_PASSWORD, roles=["regional_admin"])
    request = console_request(user)
    if "extra_userlinks" in overrides:
        from django.utils.safestring import mark_safe

        overrides["extra_userlinks"] = mark_safe(overrides["extra_userlinks"])
    context = _context(region_console, request, **overrides)
    ours = _ours(context)
    assert _elements(ours) == _elements(_theirs(_context(region_console, request, **overrides)))
    assert ("switchTheme('dark')" in ours) == ("theme" not in overrides)
    assert ("csrfmiddlewaretoken" in ours) and ("/admin/logout/" in ours)
    if overrides.get("show_languages"):
        assert ours.count('name="language"') == len(django_settings.LANGUAGES)


def test_the_persons_menu_escapes_the_person_and_leaves_out_a_password_they_cannot_change(console_request, db):
    with schema_context("public"):
        user = staff_user_create(email="frame-hostile@example.ru", password=ADMIN_PASSWORD, roles=["regional_admin"])
        user.full_name = '<script>alert("x")</script>'
        user.set_unusable_password()
    user.get_full_name = lambda: user.full_name  # a person with a name the theme shows before the e-mail
    request = console_request(user)
    ours = _ours(_context(region_console, request))
    assert "<script>" not in ours and "&lt;script&gt;" in ours
    assert "password_change" not in ours and "/password_change/" not in ours
    assert re.search(r">\s*&lt;\s*</div>", ours)  # the avatar's initial, escaped
    assert _elements(ours) == _elements(_theirs(_context(region_console, request)))


def test_settings_only_markup_is_rendered_once_per_set_of_inputs(settings):
    frame._rendered.clear()
    first = frame.rendered_once("gorodok_tenants/console/frame_colors.html",
                                {"colors": {"primary": {"50": "red"}}, "border_radius": "6px"})
    assert "--color-primary-50: red;" in first and "--border-radius: 6px;" in first
    again = frame.rendered_once("gorodok_tenants/console/frame_colors.html",
                                {"border_radius": "6px", "colors": {"primary": {"50": "red"}}})
    assert again is first
    other = frame.rendered_once("gorodok_tenants/console/frame_colors.html",
                                {"colors": {"primary": {"50": "blue"}}, "border_radius": None})
    assert "--color-primary-50: blue;" in other and "--border-radius" not in other
    assert len(frame._rendered) == 2
    # The theme's own fragment gives the same.
    source = (THEME_TEMPLATES / "unfold/layouts/skeleton.html").read_text()
    colours = source[source.index("{% if colors %}"):source.index("{% block base %}")]
    theirs = Template(colours).render(RequestContext(RequestFactory().get("/"), {
        "colors": {"primary": {"50": "blue"}}, "border_radius": None}))
    assert _elements(other) == _elements(theirs)


def test_user_model_shows_the_e_mail_as_the_theme_does(console_request, db):
    """The account model has no ``get_full_name``: the theme shows the e-mail as the name."""
    with schema_context("public"):
        user = User.objects.create_user(email="frame-plain@example.ru", password=ADMIN_PASSWORD, is_staff=True)
    markup = _ours(_context(region_console, console_request(user)))
    assert markup.count("frame-plain@example.ru") == 2


def test_the_persons_menu_of_an_anonymous_visitor_is_the_themes(console_request, db):
    """Pages outside signing in (the first administrator's link) show the frame to nobody in particular."""
    from django.contrib.auth.models import AnonymousUser

    request = console_request(AnonymousUser())
    ours = _ours(_context(region_console, request))
    assert "password_change" not in ours and "/admin/logout/" in ours
    assert _elements(ours) == _elements(_theirs(_context(region_console, request)))
