"""Every part of the module contract, end to end, for a module added by one line in the settings."""

from __future__ import annotations

import json

import dramatiq
import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django_tenants.utils import schema_context

from gorodok_graphql.snapshot import live_sdl
from gorodok_platform.integrations.models import ApiClient, OutboxEvent, WebhookDelivery, hash_secret
from gorodok_platform.integrations.services import api_client_create
from gorodok_platform.integrations.webhooks.signing import verify_signature
from gorodok_platform.integrations.webhooks.subscriptions import webhook_subscribe
from gorodok_tenants.modules import municipality_set_module, registered_modules
from gorodok_tenants.modules.counters import counter_labels, municipality_counters_refresh
from gorodok_tenants.modules.jobs import fan_out_module_task
from tests.conftest import login
from tests.support.webhooks import Receiver
from tests.toy_module.models import Toy


def gql(client, host, query, variables=None, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = client.post("/graphql/", data=json.dumps({"query": query, "variables": variables or {}}),
                           content_type="application/json", HTTP_HOST=host, **headers)
    return response.json()


def token_for(schema: str, scopes) -> str:
    with schema_context(schema):
        return api_client_create(name="Toy integrator", scopes=list(scopes))[1]


def test_the_module_is_registered_with_everything_it_declares():
    toy = registered_modules()["toy"]
    assert [r.code for r in toy.roles] == ["toy_keeper"]
    assert [s.code for s in toy.scopes] == ["toy:read", "toy:write"]
    assert [e.name for e in toy.events] == ["toy.made"]


def test_role_is_seeded_in_municipalities_only(alpha):
    with schema_context(alpha.schema_name):
        assert Group.objects.filter(name="toy_keeper").exists()
    with schema_context("public"):
        assert not Group.objects.filter(name="toy_keeper").exists()


def test_query_and_mutation_are_in_the_tenant_sdl_and_scopes_in_the_enum():
    sdl = live_sdl("tenant")
    assert "toys: [Toy!]!" in sdl and "makeToy(name: String!): MakeToy" in sdl
    assert "TOY_READ" in sdl and "TOY_KEEPER" in sdl


def test_scope_is_accepted_on_a_token_and_guards_the_query(client, alpha):
    with schema_context(alpha.schema_name):
        Toy.objects.create(name="юла")
    reader = token_for(alpha.schema_name, ["toy:read"])
    body = gql(client, alpha.host, "{ toys { name } }", token=reader)
    assert body["data"]["toys"] == [{"name": "юла"}]
    writer_only = token_for(alpha.schema_name, ["toy:write"])
    body = gql(client, alpha.host, "{ toys { name } }", token=writer_only)
    assert body["errors"][0]["extensions"] == {"code": "PERMISSION_DENIED", "requiredScope": "toy:read"}
    body = gql(client, alpha.host, 'mutation { makeToy(name: "мяч") { toy { name } errors { code } } }',
               token=writer_only)
    assert body["data"]["makeToy"] == {"toy": {"name": "мяч"}, "errors": []}
    body = gql(client, alpha.host, 'mutation { makeToy(name: " ") { toy { name } errors { code field } } }',
               token=writer_only)
    assert body["data"]["makeToy"]["errors"] == [{"code": "REQUIRED", "field": "name"}]


def test_a_member_of_staff_with_the_role_uses_it(client, alpha):
    from gorodok_platform.accounts.services import staff_user_create
    from tests.conftest import ADMIN_PASSWORD

    with schema_context(alpha.schema_name):
        staff_user_create(email="keeper@alpha.example.ru", password=ADMIN_PASSWORD, roles=["toy_keeper"])
        staff_user_create(email="viewer-toy@alpha.example.ru", password=ADMIN_PASSWORD, roles=["viewer"])
    login(client, alpha.host, "keeper@alpha.example.ru")
    body = gql(client, alpha.host, "{ viewer { roles } toys { name } }")
    assert body["data"]["viewer"]["roles"] == ["TOY_KEEPER"] and "errors" not in body
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    login(other, alpha.host, "viewer-toy@alpha.example.ru")
    assert gql(other, alpha.host, "{ toys { name } }")["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_switched_off_the_module_answers_module_disabled(client, alpha):
    token = token_for(alpha.schema_name, ["toy:read", "toy:write"])
    municipality_set_module(municipality=alpha.municipality, code="toy", enabled=False)
    try:
        body = gql(client, alpha.host, "{ toys { name } }", token=token)
        assert body["errors"][0]["extensions"]["code"] == "MODULE_DISABLED"
        body = gql(client, alpha.host, 'mutation { makeToy(name: "мяч") { toy { name } } }', token=token)
        assert body["errors"][0]["extensions"]["code"] == "MODULE_DISABLED"
    finally:
        municipality_set_module(municipality=alpha.municipality, code="toy", enabled=True)


def test_counter_and_report_source(alpha):
    with schema_context(alpha.schema_name):
        Toy.objects.create(name="кубик")
        expected = Toy.objects.count()
    values = municipality_counters_refresh(municipality=alpha.municipality)
    assert values["toy.toys"] == expected
    assert counter_labels()["toy.toys"] == "Toys: toys"
    source = registered_modules()["toy"].report_sources[0]
    with schema_context(alpha.schema_name):
        from django.utils import timezone

        today = timezone.localdate()
        assert source.compute(today, today) == expected


def test_counter_is_shown_in_the_console(client, alpha, regional_admin, region_host):
    municipality_counters_refresh(municipality=alpha.municipality)
    login(client, region_host, regional_admin.email)
    page = client.get("/admin/gorodok_tenants/municipality/", HTTP_HOST=region_host).content.decode()
    assert "Toys" in page and "toys" in page


def test_periodic_job_runs_in_each_municipality_with_the_module_on(alpha, beta):
    with schema_context(alpha.schema_name):
        a = Toy.objects.create(name="alpha toy")
    with schema_context(beta.schema_name):
        b = Toy.objects.create(name="beta toy")
    municipality_set_module(municipality=beta.municipality, code="toy", enabled=False)
    broker = dramatiq.get_broker()
    broker.flush_all()
    try:
        fan_out_module_task.fn("toy", "polish")
        worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
        # The rows above are not committed (the test's transaction): run the queued messages here, as the
        # worker would, each in the schema its message names.
        worker.stop()
        from gorodok_platform.jobs.middleware import TENANT_OPTION
        from gorodok_tenants.modules.jobs import run_module_task

        messages = [dramatiq.Message.decode(data) for data in broker.queues["fanout"].queue]
        assert sorted(m.options[TENANT_OPTION] for m in messages) == [alpha.schema_name]
        for message in messages:
            with schema_context(message.options[TENANT_OPTION]):
                run_module_task.fn(*message.args)
    finally:
        broker.flush_all()
        municipality_set_module(municipality=beta.municipality, code="toy", enabled=True)
    with schema_context(alpha.schema_name):
        assert Toy.objects.get(pk=a.pk).polished_at is not None
    with schema_context(beta.schema_name):
        assert Toy.objects.get(pk=b.pk).polished_at is None


@pytest.fixture
def committed_alpha(municipalities, django_db_blocker):
    alpha = municipalities["alpha"]
    with django_db_blocker.unblock():
        yield alpha
        with schema_context(alpha.schema_name):
            WebhookDelivery.objects.all().delete()
            OutboxEvent.objects.all().delete()
            ApiClient.objects.filter(name="Toy subscriber").delete()
            Toy.objects.all().delete()


def test_event_is_delivered_to_a_webhook_subscriber(committed_alpha, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    alpha = committed_alpha
    receiver = Receiver()
    receiver.thread.start()
    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        with schema_context(alpha.schema_name):
            key_id, secret, token = ApiClient.new_credentials()
            client = ApiClient.objects.create(name="Toy subscriber", key_id=key_id, secret_hash=hash_secret(secret),
                                              scopes=["webhooks", "toy:read", "toy:write"])
            _subscription, signing_secret = webhook_subscribe(client=client, url=receiver.url("/toys"),
                                                              events=["toy.made"])
        body = gql(Client(), alpha.host, 'mutation { makeToy(name: "волчок") { toy { id } } }', token=token)
        assert body["data"]["makeToy"]["toy"]["id"]
        broker.join("default", timeout=20_000, fail_fast=False)
        worker.join()
    finally:
        worker.stop()
        broker.flush_all()
        receiver.server.shutdown()
        receiver.server.server_close()
    got = receiver.at("/toys")
    assert len(got) == 1
    assert got[0].event["type"] == "toy.made" and got[0].event["data"]["name"] == "волчок"
    assert verify_signature(signing_secret, got[0].headers, got[0].body)


def test_demo_data_through_the_generic_command(alpha):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", "--schema", alpha.schema_name, "--module", "toy", stdout=out)
    assert "toy: 3 new" in out.getvalue()
    call_command("seed_demo", "--schema", alpha.schema_name, "--module", "toy", stdout=out)
    assert "toy: 0 new" in out.getvalue()
    with schema_context(alpha.schema_name):
        assert Toy.objects.filter(name__startswith="демо: ").count() == 3
