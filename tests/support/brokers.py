"""Helpers for tests against real brokers: service URLs, the skip-or-fail rule, draining and cleanup."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import dramatiq
import pytest
from dramatiq.common import dq_name, xq_name

from gorodok_platform.jobs.broker import broker_reachable

DEFAULT_URLS = {
    "redis": ("REDIS_TEST_URL", "redis://127.0.0.1:6379/15"),
    "rabbitmq": ("RABBITMQ_TEST_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
}
JOIN_TIMEOUT_MS = 10_000


def service_url(service: str) -> str:
    variable, default = DEFAULT_URLS[service]
    return os.environ.get(variable) or default


def require_service(service: str) -> str:
    """The service's URL; skips the test when it is unreachable, except on CI (CI=true), where it fails."""
    url = service_url(service)
    reachable, detail = broker_reachable(url, timeout=2.0)
    if not reachable:
        variable = DEFAULT_URLS[service][0]
        reason = f"{service} is not reachable at {variable}={url} ({detail})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the broker integration tests")
        pytest.skip(reason)
    return url


def wait_for(predicate: Callable[[], object], *, timeout: float = 10.0, interval: float = 0.05) -> object:
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(interval)


def drain(broker: dramatiq.Broker, worker: dramatiq.Worker, queue_name: str) -> None:
    """Wait until ``queue_name`` is empty and the worker has finished what it took from it."""
    broker.join(queue_name, timeout=JOIN_TIMEOUT_MS)
    worker.join()


def delete_queues(broker: dramatiq.Broker, queue_name: str) -> None:
    """Remove every trace of a test queue from the server (flush_all only empties queues)."""
    names = (queue_name, dq_name(queue_name), xq_name(queue_name))
    if hasattr(broker, "channel"):  # RabbitMQ: queues are durable, delete them.
        for name in names:
            broker.channel.queue_delete(name)
    elif hasattr(broker, "client"):  # Redis: the broker's keys for the queue, the acks, the heartbeat.
        keys = [key for name in names for key in broker.client.scan_iter(match=f"*{name}*")]
        if keys:
            broker.client.delete(*keys)
        broker.client.zrem(f"{broker.namespace}:__heartbeats__", broker.broker_id)
