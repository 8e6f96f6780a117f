"""A municipality's back office: its actions are audited in its own schema; hosts can change."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import RequestFactory
from django_tenants.utils import schema_context

from gorodok_platform.audit.models import AuditEntry
from gorodok_tenants.console.mixins import ModuleAdminMixin
from gorodok_tenants.models import Domain
from gorodok_tenants.modules import ModuleInfo, register_module, unregister_module
from tests.conftest import graphql, login


def test_back_office_changes_are_audited_in_the_municipality(client, alpha, beta):
    login(client, alpha.host, alpha.admin_email)
    response = client.post("/admin/accounts/user/add/", {
        "email": "clerk@alpha.example.ru", "password1": "Clerk-pass-2026!", "password2": "Clerk-pass-2026!",
        "usable_password": "true",
    }, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content[:2000]
    with schema_context(alpha.schema_name):
        entry = AuditEntry.objects.get(action="accounts.user.add")
        assert entry.actor_email == alpha.admin_email
        assert entry.after["email"] == "clerk@alpha.example.ru"
        assert "password" not in entry.after
    with schema_context(beta.schema_name):
        assert not AuditEntry.objects.filter(action="accounts.user.add").exists()
    with schema_context("public"):
        assert not AuditEntry.objects.filter(action="accounts.user.add").exists()


def test_module_admin_disappears_with_its_module(alpha):
    register_module(ModuleInfo(code="demo", name="Demo"))
    try:
        class DemoAdmin(ModuleAdminMixin, admin.ModelAdmin):
            gorodok_module = "demo"

        model_admin = DemoAdmin(Group, admin.AdminSite())
        request = RequestFactory().get("/admin/")
        request.tenant = alpha.municipality
        request.user = type("U", (), {"is_active": True, "is_staff": True, "is_superuser": True,
                                      "has_perm": lambda *a: True, "has_module_perms": lambda *a: True})()
        assert model_admin.has_module_permission(request)
        assert model_admin.has_view_permission(request)
        alpha.municipality.disabled_modules = ["demo"]
        assert not model_admin.has_module_permission(request)
        assert not model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
    finally:
        unregister_module("demo")
        alpha.municipality.disabled_modules = []


def test_host_change_breaks_nothing(client, alpha, settings, tmp_path):
    """Caches and files are keyed by schema, never by host: moving a municipality keeps both."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path)
    with schema_context(alpha.schema_name):
        cache.set("settings-of-the-day", "kept")
        stored = default_storage.save("letters/reply.txt", ContentFile(b"answer"))
        path = default_storage.path(stored)
    assert path.startswith(str(tmp_path / alpha.schema_name) + "/")
    domain = Domain.objects.get(tenant=alpha.municipality, is_primary=True)
    status, body = graphql(client, alpha.host, "{ municipality { name } }")
    assert body["data"]["municipality"]["name"] == "Альфа"
    domain.domain = "alpha-renamed.localhost"
    domain.save()
    assert client.get("/graphql/", HTTP_HOST=alpha.host).status_code == 404  # old host forgotten at once
    status, body = graphql(client, "alpha-renamed.localhost", "{ municipality { name } }")
    assert body["data"]["municipality"]["name"] == "Альфа"
    Domain.objects.create(domain="alpha-extra.localhost", tenant=alpha.municipality, is_primary=False)
    status, body = graphql(client, "alpha-extra.localhost", "{ municipality { name } }")
    assert body["data"]["municipality"]["name"] == "Альфа"
    with schema_context(alpha.schema_name):
        assert cache.get("settings-of-the-day") == "kept"
        assert default_storage.open(stored).read() == b"answer"
    with schema_context("public"):
        assert cache.get("settings-of-the-day") is None
        assert not default_storage.exists(stored)
