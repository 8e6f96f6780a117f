"""Jobs through real brokers (Redis, RabbitMQ): each runs in its tenant's schema; unknown tenants are skipped.

Unreachable services skip these tests locally and fail them on CI (CI=true).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import dramatiq
import pytest
from django_tenants.utils import schema_context

from gorodok_platform.jobs.actors import record_ping
from gorodok_platform.jobs.broker import broker_from_url
from gorodok_platform.jobs.middleware import TENANT_OPTION, send_in_tenant
from gorodok_platform.jobs.models import JobPing
from tests.support.brokers import delete_queues, drain, require_service, wait_for

pytestmark = pytest.mark.brokers


@dataclass
class RealBroker:
    kind: str
    broker: dramatiq.Broker
    worker: dramatiq.Worker
    actor: dramatiq.Actor
    queue_name: str


def ping_rows(token: str, *schemas: str) -> dict[str, list[str]]:
    rows = {}
    for schema in schemas:
        with schema_context(schema):
            rows[schema] = list(JobPing.objects.filter(token=token).values_list("schema_seen", flat=True))
    return rows


def record_ping_job(token: str) -> None:
    record_ping(token)


@pytest.fixture(params=["redis", "rabbitmq"])
def real_broker(request, alpha, beta):
    url = require_service(request.param)
    broker = broker_from_url(url)
    queue_name = f"gorodok-test-{uuid.uuid4().hex}"
    actor = dramatiq.actor(record_ping_job, broker=broker, actor_name="gorodok_test_record_ping",
                           queue_name=queue_name, max_retries=0)
    if request.param == "rabbitmq":
        broker.declare_queue(queue_name, ensure=True)  # join() asks the server about the queue
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        yield RealBroker(request.param, broker, worker, actor, queue_name)
    finally:
        worker.stop()
        try:
            broker.flush_all()
            delete_queues(broker, queue_name)
        finally:
            broker.close()


def test_job_runs_in_the_named_tenant_schema(real_broker, alpha, beta):
    token = f"test-{uuid.uuid4().hex}"
    message = send_in_tenant(real_broker.actor, alpha.schema_name, token)
    assert message.options[TENANT_OPTION] == alpha.schema_name

    drain(real_broker.broker, real_broker.worker, real_broker.queue_name)
    wait_for(lambda: ping_rows(token, alpha.schema_name)[alpha.schema_name])
    assert ping_rows(token, alpha.schema_name, beta.schema_name, "public") == {
        alpha.schema_name: [alpha.schema_name], beta.schema_name: [], "public": [],
    }


def test_job_for_unknown_tenant_is_skipped_and_the_queue_drains(real_broker, alpha, beta, caplog):
    caplog.set_level(logging.WARNING, logger="gorodok.jobs")
    lost, sentinel = f"test-{uuid.uuid4().hex}", f"test-{uuid.uuid4().hex}"
    skipped = send_in_tenant(real_broker.actor, "m_does_not_exist", lost)
    send_in_tenant(real_broker.actor, alpha.schema_name, sentinel)

    drain(real_broker.broker, real_broker.worker, real_broker.queue_name)
    wait_for(lambda: ping_rows(sentinel, alpha.schema_name)[alpha.schema_name])
    wait_for(lambda: [r for r in caplog.records if getattr(r, "message_id", None) == skipped.message_id
                      and "skipped" in r.getMessage()])
    real_broker.worker.join()  # the skipped message is completely handled, not merely picked up
    assert ping_rows(lost, alpha.schema_name, beta.schema_name, "public") == {
        alpha.schema_name: [], beta.schema_name: [], "public": [],
    }
    # Skipped, not failed or requeued: nothing is left on the queue or its delay queue.
    drain(real_broker.broker, real_broker.worker, real_broker.queue_name)
