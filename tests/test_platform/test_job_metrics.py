"""The worker's job metrics: Dramatiq's Prometheus series by queue and actor, and the depth of the queues,
served over HTTP by the worker, on the stub broker and on real Redis and RabbitMQ."""

from __future__ import annotations

import socket
import urllib.request
import uuid

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from prometheus_client.parser import text_string_to_metric_families

from gorodok_platform.jobs.broker import broker_from_url
from gorodok_platform.jobs.metrics import JobMetrics, job_metrics_registry, queue_depth, serve_job_metrics
from tests.support.brokers import delete_queues, drain, require_service


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _scrape(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert response.status == 200
        return _samples(response.read().decode())


def test_every_broker_gorodok_builds_carries_the_metrics_middleware():
    assert any(isinstance(m, JobMetrics) for m in dramatiq.get_broker().middleware)


@pytest.fixture
def jobs_may_use_the_database(django_db_setup, django_db_blocker):
    """The worker's threads stamp tenants and record the failed job in the (committed) public schema."""
    from gorodok_platform.jobs.models import FailedJob

    with django_db_blocker.unblock():
        yield
        FailedJob.objects.filter(actor_name__startswith="metric_probe_").delete()


def _exercise(broker, queue: str) -> dict:
    """Two jobs done, one failing for good, one waiting; what the worker's endpoint says afterwards."""
    calls = []

    @dramatiq.actor(broker=broker, queue_name=queue, actor_name=f"metric_probe_{queue}", max_retries=0)
    def probe(fail: bool) -> None:
        calls.append(fail)
        if fail:
            raise RuntimeError("this job fails on purpose")

    worker = dramatiq.Worker(broker, queues={queue}, worker_threads=1, worker_timeout=50)
    port = _free_port()
    server, _thread = serve_job_metrics(broker, {queue}, port, address="127.0.0.1")
    try:
        worker.start()
        probe.send(False)
        probe.send(False)
        probe.send(True)
        if isinstance(broker, StubBroker):
            broker.join(queue, timeout=10_000, fail_fast=False)  # the failure is expected, not raised here
            worker.join()
        else:
            drain(broker, worker, queue)
        worker.stop()
        probe.send(False)  # nobody consumes it now: it waits in the queue
        samples = _scrape(port)
    finally:
        server.shutdown()
        worker.stop()
    assert len(calls) == 3
    return samples


def _check(samples: dict, queue: str) -> None:
    labels = (("actor_name", f"metric_probe_{queue}"), ("queue_name", queue))
    assert samples[("dramatiq_messages_total", labels)] == 3
    assert samples[("dramatiq_message_errors_total", labels)] == 1
    assert samples[("dramatiq_messages_inprogress", labels)] == 0
    assert samples[("dramatiq_message_duration_milliseconds_count", labels)] == 3
    assert samples[("gorodok_jobs_queue_depth", (("queue", queue),))] == 1


def test_the_stub_broker_worker_serves_its_metrics(jobs_may_use_the_database):
    broker = broker_from_url("stub://")
    queue = f"metrics_{uuid.uuid4().hex[:8]}"
    _check(_exercise(broker, queue), queue)


@pytest.mark.parametrize("service", ["redis", "rabbitmq"])
def test_a_real_broker_worker_serves_its_metrics(service, jobs_may_use_the_database):
    broker = broker_from_url(require_service(service))
    queue = f"metrics_{uuid.uuid4().hex[:8]}"
    try:
        _check(_exercise(broker, queue), queue)
    finally:
        delete_queues(broker, queue)
        broker.close()


def test_an_unreachable_broker_leaves_the_depth_out_but_the_scrape_works():
    broker = broker_from_url("redis://127.0.0.1:1/0")
    try:
        assert queue_depth(broker, "default") == (None, 0)
        text = "".join(f"{m.name} " for m in job_metrics_registry(broker, {"default"}).collect())
        assert "dramatiq_messages" in text and "gorodok_jobs_queue_depth" in text
    finally:
        broker.close()
