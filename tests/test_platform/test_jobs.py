"""Jobs on the in-process stub broker: tenant stamping, per-tenant execution, skipping, reset to public."""

from __future__ import annotations

import logging
import uuid

import dramatiq
import pytest
import structlog
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware, SkipMessage

from gorodok_platform.jobs.actors import ping
from gorodok_platform.jobs.broker import broker_from_url, configure_broker
from gorodok_platform.jobs.middleware import (
    TENANT_OPTION,
    DatabaseConnectionsMiddleware,
    TenantLookupFailed,
    TenantMiddleware,
    send_in_tenant,
    tenant_for_schema,
)
from gorodok_platform.jobs.models import JobPing

QUEUE = "default"
JOIN_TIMEOUT_MS = 10_000


def new_token() -> str:
    return f"test-{uuid.uuid4().hex}"


def schemas_with_ping(token: str, *schemas: str) -> dict[str, list[str]]:
    """Per schema, the ``schema_seen`` of JobPing rows with ``token`` (committed by the worker)."""
    found = {}
    for schema in schemas:
        with schema_context(schema):
            found[schema] = list(JobPing.objects.filter(token=token).values_list("schema_seen", flat=True))
    return found


@pytest.fixture
def stub_broker():
    """The global broker the app configured for tests (BROKER_URL empty), with empty queues."""
    broker = dramatiq.get_broker()
    assert isinstance(broker, StubBroker)
    broker.flush_all()
    yield broker
    broker.flush_all()
    assert dramatiq.get_broker() is broker


