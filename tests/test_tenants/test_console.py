"""The regional console, used as the committee uses it: through the browser's forms."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create
from gorodok_platform.audit.models import AuditEntry
from gorodok_tenants.models import Domain, Municipality, MunicipalityCounter, MunicipalityKind, MunicipalityStatus
from gorodok_tenants.modules import ModuleInfo, register_module, unregister_module
from gorodok_tenants.modules import registered_modules as registered_modules_now
from tests.conftest import ADMIN_PASSWORD, login

LIST_URL = "/admin/gorodok_tenants/municipality/"
ADD_URL = LIST_URL + "add/"


@pytest.fixture
def console(client, regional_admin, region_host, db):
    login(client, region_host, regional_admin.email)
    return client


@pytest.fixture
def analyst_console(client, region_host, db):
    with schema_context("public"):
        staff_user_create(email="analyst@example.ru", password=ADMIN_PASSWORD, roles=[Role.REGIONAL_ANALYST])
    login(client, region_host, "analyst@example.ru")
    return client


@pytest.fixture
def demo_module():
    register_module(ModuleInfo(code="demo", name="Demo module"))
    yield "demo"
    unregister_module("demo")


def _rows_without_schemas(count: int, start: int) -> None:
    """Municipality rows (with hosts and counters) for list tests; no schema is needed to list them."""
    municipalities = Municipality.objects.bulk_create([
        Municipality(schema_name=f"m_row{start + i}", name=f"Поселение {start + i}", name_en=f"Settlement {i}",
                     slug=f"row{start + i}", oktmo=f"9{start + i:07d}", kind=MunicipalityKind.URBAN_OKRUG)
        for i in range(count)
    ])
    Domain.objects.bulk_create([Domain(domain=f"{m.slug}.localhost", tenant=m, is_primary=True)
                                for m in municipalities])
    MunicipalityCounter.objects.bulk_create([MunicipalityCounter(municipality=m, key="core.users", value=3)
                                             for m in municipalities])


def _list_queries(client, host) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, HTTP_HOST=host)
    assert response.status_code == 200
    return len(queries)


def test_list_costs_the_same_for_10_and_1000_municipalities(console, region_host, municipalities):
    _rows_without_schemas(10, start=1000)
    console.get(LIST_URL, HTTP_HOST=region_host)  # warm caches (session, content types)
    with_ten = _list_queries(console, region_host)
    _rows_without_schemas(990, start=2000)
    with_thousand = _list_queries(console, region_host)
    assert with_ten == with_thousand, (with_ten, with_thousand)


def test_list_shows_status_hosts_version_and_figures(console, region_host, alpha):
    from gorodok_tenants.modules.counters import municipality_counters_refresh

    municipality_counters_refresh(municipality=alpha.municipality)
    html = console.get(LIST_URL, HTTP_HOST=region_host).content.decode()
    assert alpha.host in html
    assert "Альфа" in html
    assert "95000001" in html
    assert re.search(r"(пользователи|users):(&nbsp;|\s)1", html), html[:2000]


def test_create_with_first_sign_in_link(console, region_host, client):
    response = console.post(ADD_URL, {
        "name": "Сорск", "name_en": "Sorsk", "slug": "sorsk-test", "oktmo": "95709001", "kind": "urban_okrug",
        "timezone": "Asia/Krasnoyarsk", "admin_email": "head@sorsk.example.ru",
        "domains-TOTAL_FORMS": "0", "domains-INITIAL_FORMS": "0",
    }, HTTP_HOST=region_host, follow=True)
    assert response.status_code == 200
    municipality = Municipality.objects.get(slug="sorsk-test")
    assert municipality.primary_domain == "sorsk-test.localhost"
    assert municipality.schema_version
    with schema_context(municipality.schema_name):
        admin = User.objects.get(email="head@sorsk.example.ru")
        assert not admin.has_usable_password()
        assert admin.role_codes == ["municipal_admin"]
    with schema_context("public"):
        assert AuditEntry.objects.filter(action="municipality.create", tenant_schema=municipality.schema_name).exists()
    link = re.search(r"http://sorsk-test\.localhost:\d+(/admin/first-sign-in/[^ <\"]+/)", response.content.decode())
    assert link, "the console shows the sign-in link"
    path = link.group(1)

    client.logout()
    page = client.get(path, HTTP_HOST="sorsk-test.localhost", follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    done = client.post(form_url, {"new_password1": "Sorsk-strong-pass-2026", "new_password2": "Sorsk-strong-pass-2026"},
                       HTTP_HOST="sorsk-test.localhost")
    assert done.status_code == 302
    assert client.get("/admin/", HTTP_HOST="sorsk-test.localhost").status_code == 200  # signed in
    client.logout()
    again = client.get(path, HTTP_HOST="sorsk-test.localhost", follow=True)
    assert b"new_password1" not in again.content  # the link worked once


@pytest.mark.parametrize(("field", "value", "error"), [
    ("oktmo", "9570900", "OKTMO"),
    ("slug", "alpha", "slug"),
    ("slug", "Bad Slug", "slug"),
    ("admin_email", "not-an-email", "e-mail"),
])
def test_create_rejects_bad_input_and_creates_nothing(console, region_host, alpha, field, value, error):
    data = {"name": "Тест", "name_en": "Test", "slug": "fresh-one", "oktmo": "95709002", "kind": "urban_okrug",
            "timezone": "Asia/Krasnoyarsk", "admin_email": "a@example.ru",
            "domains-TOTAL_FORMS": "0", "domains-INITIAL_FORMS": "0", field: value}
    count = Municipality.objects.count()
    response = console.post(ADD_URL, data, HTTP_HOST=region_host)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Municipality.objects.count() == count


def test_modules_switch_off_and_on_without_loss(console, region_host, alpha, demo_module):
    from gorodok_tenants.modules import module_enabled

    url = f"{LIST_URL}{alpha.municipality.pk}/change/"
    form = {"name": "Альфа", "name_en": "Alpha", "timezone": "Asia/Krasnoyarsk",
            "domains-TOTAL_FORMS": "1", "domains-INITIAL_FORMS": "1",
            "domains-0-id": str(alpha.municipality.domains.get().pk), "domains-0-tenant": str(alpha.municipality.pk),
            "domains-0-domain": alpha.host, "domains-0-is_primary": "on"}
    from gorodok_tenants.modules import registered_modules

    others = [code for code in registered_modules() if code != "demo"]
    response = console.post(url, {**form, "modules": others}, HTTP_HOST=region_host)
    assert response.status_code == 302, response.content[:3000]
    alpha.municipality.refresh_from_db()
    assert alpha.municipality.disabled_modules == ["demo"]
    assert not module_enabled(alpha.municipality, "demo")
    console.post(url, {**form, "modules": [*others, "demo"]}, HTTP_HOST=region_host)
    alpha.municipality.refresh_from_db()
    assert module_enabled(alpha.municipality, "demo")
    actions = list(AuditEntry.objects.filter(tenant_schema=alpha.schema_name, action__startswith="municipality.module")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["municipality.module_disable", "municipality.module_enable"]


def test_suspend_action_from_the_list(console, region_host, alpha):
    response = console.post(LIST_URL, {"action": "suspend_selected", "_selected_action": [alpha.municipality.pk]},
                            HTTP_HOST=region_host)
    assert response.status_code == 302
    alpha.municipality.refresh_from_db()
    assert alpha.municipality.status == MunicipalityStatus.SUSPENDED
    assert AuditEntry.objects.filter(action="municipality.suspend", tenant_schema=alpha.schema_name).exists()


def test_analysts_only_read(analyst_console, region_host, alpha):
    assert analyst_console.get(LIST_URL, HTTP_HOST=region_host).status_code == 200
    assert analyst_console.get(ADD_URL, HTTP_HOST=region_host).status_code == 403
    assert analyst_console.get(LIST_URL + "import/", HTTP_HOST=region_host).status_code == 403
    analyst_console.post(LIST_URL, {"action": "suspend_selected",
                                               "_selected_action": [alpha.municipality.pk]}, HTTP_HOST=region_host)
    alpha.municipality.refresh_from_db()
    assert alpha.municipality.status == MunicipalityStatus.ACTIVE
    change = analyst_console.post(f"{LIST_URL}{alpha.municipality.pk}/change/", {"name": "Взлом"},
                                  HTTP_HOST=region_host)
    assert change.status_code == 403
    alpha.municipality.refresh_from_db()
    assert alpha.municipality.name == "Альфа"


def test_municipal_staff_cannot_open_the_console(client, alpha, region_host):
    login(client, alpha.host, alpha.admin_email)
    assert client.get(LIST_URL, HTTP_HOST=alpha.host).status_code == 404  # not on a municipality's host
    assert client.get(LIST_URL, HTTP_HOST=region_host).status_code == 302  # to the region's login page


def test_failed_jobs_are_listed_and_can_be_retried(console, region_host, alpha, django_capture_on_commit_callbacks):
    import dramatiq

    from gorodok_platform.jobs.models import FailedJob

    broker = dramatiq.get_broker()
    broker.flush_all()
    job = FailedJob.objects.create(actor_name="ping", queue_name="default", tenant_schema=alpha.schema_name,
                                   message_id="failed-1", args=["token-1"], retries=5, error="RuntimeError('boom')")
    listing = console.get("/admin/jobs/failedjob/", HTTP_HOST=region_host)
    assert listing.status_code == 200 and b"RuntimeError" in listing.content
    with django_capture_on_commit_callbacks(execute=True):  # the job is sent once the retry is committed
        console.post("/admin/jobs/failedjob/", {"action": "retry", "_selected_action": [job.pk]},
                     HTTP_HOST=region_host)
    job.refresh_from_db()
    assert job.resolved_at is not None
    queued = broker.queues["default"]
    assert queued.qsize() == 1
    message = dramatiq.Message.decode(queued.queue[0])  # peek; flush_all below settles the queue
    assert (message.actor_name, message.args, message.options["tenant_schema"]) == ("ping", ("token-1",),
                                                                                   alpha.schema_name)
    broker.flush_all()


def test_editing_names_and_hosts_goes_through_the_services(console, region_host, alpha):
    url = f"{LIST_URL}{alpha.municipality.pk}/change/"
    current = alpha.municipality.domains.get()
    form = {"name": "Альфа-Сити", "name_en": "Alpha City", "timezone": "Asia/Krasnoyarsk",
            "modules": list(registered_modules_now()),
            "domains-TOTAL_FORMS": "2", "domains-INITIAL_FORMS": "1",
            "domains-0-id": str(current.pk), "domains-0-tenant": str(alpha.municipality.pk),
            "domains-0-domain": alpha.host, "domains-0-is_primary": "on",
            "domains-1-tenant": str(alpha.municipality.pk), "domains-1-domain": "alpha-city.localhost"}
    response = console.post(url, form, HTTP_HOST=region_host)
    assert response.status_code == 302, response.content[:3000]
    alpha.municipality.refresh_from_db()
    assert alpha.municipality.name == "Альфа-Сити"
    update = AuditEntry.objects.get(tenant_schema=alpha.schema_name, action="municipality.update")
    assert update.before["name"] == "Альфа" and update.after["name"] == "Альфа-Сити"
    assert AuditEntry.objects.filter(tenant_schema=alpha.schema_name, action="municipality.host_save",
                                     after__domain="alpha-city.localhost").exists()
    # The new host routes to alpha at once.
    from tests.conftest import graphql

    _status, body = graphql(console, "alpha-city.localhost", "{ municipality { name } }")
    assert body["data"]["municipality"]["name"] == "Альфа-Сити"


def test_update_service_validates_and_refuses_other_fields(alpha):
    from django.core.exceptions import ValidationError

    from gorodok_tenants.lifecycle.services import municipality_update

    with pytest.raises(ValidationError):
        municipality_update(municipality=alpha.municipality, timezone="Mars/Olympus")
    with pytest.raises(ValidationError):
        municipality_update(municipality=alpha.municipality, oktmo="95000009")
    alpha.municipality.refresh_from_db()
    assert alpha.municipality.timezone != "Mars/Olympus" and alpha.municipality.oktmo == "95000001"
