"""The side menu and the sections of both consoles: the app list the console builds (its links looked
up once per process) is Django's own, for every role on both sites; the side menu shows exactly the
sections the person may open; and a signed-in person's roles come with them in one query."""

from __future__ import annotations

import pytest
from django.contrib.admin import AdminSite
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, set_urlconf
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import REGIONAL_ROLES, municipal_roles
from gorodok_platform.accounts.services import staff_user_create
from gorodok_tenants.console.sites import back_office, region_console
from tests.conftest import ADMIN_PASSWORD, login
from tests.support.appeals import staff


def _request(site, tenant, user, host: str, urlconf: str):
    request = RequestFactory().get("/admin/", HTTP_HOST=host)
    request.user, request.tenant, request.urlconf = user, tenant, urlconf
    request.session = {}
    set_urlconf(urlconf)
    # As in a request: the URLs, and with them every console section, are loaded before the view.
    assert get_resolver(urlconf).url_patterns
    return request


def _same_as_djangos(site, request) -> list:
    ours = site.get_app_list(request)
    djangos = sorted(AdminSite._build_app_dict(site, request).values(), key=lambda app: app["name"].lower())
    for app in djangos:
        app["models"].sort(key=lambda model: model["name"])
    assert ours == djangos
    return ours


@pytest.mark.parametrize("role", [*REGIONAL_ROLES, None])
def test_the_region_consoles_app_list_is_djangos_for_every_regional_role(role, settings, region_host, db):
    from gorodok_tenants.routing import region_tenant

    with schema_context("public"):
        user = staff_user_create(email=f"menu-{role}@example.ru", password=ADMIN_PASSWORD,
                                 roles=[role] if role else [])
    try:
        request = _request(region_console, region_tenant(), user, region_host, settings.PUBLIC_SCHEMA_URLCONF)
        apps = _same_as_djangos(region_console, request)
        assert bool(apps) == (role is not None)
        if role:  # the links are the console's own
            assert all(m["admin_url"].startswith("/admin/") for app in apps for m in app["models"] if m["admin_url"])
    finally:
        set_urlconf(None)


@pytest.mark.parametrize("role", municipal_roles())
def test_the_back_offices_app_list_is_djangos_for_every_municipal_role(role, alpha, settings):
    with schema_context(alpha.schema_name):
        user = User.objects.get(email=staff(alpha, f"menu-{role}@alpha.example.ru", role))
        try:
            request = _request(back_office, alpha.municipality, user, alpha.host, settings.ROOT_URLCONF)
            assert _same_as_djangos(back_office, request)
        finally:
            set_urlconf(None)


def test_the_side_menu_shows_each_section_the_person_may_open_and_marks_the_open_one(client, alpha):
    import re

    email = staff(alpha, "menu-viewer@alpha.example.ru", "viewer")
    login(client, alpha.host, email)
    page = client.get("/admin/appeals/appeal/", HTTP_HOST=alpha.host)
    assert page.status_code == 200
    menu = page.content.decode().split('id="nav-sidebar-apps"', 1)[1].split("openUserLinks", 1)[0]
    links = re.findall(r'<a href="([^"]+)"', menu)
    sections = [model["admin_url"] for app in page.context["available_apps"] for model in app["models"]
                if model["admin_url"]]
    assert "/admin/" in links and set(sections) <= set(links) and len(links) == len(sections) + 1
    active = re.findall(r'<a href="([^"]+)"[^>]*\bactive"', menu)
    assert active == ["/admin/appeals/appeal/"]


def test_a_signed_in_person_and_their_roles_take_one_query(client, alpha):
    email = staff(alpha, "menu-roles@alpha.example.ru", "municipal_admin")
    login(client, alpha.host, email)
    from django.contrib.auth import get_user

    request = RequestFactory().get("/admin/", HTTP_HOST=alpha.host)
    request.session = client.session
    with schema_context(alpha.schema_name):
        with CaptureQueriesContext(connection) as queries:
            user = get_user(request)
            assert user.email == email and user.has_role("municipal_admin") and not user.has_role("viewer")
        reads = [q["sql"] for q in queries.captured_queries if "accounts_user" in q["sql"] or "auth_group" in q["sql"]]
        assert len(reads) == 1
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get(name="viewer"))  # a change forgets what was read
        assert user.has_role("viewer")
        user.groups.clear()
        assert user.role_codes == []


def test_a_wrong_password_is_checked_once_and_an_older_sessions_backend_still_signs_in(client, alpha, monkeypatch):
    from django.contrib.auth import authenticate, get_user
    from django.contrib.auth.hashers import Argon2PasswordHasher

    email = staff(alpha, "menu-password@alpha.example.ru", "viewer")
    checked = []
    original = Argon2PasswordHasher.verify
    monkeypatch.setattr(Argon2PasswordHasher, "verify",
                        lambda self, password, encoded: checked.append(1) or original(self, password, encoded))
    with schema_context(alpha.schema_name):
        assert authenticate(None, username=email, password="not-the-password") is None
        assert len(checked) == 1
        assert authenticate(None, username=email, password=ADMIN_PASSWORD).email == email
        # A session signed in by Django's own backend, before this one was listed first.
        user = User.objects.get(email=email)
        request = RequestFactory().get("/admin/", HTTP_HOST=alpha.host)
        request.session = client.session
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

        request.session.update({SESSION_KEY: str(user.pk), HASH_SESSION_KEY: user.get_session_auth_hash(),
                                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"})
        assert get_user(request).email == email


def test_the_side_menu_markup_escapes_every_text_and_shows_only_what_is_permitted():
    from gorodok_tenants.console.side_menu import side_menu_markup

    markup = str(side_menu_markup([
        {"title": "<b>Сегодня</b>", "items": [{"title": "Первая <i>страница</i>", "link": "/admin/?a=1&b=\"2\"",
                                               "icon": "today<", "active": True, "has_permission": True}]},
        {"title": "Пустая", "separator": True, "items": []},
        {"title": "Отчёты", "separator": True, "items": [
            {"title": "Кампании", "link": "/admin/reporting/campaign/", "active": False, "has_permission": True},
            {"title": "Скрытое", "link": "/admin/secret/", "has_permission": False}]},
    ]))
    assert "<b>" not in markup and "<i>" not in markup and "today<" not in markup
    assert "&lt;b&gt;Сегодня&lt;/b&gt;" in markup and 'href="/admin/?a=1&amp;b=&quot;2&quot;"' in markup
    assert "Пустая" not in markup and "Скрытое" not in markup and "/admin/secret/" not in markup
    assert markup.count("<hr ") == 1 and markup.count(" active\"") == 1 and markup.count("<li>") == 2