@pytest.fixture
def worker(stub_broker, alpha, beta):
    worker = dramatiq.Worker(stub_broker, worker_threads=1, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()


def run_queued_jobs(broker, worker, *, fail_fast: bool = True) -> None:
    broker.join(QUEUE, timeout=JOIN_TIMEOUT_MS, fail_fast=fail_fast)
    worker.join()


class SchemaProbe(Middleware):
    """Placed first, so its "after" hooks run last: records the worker's schema and log context
    between jobs."""

    def __init__(self):
        self.after_job: list[tuple[str, str, object]] = []

    def after_process_message(self, broker, message, *, result=None, exception=None):
        self.after_job.append((message.message_id, connection.schema_name,
                               structlog.contextvars.get_contextvars().get("tenant")))

    def after_skip_message(self, broker, message):
        self.after_process_message(broker, message)


@pytest.fixture
def probe(stub_broker):
    probe = SchemaProbe()
    stub_broker.add_middleware(probe, before=DatabaseConnectionsMiddleware)
    assert stub_broker.middleware[0] is probe
    yield probe
    stub_broker.middleware.remove(probe)


@pytest.fixture
def schema_recorder(stub_broker):
    """A test actor on the stub broker that records the schema it runs in."""
    seen: list[tuple[str, str]] = []

    def record_schema(label: str) -> None:
        seen.append((label, connection.schema_name))

    actor = dramatiq.actor(record_schema, broker=stub_broker, actor_name="gorodok_test_record_schema",
                           queue_name=QUEUE, max_retries=0)
    yield actor, seen
    del stub_broker.actors[actor.actor_name]


@pytest.fixture
def failing_actor(stub_broker):
    calls: list[str] = []

    def always_fails(label: str) -> None:
        calls.append(connection.schema_name)
        raise RuntimeError(f"{label} fails on purpose")

    actor = dramatiq.actor(always_fails, broker=stub_broker, actor_name="gorodok_test_always_fails",
                           queue_name=QUEUE, max_retries=0)
    yield actor, calls
    del stub_broker.actors[actor.actor_name]


# --- Sending --------------------------------------------------------------------------------------


def test_send_from_tenant_schema_stamps_that_schema(stub_broker, alpha):
    with schema_context(alpha.schema_name):
        message = ping.send(new_token())
    assert message.options[TENANT_OPTION] == alpha.schema_name
    queued = [dramatiq.Message.decode(data) for data in stub_broker.queues[QUEUE].queue]
    stamped = [m.options[TENANT_OPTION] for m in queued if m.message_id == message.message_id]
    assert stamped == [alpha.schema_name]


def test_send_from_public_stamps_public(stub_broker):
    assert connection.schema_name == "public"
    assert ping.send(new_token()).options[TENANT_OPTION] == "public"


def test_send_in_tenant_names_the_schema_whatever_the_current_one(stub_broker, alpha, beta):
    with schema_context(alpha.schema_name):
        message = send_in_tenant(ping, beta.schema_name, new_token())
    assert message.options[TENANT_OPTION] == beta.schema_name
    assert connection.schema_name == "public"


# --- Running --------------------------------------------------------------------------------------


def test_worker_runs_job_in_the_named_schema_only(stub_broker, worker, alpha, beta):
    token = new_token()
    send_in_tenant(ping, beta.schema_name, token)
    run_queued_jobs(stub_broker, worker)
    assert schemas_with_ping(token, beta.schema_name, alpha.schema_name, "public") == {
        beta.schema_name: [beta.schema_name], alpha.schema_name: [], "public": [],
    }


def test_job_sent_from_tenant_schema_runs_there(stub_broker, worker, alpha, beta):
    token = new_token()
    with schema_context(alpha.schema_name):
        ping.send(token)
    run_queued_jobs(stub_broker, worker)
    assert schemas_with_ping(token, alpha.schema_name, beta.schema_name, "public") == {
        alpha.schema_name: [alpha.schema_name], beta.schema_name: [], "public": [],
    }


def test_ping_is_idempotent(stub_broker, worker, alpha):
    token = new_token()
    send_in_tenant(ping, alpha.schema_name, token)
    send_in_tenant(ping, alpha.schema_name, token)
    run_queued_jobs(stub_broker, worker)
    assert schemas_with_ping(token, alpha.schema_name) == {alpha.schema_name: [alpha.schema_name]}


@pytest.mark.parametrize("schema_name", ["m_does_not_exist", "m_bad\x00name", "m_bad; DROP SCHEMA public"])
def test_message_for_unknown_schema_is_skipped(stub_broker, worker, alpha, beta, caplog, schema_name):
    caplog.set_level(logging.WARNING, logger="gorodok.jobs")
    token = new_token()
    message = send_in_tenant(ping, schema_name, token)
    run_queued_jobs(stub_broker, worker)
    assert schemas_with_ping(token, alpha.schema_name, beta.schema_name, "public") == {
        alpha.schema_name: [], beta.schema_name: [], "public": [],
    }
    skipped = [r for r in caplog.records if r.name == "gorodok.jobs" and r.levelno == logging.WARNING
               and getattr(r, "message_id", None) == message.message_id]
    assert len(skipped) == 1
    assert "skipped" in skipped[0].getMessage()


@pytest.mark.parametrize("options", [{}, {TENANT_OPTION: ""}, {TENANT_OPTION: None}])
def test_message_without_tenant_is_skipped(stub_broker, options, caplog):
    caplog.set_level(logging.WARNING, logger="gorodok.jobs")
    message = dramatiq.Message(queue_name=QUEUE, actor_name=ping.actor_name, args=(new_token(),), kwargs={},
                               options=dict(options))
    with pytest.raises(SkipMessage):
        TenantMiddleware().before_process_message(stub_broker, message)
    assert any("no tenant" in r.getMessage() for r in caplog.records if r.name == "gorodok.jobs")


def test_failed_tenant_lookup_stops_the_actor_instead_of_running_it_in_public(stub_broker, alpha):
    message = dramatiq.Message(queue_name=QUEUE, actor_name=ping.actor_name, args=(new_token(),), kwargs={},
                               options={TENANT_OPTION: alpha.schema_name})
    with transaction.atomic():
        with pytest.raises(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT * FROM gorodok_no_such_table")
        # The connection cannot run queries any more: the lookup fails, and the failure must reach
        # the worker (which then neither runs the actor nor acks the message as done).
        with pytest.raises(TenantLookupFailed):
            stub_broker.emit_before("process_message", message)
    assert connection.schema_name == "public"


def test_only_live_municipalities_own_a_schema(alpha):
    from gorodok_tenants.models import Municipality, MunicipalityStatus

    assert tenant_for_schema(alpha.schema_name).pk == alpha.municipality.pk
    assert tenant_for_schema("public").schema_name == "public"
    assert tenant_for_schema("m_does_not_exist") is None

    archived = Municipality(
        schema_name="m_archived_test", name="Архив", name_en="Archive", slug="archived-test",
        oktmo="95999999", kind=alpha.municipality.kind, status=MunicipalityStatus.ARCHIVED,
    )
    archived.auto_create_schema = False
    archived.save()
    assert tenant_for_schema("m_archived_test") is None
    Municipality.objects.filter(pk=archived.pk).update(status=MunicipalityStatus.SUSPENDED)
    assert tenant_for_schema("m_archived_test").pk == archived.pk


def test_worker_is_back_in_public_after_each_job(stub_broker, worker, probe, schema_recorder, failing_actor,
                                                  alpha, beta):
    recorder, seen = schema_recorder
    failer, calls = failing_actor
    first = send_in_tenant(ping, beta.schema_name, new_token())
    skipped = send_in_tenant(ping, "m_does_not_exist", new_token())
    failed = send_in_tenant(failer, alpha.schema_name, "alpha job")
    assert recorder.send("public job").options[TENANT_OPTION] == "public"
    run_queued_jobs(stub_broker, worker, fail_fast=False)

    assert calls == [alpha.schema_name]
    assert seen == [("public job", "public")]
    after = {message_id: (schema, tenant) for message_id, schema, tenant in probe.after_job}
    assert after[first.message_id] == ("public", None)
    assert after[skipped.message_id] == ("public", None)
    assert after[failed.message_id] == ("public", None)
    assert len(after) == 4


def test_job_failing_for_good_is_logged_once_with_its_tenant(stub_broker, worker, failing_actor, alpha,
                                                             caplog):
    caplog.set_level(logging.ERROR, logger="gorodok.jobs")
    failer, calls = failing_actor
    message = failer.send_with_options(args=("alpha job",), max_retries=1, min_backoff=1, max_backoff=10,
                                       **{TENANT_OPTION: alpha.schema_name})
    run_queued_jobs(stub_broker, worker, fail_fast=False)

    assert calls == [alpha.schema_name, alpha.schema_name]
    failures = [r for r in caplog.records if r.name == "gorodok.jobs" and "failed for good" in r.getMessage()]
    assert len(failures) == 1
    assert alpha.schema_name in failures[0].getMessage()
    assert failures[0].message_id == message.message_id
    from gorodok_platform.jobs.models import FailedJob

    with schema_context("public"):
        recorded = FailedJob.objects.get(message_id=message.message_id)
    assert (recorded.tenant_schema, recorded.args) == (alpha.schema_name, ["alpha job"])
    assert "RuntimeError" in recorded.error or recorded.error


# --- Broker selection -----------------------------------------------------------------------------


@pytest.fixture
def restore_global_broker():
    previous = dramatiq.get_broker()
    yield
    dramatiq.set_broker(previous)


def test_broker_from_url_picks_broker_by_scheme(restore_global_broker):
    rabbit = broker_from_url("amqp://guest:guest@127.0.0.1:5672/%2F")
    redis = broker_from_url("redis://127.0.0.1:6379/15")
    try:
        assert isinstance(rabbit, RabbitmqBroker)
        assert isinstance(redis, RedisBroker)
        for broker in (rabbit, redis):
            assert any(isinstance(m, TenantMiddleware) for m in broker.middleware)
    finally:
        rabbit.close()
        redis.close()
    for url in ("sqs://queue", "http://127.0.0.1", "postgres://db", "amqp", ""):
        with pytest.raises(ValueError, match="BROKER_URL"):
            broker_from_url(url)


def test_configure_broker_without_url_runs_jobs_in_process(restore_global_broker, caplog):
    caplog.set_level(logging.INFO, logger="gorodok.jobs")
    broker = configure_broker("", max_retries=2)
    assert isinstance(broker, StubBroker)
    assert dramatiq.get_broker() is broker
    assert any("in-process" in r.getMessage() for r in caplog.records if r.name == "gorodok.jobs")


def test_jobs_of_a_municipality_being_upgraded_wait(stub_broker, alpha):
    """During its upgrade a municipality's schema is not ready for the release's code: its jobs are
    put back with a delay instead of running (and nothing is lost)."""
    from django.utils import timezone

    from gorodok_tenants.models import Municipality

    Municipality.objects.filter(pk=alpha.municipality.pk).update(maintenance_since=timezone.now())
    token = new_token()
    message = send_in_tenant(ping, alpha.schema_name, token)
    stub_broker.flush_all()
    middleware = TenantMiddleware()
    with pytest.raises(SkipMessage):
        middleware.before_process_message(stub_broker, message)
    assert connection.schema_name == "public"
    delayed = [dramatiq.Message.decode(m) for m in list(stub_broker.queues[f"{QUEUE}.DQ"].queue)]
    assert [(m.actor_name, m.args, m.options[TENANT_OPTION]) for m in delayed] == [
        ("ping", (token,), alpha.schema_name)]
    assert delayed[0].message_id != message.message_id
    assert delayed[0].options["eta"] > int(timezone.now().timestamp() * 1000)
    Municipality.objects.filter(pk=alpha.municipality.pk).update(maintenance_since=None)
    middleware.before_process_message(stub_broker, message)  # out of maintenance: it runs
    assert connection.schema_name == alpha.schema_name
