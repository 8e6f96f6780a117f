"""Broker faults: a Redis of the test's own (free port), frozen or stopped under real requests.

A write answers in normal time whatever the broker does; what the broker could not take is kept and
sent when it answers again (within seconds: the scheduler looks every few seconds); queue names carry
the installation's prefix.
"""

from __future__ import annotations

import time

import dramatiq
import pytest
from django.core import mail
from django_tenants.utils import schema_context

from gorodok_platform.jobs.broker import broker_from_url, queue_name
from gorodok_platform.jobs.enqueue import deferred_count
from gorodok_platform.jobs.models import DeferredMessage
from gorodok_platform.jobs.scheduler import Scheduler
from tests.support.faults import RedisInstance, deadline

pytestmark = pytest.mark.faults


@pytest.fixture
def redis_server():
    server = RedisInstance().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def jobs_on_redis(redis_server, settings):
    """Every actor of the application, moved from the in-process broker to the test's Redis."""
    stub = dramatiq.get_broker()
    broker = broker_from_url(redis_server.url, timeout=settings.BROKER_TIMEOUT_SECONDS)
    actors = list(stub.actors.values())
    for actor in actors:
        actor.broker = broker
        broker.declare_actor(actor)
    dramatiq.set_broker(broker)
    try:
        yield broker
    finally:
        for actor in actors:
            actor.broker = stub
        dramatiq.set_broker(stub)
        broker.close()


def _drain(broker, deliver: bool) -> list[dramatiq.Message]:
    """Take every message off the default queue; run (in its schema) those asked for."""
    consumer = broker.consume(queue_name("default", broker), prefetch=50, timeout=500)
    taken = []
    try:
        for message in consumer:
            if message is None:
                break
            taken.append(message)
            consumer.ack(message)
            if deliver:
                with schema_context(message.options["tenant_schema"]):
                    broker.get_actor(message.actor_name).fn(*message.args, **message.kwargs)
    finally:
        consumer.close()
    return taken


def test_a_frozen_broker_does_not_stall_writes_and_nothing_is_lost(alpha, client, jobs_on_redis, redis_server,
                                                                   settings, django_capture_on_commit_callbacks):
    from tests.support.open311 import api_client, post

    token = api_client(alpha)
    baseline = []
    for number in (1, 2):  # the broker answers: what a write normally costs here
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, alpha, token, email=f"warm{number}@example.ru")[0] == 200
        baseline.append(time.monotonic() - started)
    _drain(jobs_on_redis, deliver=False)
    redis_server.freeze()
    timings = []
    try:
        with deadline(60):
            for number in (1, 2, 3):
                started = time.monotonic()
                with django_capture_on_commit_callbacks(execute=True):
                    status, body = post(client, alpha, token, email=f"citizen{number}@example.ru")
                timings.append(time.monotonic() - started)
                assert status == 200, body
    finally:
        thawed = time.monotonic()
        redis_server.thaw()
    print("Open311 POST, broker up:", [f"{t:.2f} s" for t in baseline], "broker frozen:",
          [f"{t:.2f} s" for t in timings])
    # The first write pays the broker timeout once; the next ones do not wait for the broker at all.
    assert timings[0] < settings.BROKER_TIMEOUT_SECONDS + 1.5
    assert max(timings[1:]) < 1.0
    with schema_context("public"):
        kept = list(DeferredMessage.objects.values_list("actor_name", "tenant_schema"))
    assert ("send_appeal_notification", alpha.schema_name) in kept
    assert ("dispatch_outbox_event", alpha.schema_name) in kept
    assert mail.outbox == []

    # The broker answers again: the scheduler's next look sends what was kept.
    scheduler = Scheduler({}, flush_seconds=5.0)
    with deadline(60):
        while deferred_count():
            scheduler.flush_deferred()
            time.sleep(0.1)
    caught_up = time.monotonic() - thawed
    print(f"kept jobs sent {caught_up:.2f} s after the broker came back")
    assert caught_up < 60
    delivered = _drain(jobs_on_redis, deliver=True)
    assert {m.actor_name for m in delivered} >= {"send_appeal_notification", "dispatch_outbox_event"}
    assert sorted(message.to[0] for message in mail.outbox) == [
        "citizen1@example.ru", "citizen2@example.ru", "citizen3@example.ru"]


def test_a_stopped_broker_costs_a_write_nothing_noticeable(alpha, client, jobs_on_redis, redis_server,
                                                           django_capture_on_commit_callbacks):
    from tests.support.open311 import api_client, post

    token = api_client(alpha)
    with django_capture_on_commit_callbacks(execute=True):  # warm: the first request of a process is slower
        assert post(client, alpha, token, email="warm@example.ru")[0] == 200
    redis_server.stop()
    with deadline(30):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            status, body = post(client, alpha, token)
        elapsed = time.monotonic() - started
    assert status == 200, body
    assert elapsed < 1.5, elapsed
    assert deferred_count() >= 2


def test_queue_names_carry_the_installation_prefix(redis_server):
    staging = broker_from_url(redis_server.url, queue_prefix="staging.")
    production = broker_from_url(redis_server.url, queue_prefix="production.")
    try:
        def job(n):
            pass

        for broker in (staging, production):
            dramatiq.actor(job, broker=broker, actor_name="gorodok_test_prefixed", queue_name="default")
        assert staging.get_actor("gorodok_test_prefixed").queue_name == "staging.default"
        staging.get_actor("gorodok_test_prefixed").send(1)
        assert staging.client.hlen("dramatiq:staging.default.msgs") == 1
        assert production.client.hlen("dramatiq:production.default.msgs") == 0
        assert queue_name("default", production) == "production.default"
    finally:
        staging.close()
        production.close()
    with pytest.raises(ValueError, match="DRAMATIQ_QUEUE_PREFIX"):
        broker_from_url("stub://", queue_prefix="no spaces")
