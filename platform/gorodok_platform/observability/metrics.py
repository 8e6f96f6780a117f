"""``/metrics`` in the Prometheus format (prometheus-client).

- Requests by municipality (schema), method and status, and their latency (histogram), counted by
  ``RequestMetricsMiddleware``. Under gunicorn every worker process writes to
  ``PROMETHEUS_MULTIPROC_DIR`` (``gunicorn_conf`` sets it) and a scrape adds them up.
- Read from the database at each scrape: the scheduler's state (each process's last report: status, last
  successful tick, failures in a row, errors), the jobs kept while the broker was unavailable, the failed
  jobs not yet resolved, and whatever the upper layers register with ``register_database_metrics`` (the
  upgrade run, the spare schema pool, webhook failures).

Like the probes it is answered before host routing, and never on a municipality's or the region's own
host name: Prometheus scrapes the pod's address (``METRICS_ALLOWED_HOSTS`` adds names, e.g. a Service).
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

STATES = ("active", "standby", "failing", "stopped")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter("gorodok_http_requests", "HTTP requests answered, by municipality schema, method and status.",
                   ["municipality", "method", "status"])
LATENCY = Histogram("gorodok_http_request_duration_seconds", "Time to answer a request, by municipality schema.",
                    ["municipality"], buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))

_database_metrics: list[Callable[[], Iterable[Metric]]] = []


def register_database_metrics(producer: Callable[[], Iterable[Metric]]) -> None:
    """Add metric families read from the database at each scrape (an upper layer's, from its AppConfig.ready)."""
    if producer not in _database_metrics:
        _database_metrics.append(producer)


def _platform_metrics() -> Iterable[Metric]:
    from django_tenants.utils import schema_context

    from gorodok_platform.jobs.models import DeferredMessage, FailedJob, SchedulerHeartbeat

    with schema_context("public"):
        beats = list(SchedulerHeartbeat.objects.order_by("host"))
        deferred = DeferredMessage.objects.count()
        failed = FailedJob.objects.filter(resolved_at__isnull=True).count()
    up = GaugeMetricFamily("gorodok_scheduler_up", "1 for each scheduler process in this state at its last report.",
                           labels=["process", "state"])
    tick = GaugeMetricFamily("gorodok_scheduler_last_tick_timestamp_seconds",
                             "When the scheduler last sent its due jobs.", labels=["process"])
    report = GaugeMetricFamily("gorodok_scheduler_report_timestamp_seconds", "When the scheduler last reported.",
                               labels=["process"])
    failures = GaugeMetricFamily("gorodok_scheduler_consecutive_failures",
                                 "Failed ticks in a row (broker or database errors).", labels=["process"])
    errors = CounterMetricFamily("gorodok_scheduler_errors", "Failed ticks since the process started.",
                                 labels=["process"])
    for beat in beats:
        for state in STATES:
            up.add_metric([beat.host, state], 1 if beat.status == state else 0)
        tick.add_metric([beat.host], beat.last_tick_at.timestamp() if beat.last_tick_at else 0)
        report.add_metric([beat.host], beat.updated_at.timestamp())
        failures.add_metric([beat.host], beat.consecutive_failures)
        errors.add_metric([beat.host], beat.errors_total)
    yield from (up, tick, report, failures, errors)
    yield GaugeMetricFamily("gorodok_jobs_deferred", "Jobs kept while the broker was unavailable, not yet sent.",
                            value=deferred)
    yield GaugeMetricFamily("gorodok_jobs_failed_unresolved",
                            "Jobs that exhausted their retries and are not resolved.", value=failed)


class DatabaseCollector(Collector):
    def collect(self) -> Iterable[Metric]:
        yield GaugeMetricFamily("gorodok_database_up", "1 when the database answered this scrape.", value=1)
        yield from _platform_metrics()
        for producer in _database_metrics:
            yield from producer()


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def metrics_allowed(request: HttpRequest) -> bool:
    """Only on an address or an internal name, never on a municipality's or the region's host."""
    host = request.META.get("HTTP_HOST", "").lower()
    host = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]
    region = settings.REGION_DOMAIN
    if host == region or host.endswith("." + region):
        return False
    if host in ("localhost", *getattr(settings, "METRICS_ALLOWED_HOSTS", ())):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def render_metrics() -> bytes:
    registry = _registry()
    collector = DatabaseCollector()
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(collector)
    return generate_latest(registry) + generate_latest(scrape)


def metrics_response(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponseNotFound()
    try:
        body, status = render_metrics(), 200
    except Exception as exc:  # the database is unavailable: say so, in the same format
        body = (generate_latest(_registry()).decode() + f"# database unavailable: {type(exc).__name__}\n"
                "# TYPE gorodok_database_up gauge\ngorodok_database_up 0\n").encode()
        status = 503
    return HttpResponse(body, status=status, content_type=CONTENT_TYPE)


class RequestMetricsMiddleware:
    """Counts every request (probes and /metrics are answered before it) by schema, method and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        schema = getattr(tenant, "schema_name", None) or "unrouted"
        method = request.method if request.method in ("GET", "POST", "HEAD", "OPTIONS", "PUT", "PATCH",
                                                      "DELETE") else "other"
        REQUESTS.labels(schema, method, str(response.status_code)).inc()
        LATENCY.labels(schema).observe(time.perf_counter() - started)
        return response
