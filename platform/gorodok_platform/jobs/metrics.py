"""Job metrics in the Prometheus format, from Dramatiq's own Prometheus middleware.

Dramatiq's middleware counts messages processed, failed, retried and dead-lettered, messages in
progress and their durations, by queue and actor (``dramatiq_messages_total``,
``dramatiq_message_errors_total``, ``dramatiq_message_retries_total``,
``dramatiq_message_rejects_total``, ``dramatiq_messages_inprogress``,
``dramatiq_message_duration_milliseconds``). It expects the ``dramatiq`` command line, which calls its
boot hook and forks an exposition server; Gorodok's worker is a Django command running
``dramatiq.Worker`` in its own process, so ``JobMetrics`` creates the same series when the broker is
built (in a registry of its own, no multiprocess files) and the worker serves them with
prometheus-client's HTTP server on ``WORKER_METRICS_PORT``, beside the depth of the queues it consumes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from dramatiq.middleware.prometheus import Prometheus
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger("gorodok.jobs")

_SERIES = ("total_messages", "total_errored_messages", "total_retried_messages", "total_rejected_messages",
           "inprogress_messages", "inprogress_delayed_messages", "message_durations")
_ENVIRONMENT = ("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir")


class JobMetrics(Prometheus):
    """Dramatiq's Prometheus middleware, with its series in ``self.registry`` from the start."""

    def __init__(self) -> None:
        super().__init__()
        saved = {name: os.environ.get(name) for name in _ENVIRONMENT}
        try:
            # The parent's boot hook creates the series; it also points prometheus-client at a
            # multiprocess directory, which the web processes must not inherit: undone right after.
            super().after_process_boot(broker=None)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        self.registry = CollectorRegistry(auto_describe=True)
        for name in _SERIES:
            self.registry.register(getattr(self, name))

    @property
    def forks(self):
        return []  # no ``dramatiq`` command line here: the worker serves the registry itself

    def after_process_boot(self, broker) -> None:
        pass  # done in __init__

    def after_worker_shutdown(self, broker, worker) -> None:
        pass  # no multiprocess files to mark


class QueueDepthCollector(Collector):
    """Messages waiting in each queue the worker consumes, asked of the broker at each scrape."""

    def __init__(self, broker, queues: Iterable[str]):
        self.broker = broker
        self.queues = sorted(queues)

    def collect(self) -> Iterable[Metric]:
        depth = GaugeMetricFamily("gorodok_jobs_queue_depth", "Messages waiting in a queue (delayed ones apart).",
                                  labels=["queue"])
        delayed = GaugeMetricFamily("gorodok_jobs_queue_delayed", "Delayed messages (retries) waiting in a queue.",
                                    labels=["queue"])
        for queue in self.queues:
            ready, waiting = queue_depth(self.broker, queue)
            if ready is not None:
                depth.add_metric([queue], ready)
                delayed.add_metric([queue], waiting)
        yield depth
        yield delayed


def queue_depth(broker, queue: str) -> tuple[int | None, int]:
    """(ready, delayed) messages of ``queue`` on RabbitMQ or Redis; (None, 0) when it cannot say."""
    from dramatiq.common import dq_name

    try:
        if hasattr(broker, "get_queue_message_counts"):  # RabbitMQ
            ready, delayed, _dead = broker.get_queue_message_counts(queue)
            return ready, delayed
        if hasattr(broker, "client") and hasattr(broker, "namespace"):  # Redis
            client, namespace = broker.client, broker.namespace
            return (int(client.llen(f"{namespace}:{queue}")),
                    int(client.llen(f"{namespace}:{dq_name(queue)}")))
        if hasattr(broker, "queues") and queue in broker.queues:  # the stub broker of tests and `make run`
            return broker.queues[queue].qsize(), broker.queues.get(dq_name(queue)).qsize() \
                if dq_name(queue) in broker.queues else 0
    except Exception as exc:  # a broker outage must not break the scrape
        logger.warning("queue depth of %s unavailable: %s", queue, exc)
    return None, 0


def job_metrics_registry(broker, queues: Iterable[str]) -> CollectorRegistry:
    """One registry with the middleware's series and the queues' depth."""
    registry = CollectorRegistry(auto_describe=False)
    for middleware in broker.middleware:
        if isinstance(middleware, JobMetrics):
            registry.register(_Delegate(middleware.registry))
    registry.register(QueueDepthCollector(broker, queues))
    return registry


class _Delegate(Collector):
    def __init__(self, registry: CollectorRegistry):
        self.source = registry

    def collect(self) -> Iterable[Metric]:
        yield from self.source.collect()


def serve_job_metrics(broker, queues: Iterable[str], port: int, address: str = "0.0.0.0"):  # noqa: S104 (pod port)
    """Serve the worker's metrics on ``port`` (prometheus-client's HTTP server, in a daemon thread)."""
    server, thread = start_http_server(port, addr=address, registry=job_metrics_registry(broker, queues))
    logger.info("job metrics served on port %d", port)
    return server, thread
