"""Webhooks end to end: the outbox, dispatch, signed delivery to a local receiver, retries, pausing,
resuming, a broker outage, and the reference signature check.

The flow tests commit their rows (a worker thread cannot see an open test transaction) and remove
them afterwards; the deliveries go to an HTTP server on 127.0.0.1 started for each test.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import dramatiq
import pytest
from django.core.exceptions import ValidationError
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.integrations.actors import (
    dispatch_outbox_event,
    dispatch_pending_outbox_everywhere,
    enqueue_delivery,
)
from gorodok_platform.integrations.models import (
    ApiClient,
    OutboxEvent,
    Scope,
    WebhookDelivery,
    WebhookSubscription,
    hash_secret,
)
from gorodok_platform.integrations.outbox import outbox_dispatch, outbox_emit
from gorodok_platform.integrations.webhooks import config as webhook_config
from gorodok_platform.integrations.webhooks import transport
from gorodok_platform.integrations.webhooks.signing import sign, verify_signature
from gorodok_platform.integrations.webhooks.subscriptions import (
    webhook_subscribe,
    webhook_subscription_pause,
    webhook_subscription_resume,
    webhook_unsubscribe,
)
from gorodok_platform.integrations.webhooks.transport import validate_target_url
from gorodok_platform.jobs.broker import broker_from_url
from gorodok_platform.jobs.middleware import send_in_tenant
from gorodok_platform.jobs.models import DeferredMessage, FailedJob
from gorodok_platform.jobs.queues import FANOUT_QUEUE
from gorodok_platform.jobs.scheduler import periodic_jobs
from gorodok_services.appeals import services
from gorodok_services.appeals.models import Appeal, RegistrationCounter
from tests.support.appeals import dated_intake as intake

PREFIX = "webhook-test-"
QUEUE = "default"
# A year no other test registers in: the registration counters are restored afterwards anyway.
RECEIVED = datetime(2019, 3, 4, 3, 0, tzinfo=UTC)
PERSONAL_DATA = ("Иванов", "ivanov@example.ru", "Ленина", "Яма на дороге")
REGISTERED, STATUS_CHANGED = "appeal.registered", "appeal.status_changed"


# --- a receiver ------------------------------------------------------------------------------------

from tests.support.webhooks import Received, Receiver  # noqa: E402,F401


@pytest.fixture
def receiver():
    server = Receiver()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        server.thread.join(timeout=5)


# --- committed rows, a worker ------------------------------------------------------------------------

def _clean(schemas: list[str]) -> None:
    for schema in schemas:
        with schema_context(schema):
            ApiClient.objects.filter(name__startswith=PREFIX).delete()
            if schema != "public":
                for appeal in Appeal.objects.filter(external_number__startswith="HOOK-"):
                    appeal.delete()
            OutboxEvent.objects.all().delete()
            WebhookDelivery.objects.all().delete()
    with schema_context("public"):
        FailedJob.objects.filter(actor_name="deliver_webhook").delete()
        DeferredMessage.objects.all().delete()  # what the broker outages of these tests kept


@pytest.fixture
def committed(municipalities, django_db_blocker):
    """The database without a test transaction; the rows of these tests are removed afterwards and the
    registration counters put back."""
    alpha, beta = municipalities["alpha"], municipalities["beta"]
    schemas = [alpha.schema_name, beta.schema_name, "public"]
    with django_db_blocker.unblock():
        counters = {}
        for schema in schemas[:2]:
            with schema_context(schema):
                counters[schema] = dict(RegistrationCounter.objects.values_list("year", "last_number"))
        _clean(schemas)
        try:
            yield alpha, beta
        finally:
            _clean(schemas)
            for schema, before in counters.items():
                with schema_context(schema):
                    RegistrationCounter.objects.exclude(year__in=before).delete()
                    for year, number in before.items():
                        RegistrationCounter.objects.filter(year=year).update(last_number=number)


@pytest.fixture
def fast_retries(settings):
    settings.WEBHOOK_MIN_BACKOFF_MS = 20
    settings.WEBHOOK_MAX_BACKOFF_MS = 200
    settings.WEBHOOK_MAX_RETRIES = 5
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 10
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    return settings


@pytest.fixture
def worker(committed, fast_retries):
    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        yield broker, worker
    finally:
        worker.stop()
        broker.flush_all()


def drain(worker) -> None:
    """Wait for the fan-out queue (catch-ups), then the default one (the deliveries they queue)."""
    broker, running = worker
    for queue in (FANOUT_QUEUE, QUEUE):
        broker.join(queue, timeout=30_000, fail_fast=False)
        running.join()


def make_client(schema: str, name: str, *, scopes=(Scope.WEBHOOKS, "appeals:read"), municipalities=()):
    with schema_context(schema):
        key_id, secret, _token = ApiClient.new_credentials()
        return ApiClient.objects.create(name=f"{PREFIX}{name}", key_id=key_id, secret_hash=hash_secret(secret),
                                        scopes=list(scopes), municipalities=list(municipalities))


def subscribe(schema: str, client: ApiClient, url: str, events=()) -> tuple[WebhookSubscription, str]:
    with schema_context(schema):
        return webhook_subscribe(client=client, url=url, events=list(events))


def register(schema: str, tag: str, **overrides) -> Appeal:
    with schema_context(schema):
        appeal, _ = services.appeal_receive(data=intake(external_number=f"HOOK-{tag}", received_at=RECEIVED,
                                                        **overrides))
        return services.appeal_register(appeal=appeal, registered_at=RECEIVED + timedelta(hours=1)).appeal


def deliveries(schema: str, subscription: WebhookSubscription) -> list[WebhookDelivery]:
    with schema_context(schema):
        return list(WebhookDelivery.objects.filter(subscription=subscription).order_by("created_at", "id"))


def refreshed(schema: str, subscription: WebhookSubscription) -> WebhookSubscription:
    with schema_context(schema):
        return WebhookSubscription.objects.get(pk=subscription.pk)


# --- the flow ----------------------------------------------------------------------------------------

def test_subscribers_get_their_municipalities_events_signed_and_without_personal_data(committed, worker, receiver):
    alpha_schema, beta_schema = (m.schema_name for m in committed)
    own, own_secret = subscribe(alpha_schema, make_client(alpha_schema, "city site"), receiver.url("/alpha"))
    subscribe(alpha_schema, make_client(alpha_schema, "no appeals", scopes=[Scope.WEBHOOKS]),
              receiver.url("/alpha-no-scope"))
    revoked = make_client(alpha_schema, "revoked")
    subscribe(alpha_schema, revoked, receiver.url("/alpha-revoked"))
    with schema_context(alpha_schema):
        ApiClient.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    subscribe(beta_schema, make_client(beta_schema, "beta site"), receiver.url("/beta"))
    regional, regional_secret = subscribe(
        "public", make_client("public", "warehouse", municipalities=[alpha_schema]), receiver.url("/region-alpha"))
    subscribe("public", make_client("public", "beta warehouse", municipalities=[beta_schema]),
              receiver.url("/region-beta"))

    appeal = register(alpha_schema, "flow")
    drain(worker)

    got = receiver.at("/alpha")
    assert sorted(r.event["type"] for r in got) == [REGISTERED, STATUS_CHANGED]
    for request in got:
        assert verify_signature(own_secret, request.headers, request.body)
        assert request.headers["X-Gorodok-Event"] == request.event["type"]
        uuid.UUID(request.headers["X-Gorodok-Delivery"])
        event = request.event
        assert event["municipality"] == {"schema": alpha_schema, "slug": "alpha"}
        assert event["data"]["public_id"] == str(appeal.public_id)
        assert event["data"]["registration_number"] == appeal.registration_number
        assert event["data"]["status"] == "registered"
        text = request.body.decode()
        assert not [word for word in PERSONAL_DATA if word in text], text
        assert not {"applicant_name", "applicant_email", "subject", "text"} & set(event["data"])
    changed = next(r.event for r in got if r.event["type"] == STATUS_CHANGED)
    assert changed["data"]["previous_status"] == "received"

    assert sorted(r.event["id"] for r in receiver.at("/region-alpha")) == sorted(r.event["id"] for r in got)
    assert all(verify_signature(regional_secret, r.headers, r.body) for r in receiver.at("/region-alpha"))
    assert not any(verify_signature(own_secret, r.headers, r.body) for r in receiver.at("/region-alpha"))
    for path in ("/beta", "/region-beta", "/alpha-no-scope", "/alpha-revoked"):
        assert receiver.at(path) == [], path

    assert [(d.delivered, d.status_code, d.attempt) for d in deliveries(alpha_schema, own)] == [(True, 200, 1)] * 2
    logged = deliveries("public", regional)  # the regional subscription's log is in the public schema
    assert [(d.delivered, d.event_schema) for d in logged] == [(True, alpha_schema)] * 2
    with schema_context(alpha_schema):
        assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()


def test_a_refused_delivery_is_retried_with_backoff_until_it_succeeds(committed, worker, receiver, fast_retries):
    fast_retries.WEBHOOK_MIN_BACKOFF_MS = 100
    fast_retries.WEBHOOK_MAX_BACKOFF_MS = 1000
    alpha = committed[0].schema_name
    subscription, secret = subscribe(alpha, make_client(alpha, "flaky"), receiver.url("/flaky"), [REGISTERED])
    receiver.plan["/flaky"] = [500, 503]

    register(alpha, "retry")
    drain(worker)

    got = receiver.at("/flaky")
    assert [r.status for r in got] == [500, 503, 200]
    assert len({r.event["id"] for r in got}) == 1
    assert len({r.headers["X-Gorodok-Delivery"] for r in got}) == 3
    assert all(verify_signature(secret, r.headers, r.body) for r in got)
    assert got[1].at - got[0].at >= 0.09 and got[2].at - got[1].at >= 0.18  # 100 ms, then twice as long
    log = deliveries(alpha, subscription)
    assert [(d.attempt, d.status_code, d.delivered) for d in log] == [(1, 500, False), (2, 503, False), (3, 200, True)]
    assert log[0].response_excerpt and len(log[0].response_excerpt) <= 500
    assert refreshed(alpha, subscription).consecutive_failures == 0


def test_repeated_failures_pause_the_subscription_and_resuming_sends_what_it_missed(committed, worker, receiver,
                                                                                   fast_retries):
    fast_retries.WEBHOOK_MAX_RETRIES = 1
    fast_retries.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    alpha = committed[0].schema_name
    subscription, _secret = subscribe(alpha, make_client(alpha, "down"), receiver.url("/down"), [REGISTERED])
    receiver.failing.add("/down")

    first = register(alpha, "down-1")  # two attempts, then it fails for good: 2 failures in a row
    drain(worker)
    assert len(receiver.at("/down")) == 2 and refreshed(alpha, subscription).is_active
    second = register(alpha, "down-2")  # the third failure in a row, counted across events: paused
    drain(worker)
    assert len(receiver.at("/down")) == 3
    paused = refreshed(alpha, subscription)
    assert not paused.is_active and paused.paused_at is not None and paused.consecutive_failures == 3

    third = register(alpha, "down-3")  # while paused: not even tried
    drain(worker)
    assert len(receiver.at("/down")) == 3

    receiver.failing.clear()
    with schema_context(alpha):
        assert webhook_subscription_resume(subscription=paused) == 3
    drain(worker)
    delivered = [r.event["data"]["public_id"] for r in receiver.at("/down") if r.status == 200]
    assert delivered == [str(first.public_id), str(second.public_id), str(third.public_id)]
    resumed = refreshed(alpha, subscription)
    assert resumed.is_active and resumed.paused_at is None and resumed.consecutive_failures == 0
    with schema_context(alpha):
        assert webhook_subscription_resume(subscription=resumed) == 0  # active: nothing to do
    drain(worker)
    assert len(receiver.at("/down")) == 6


def test_a_broker_outage_delays_events_but_loses_none(committed, worker, receiver, fast_retries, monkeypatch, caplog):
    fast_retries.WEBHOOK_DISPATCH_GRACE_SECONDS = 30
    broker, _running = worker
    alpha = committed[0].schema_name
    subscribe(alpha, make_client(alpha, "patient"), receiver.url("/patient"))
    real_enqueue = broker.enqueue

    def broker_down(message, *, delay=None):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(broker, "enqueue", broker_down)
    appeal = register(alpha, "outage", applicant_email="")  # the change commits; its dispatch cannot be queued
    monkeypatch.setattr(broker, "enqueue", real_enqueue)
    assert any("kept for later" in r.getMessage() for r in caplog.records)

    drain(worker)
    assert receiver.at("/patient") == []
    with schema_context(alpha):
        pending = OutboxEvent.objects.filter(dispatched_at__isnull=True)
        assert sorted(pending.values_list("event_type", flat=True)) == [REGISTERED, STATUS_CHANGED]

    send_in_tenant(dispatch_pending_outbox_everywhere, "public")  # within the grace period: left alone
    drain(worker)
    assert receiver.at("/patient") == []

    with schema_context(alpha):
        OutboxEvent.objects.update(created_at=timezone.now() - timedelta(seconds=31))
    send_in_tenant(dispatch_pending_outbox_everywhere, "public")  # what the scheduler sends every minute
    drain(worker)
    got = receiver.at("/patient")
    assert sorted(r.event["type"] for r in got) == [REGISTERED, STATUS_CHANGED]
    assert {r.event["data"]["public_id"] for r in got} == {str(appeal.public_id)}
    with schema_context(alpha):
        assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
    assert periodic_jobs()["dispatch_pending_outbox_everywhere"].seconds == 60


def test_a_broker_failure_while_dispatching_leaves_the_event_to_dispatch_again(committed, worker, receiver,
                                                                                monkeypatch):
    broker, _running = worker
    alpha = committed[0].schema_name
    subscribe(alpha, make_client(alpha, "first"), receiver.url("/first"), [REGISTERED])
    subscribe(alpha, make_client(alpha, "second"), receiver.url("/second"), [REGISTERED])
    real_enqueue = broker.enqueue
    calls = []

    def second_delivery_fails(message, *, delay=None):
        if message.actor_name == "deliver_webhook":
            calls.append(message)
            if len(calls) == 2:
                raise ConnectionError("broker unreachable")
        if message.actor_name == "dispatch_outbox_event":
            return message  # leave the dispatch to this test
        return real_enqueue(message, delay=delay)

    monkeypatch.setattr(broker, "enqueue", second_delivery_fails)
    register(alpha, "half", applicant_email="")
    with schema_context(alpha):
        event = OutboxEvent.objects.get(event_type=REGISTERED)
        with pytest.raises(ConnectionError):
            outbox_dispatch(str(event.event_id))
        assert OutboxEvent.objects.get(pk=event.pk).dispatched_at is None
    monkeypatch.setattr(broker, "enqueue", real_enqueue)
    drain(worker)  # the delivery queued before the failure goes out
    with schema_context(alpha):
        assert outbox_dispatch(str(event.event_id)) == 2
    drain(worker)
    assert len(receiver.at("/first")) == 1 and len(receiver.at("/second")) == 1  # the repeat is skipped


def test_dispatching_or_delivering_an_event_again_sends_it_once(committed, worker, receiver):
    alpha = committed[0].schema_name
    subscription, _secret = subscribe(alpha, make_client(alpha, "once"), receiver.url("/once"), [REGISTERED])
    register(alpha, "once", applicant_email="")
    drain(worker)
    assert len(receiver.at("/once")) == 1
    with schema_context(alpha):
        event = OutboxEvent.objects.get(event_type=REGISTERED)
    send_in_tenant(dispatch_outbox_event, alpha, str(event.event_id))
    send_in_tenant(dispatch_outbox_event, alpha, str(event.event_id))
    enqueue_delivery(alpha, subscription.pk, str(event.event_id), alpha)
    drain(worker)
    assert len(receiver.at("/once")) == 1
    assert len(deliveries(alpha, subscription)) == 1


def test_private_targets_are_refused_in_production(committed, worker, receiver, fast_retries):
    alpha = committed[0].schema_name
    subscription, _secret = subscribe(alpha, make_client(alpha, "inside"), receiver.url("/inside"), [REGISTERED])
    fast_retries.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    register(alpha, "inside", applicant_email="")
    drain(worker)
    assert receiver.at("/inside") == []
    [attempt] = deliveries(alpha, subscription)
    assert not attempt.delivered and attempt.error.startswith("refused") and attempt.status_code is None


def test_outbox_emit_needs_the_transaction_of_the_change(committed):
    alpha, _beta = committed
    with schema_context(alpha.schema_name), pytest.raises(TransactionManagementError):
        outbox_emit("appeal.registered", {"id": "x"})


def test_subscription_services(committed, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    alpha, _beta = committed
    schema = alpha.schema_name
    client = make_client(schema, "services")
    with schema_context(schema):
        subscription, secret = webhook_subscribe(client=client, url=" https://hooks.example.org/in ",
                                                 events=["appeal.registered", "appeal.registered"])
        assert secret.startswith("whsec_") and subscription.secret == secret
        assert (subscription.url, subscription.events) == ("https://hooks.example.org/in", ["appeal.registered"])
        for bad_url in ("ftp://example.org/x", "javascript:alert(1)", "http://127.0.0.1:8000/x", "http://10.1.2.3/",
                        "http://[::1]/", "http://localhost/x", "https://user:pw@example.org/", "http://169.254.169.254/"):
            with pytest.raises(ValidationError):
                webhook_subscribe(client=client, url=bad_url)
        with pytest.raises(ValidationError):
            webhook_subscribe(client=client, url="https://example.org/", events=["Appeal Registered"])
        no_scope = make_client(schema, "no scope", scopes=["appeals:read"])
        with pytest.raises(ValidationError) as refused:
            webhook_subscribe(client=no_scope, url="https://example.org/")
        assert refused.value.code == "scope"

        paused = webhook_subscription_pause(subscription=subscription)
        assert not paused.is_active and paused.paused_at is not None
        assert webhook_subscription_resume(subscription=paused) == 0  # nothing dispatched since it exists
        assert WebhookSubscription.objects.get(pk=subscription.pk).is_active
        webhook_unsubscribe(subscription=subscription)
        assert not WebhookSubscription.objects.filter(pk=subscription.pk).exists()


# --- the reference verifier ---------------------------------------------------------------------------

SECRET = "whsec_test-secret"
BODY = b'{"data":{"status":"registered"},"id":"8b7c","type":"appeal.registered"}'


def signed_headers(timestamp: int, body: bytes = BODY, secret: str = SECRET) -> dict[str, str]:
    return {"X-Gorodok-Timestamp": str(timestamp), "X-Gorodok-Signature": f"v1={sign(secret, timestamp, body)}"}


def test_verify_signature_accepts_what_gorodok_signed():
    now = 1_790_000_000
    assert verify_signature(SECRET, signed_headers(now), BODY, now=now)
    assert verify_signature(SECRET, signed_headers(now), BODY.decode(), now=now + 299)
    lower = {k.lower(): v for k, v in signed_headers(now).items()}
    assert verify_signature(SECRET, lower, BODY, now=now)
    rotated = signed_headers(now)
    rotated["X-Gorodok-Signature"] = f"v1={'0' * 64}, {rotated['X-Gorodok-Signature']}"
    assert verify_signature(SECRET, rotated, BODY, now=now)


def test_verify_signature_rejects_forged_and_replayed_requests():
    now = 1_790_000_000
    headers = signed_headers(now)
    assert not verify_signature(SECRET, headers, BODY.replace(b"registered", b"answered"), now=now)  # forged body
    assert not verify_signature("whsec_other", headers, BODY, now=now)  # wrong secret
    assert not verify_signature(SECRET, headers, BODY, now=now + 301)  # replayed later
    assert not verify_signature(SECRET, headers, BODY, now=now - 301)  # from the future
    assert not verify_signature(SECRET, headers, BODY, tolerance=60, now=now + 61)
    moved = dict(headers, **{"X-Gorodok-Timestamp": str(now + 1000)})  # a fresh timestamp on an old signature
    assert not verify_signature(SECRET, moved, BODY, now=now + 1000)
    resigned = dict(headers, **{"X-Gorodok-Signature": "v1=" + sign("guess", now, BODY)})
    assert not verify_signature(SECRET, resigned, BODY, now=now)
    for broken in ({}, {"X-Gorodok-Timestamp": str(now)}, {"X-Gorodok-Signature": headers["X-Gorodok-Signature"]},
                   dict(headers, **{"X-Gorodok-Timestamp": "1.7e9"}),
                   dict(headers, **{"X-Gorodok-Signature": sign(SECRET, now, BODY)}),
                   dict(headers, **{"X-Gorodok-Signature": "v0=" + sign(SECRET, now, BODY)}),
                   dict(headers, **{"X-Gorodok-Signature": "v1=ünïcode"})):
        assert not verify_signature(SECRET, broken, BODY, now=now), broken


def test_retry_defaults(settings):
    for name in ("WEBHOOK_MAX_RETRIES", "WEBHOOK_MIN_BACKOFF_MS", "WEBHOOK_MAX_BACKOFF_MS"):
        if hasattr(settings, name):
            delattr(settings, name)
    assert webhook_config.retry_options() == {"max_retries": 8, "min_backoff": 10_000, "max_backoff": 1_500_000}


def test_target_checks(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    assert validate_target_url("https://8.8.8.8/hook") == "https://8.8.8.8/hook"
    with pytest.raises(transport.TargetRefused):
        transport.resolve_target("http://localhost:9/")
    with pytest.raises(transport.TargetRefused):
        transport.resolve_target("http://[::ffff:127.0.0.1]:9/")
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    assert validate_target_url("http://127.0.0.1:8000/x") == "http://127.0.0.1:8000/x"
    assert transport.resolve_target("http://127.0.0.1:9/a?b=1").path == "/a?b=1"


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/15", "amqp://guest:guest@127.0.0.1:1/%2F"])
def test_an_unreachable_real_broker_delays_events_but_loses_none(committed, worker, receiver, fast_retries,
                                                                 monkeypatch, url):
    """The clients' own errors (redis, pika) when the broker is down are caught like any other."""
    alpha = committed[0].schema_name
    subscribe(alpha, make_client(alpha, "real outage"), receiver.url("/real"), [REGISTERED])
    dead = broker_from_url(url)
    try:
        monkeypatch.setattr(dispatch_outbox_event, "broker", dead)
        appeal = register(alpha, "real-outage", applicant_email="")
    finally:
        monkeypatch.undo()
        dead.close()
    with schema_context(alpha):
        assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 2
        OutboxEvent.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    send_in_tenant(dispatch_pending_outbox_everywhere, "public")
    drain(worker)
    assert [r.event["data"]["public_id"] for r in receiver.at("/real")] == [str(appeal.public_id)]
