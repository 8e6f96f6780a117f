"""Back-office and console changelists filter only by the filters they declare.

Django's admin accepts any lookup on a model's own columns (``?secret_hash__startswith=a``), which lets
a member of staff read a hash one character at a time by counting rows. Both sites refuse it (400)."""

from __future__ import annotations

import pytest
from django.db import models
from django_tenants.utils import schema_context

from gorodok_tenants.console import admin as _registrations  # noqa: F401  (registers the models)
from gorodok_tenants.console.mixins import declared_filter_parameters
from gorodok_tenants.console.sites import back_office, region_console
from tests.conftest import login


def _changelist(site, model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def _undeclared_lookups(model_admin) -> list[str]:
    """One undeclared lookup per concrete column of the model (the primary key included)."""
    declared = declared_filter_parameters(model_admin, None)
    lookups = []
    for field in model_admin.model._meta.concrete_fields:
        lookup = f"{field.attname}__gt" if isinstance(field, models.ForeignKey) else f"{field.name}__startswith"
        if lookup not in declared:
            lookups.append(lookup)
    return lookups


def _walk(client, host, site) -> tuple[list[str], list[str]]:
    checked, not_listed = [], []
    for model, model_admin in site._registry.items():
        url = _changelist(site, model)
        if client.get(url, HTTP_HOST=host).status_code != 200:
            not_listed.append(url)
            continue
        for lookup in _undeclared_lookups(model_admin):
            response = client.get(url, {lookup: "a"}, HTTP_HOST=host)
            assert response.status_code == 400, f"{url}?{lookup}=a answered {response.status_code}"
        checked.append(url)
    return checked, not_listed


def test_every_back_office_list_refuses_undeclared_lookups(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    checked, not_listed = _walk(client, alpha.host, back_office)
    assert "/admin/appeals/appeal/" in checked
    assert "/admin/integrations/apiclient/" in checked
    # A module's settings are a singleton: its list opens the only object instead of listing.
    assert "/admin/appeals/appealssettings/" in not_listed
    assert all(url.endswith("settings/") for url in not_listed), not_listed
    assert len(checked) == len(back_office._registry) - len(not_listed)


def test_every_console_list_refuses_undeclared_lookups(client, regional_admin, region_host, db):
    login(client, region_host, regional_admin.email)
    checked, not_listed = _walk(client, region_host, region_console)
    assert not not_listed, not_listed
    assert "/admin/integrations/apiclient/" in checked
    assert len(checked) == len(region_console._registry)


@pytest.mark.parametrize("lookup", ["access_code_hash__startswith", "idempotency_key__startswith"])
def test_appeal_secrets_cannot_be_probed(client, alpha, lookup):
    login(client, alpha.host, alpha.admin_email)
    assert client.get("/admin/appeals/appeal/", {lookup: "argon2"}, HTTP_HOST=alpha.host).status_code == 400


def test_api_client_secret_cannot_be_probed(client, alpha, regional_admin, region_host):
    login(client, alpha.host, alpha.admin_email)
    url = "/admin/integrations/apiclient/"
    assert client.get(url, {"secret_hash__startswith": "a"}, HTTP_HOST=alpha.host).status_code == 400
    login(client, region_host, regional_admin.email)
    assert client.get(url, {"secret_hash__startswith": "a"}, HTTP_HOST=region_host).status_code == 400


def test_declared_filters_and_the_links_that_use_them_still_work(client, alpha, regional_admin, region_host):
    login(client, alpha.host, alpha.admin_email)
    for url, params in [
        ("/admin/appeals/appeal/", {"queue": "overdue"}),
        ("/admin/appeals/appeal/", {"status__exact": "registered"}),
        ("/admin/integrations/apiclient/", {"revoked_at__isempty": "1"}),
        ("/admin/integrations/webhookdelivery/", {"subscription__id__exact": "1"}),
        ("/admin/accounts/user/", {"role": "municipal_admin", "is_active__exact": "1"}),
        ("/admin/audit/auditentry/", {"created_at__year": "2026", "created_at__month": "1"}),
    ]:
        assert client.get(url, params, HTTP_HOST=alpha.host).status_code == 200, (url, params)
    login(client, region_host, regional_admin.email)
    with schema_context("public"):
        for url, params in [
            ("/admin/gorodok_tenants/upgradetenantstate/", {"run__id__exact": "1"}),
            ("/admin/gorodok_tenants/municipalityarchive/", {"created_at__gte": "2026-01-01 00:00:00+00:00"}),
            ("/admin/gorodok_tenants/supportsession/", {"started_at__year": "2026"}),
        ]:
            assert client.get(url, params, HTTP_HOST=region_host).status_code == 200, (url, params)


def test_staff_lists_show_role_names_not_codes(client, alpha, regional_admin, region_host):
    from django.test import Client

    russian = Client(HTTP_ACCEPT_LANGUAGE="ru")
    login(russian, alpha.host, alpha.admin_email)
    page = russian.get("/admin/accounts/user/", HTTP_HOST=alpha.host).content.decode()
    assert "municipal_admin" not in page.replace('value="municipal_admin"', "").replace("role=municipal_admin", "")
    listed = russian.get("/admin/accounts/user/", {"role": "municipal_admin"}, HTTP_HOST=alpha.host)
    assert alpha.admin_email in listed.content.decode()
    groups = russian.get("/admin/auth/group/", HTTP_HOST=alpha.host).content.decode()
    from django.utils import translation

    from gorodok_platform.accounts.roles import role_label

    with translation.override("ru"):
        assert str(role_label("municipal_admin")) in groups
