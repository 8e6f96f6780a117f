"""``/metrics``: a few gauges in the Prometheus text format, read from the public schema.

The scheduler's state (each process's last report: status, last successful tick, failures in a row,
errors), the jobs kept while the broker was unavailable, and the failed jobs not yet resolved. Like the
probes it is answered before host routing; keep it on the internal network (the proxy should not
publish it).
"""

from __future__ import annotations

from django.http import HttpResponse

STATES = ("active", "standby", "failing", "stopped")


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def render_metrics() -> str:
    from django_tenants.utils import schema_context

    from gorodok_platform.jobs.models import DeferredMessage, FailedJob, SchedulerHeartbeat

    lines = [
        "# HELP gorodok_scheduler_up 1 for each scheduler process in this state at its last report.",
        "# TYPE gorodok_scheduler_up gauge",
    ]
    with schema_context("public"):
        beats = list(SchedulerHeartbeat.objects.order_by("host"))
        deferred = DeferredMessage.objects.count()
        failed = FailedJob.objects.filter(resolved_at__isnull=True).count()
    for beat in beats:
        for state in STATES:
            lines.append(f'gorodok_scheduler_up{{process="{_label(beat.host)}",state="{state}"}} '
                         f"{1 if beat.status == state else 0}")
    lines += ["# HELP gorodok_scheduler_last_tick_timestamp_seconds When the scheduler last sent its due jobs.",
              "# TYPE gorodok_scheduler_last_tick_timestamp_seconds gauge"]
    lines += [f'gorodok_scheduler_last_tick_timestamp_seconds{{process="{_label(b.host)}"}} '
              f"{b.last_tick_at.timestamp() if b.last_tick_at else 0:.3f}" for b in beats]
    lines += ["# HELP gorodok_scheduler_report_timestamp_seconds When the scheduler last reported.",
              "# TYPE gorodok_scheduler_report_timestamp_seconds gauge"]
    lines += [f'gorodok_scheduler_report_timestamp_seconds{{process="{_label(b.host)}"}} {b.updated_at.timestamp():.3f}'
              for b in beats]
    lines += ["# HELP gorodok_scheduler_consecutive_failures Failed ticks in a row (broker or database errors).",
              "# TYPE gorodok_scheduler_consecutive_failures gauge"]
    lines += [f'gorodok_scheduler_consecutive_failures{{process="{_label(b.host)}"}} {b.consecutive_failures}'
              for b in beats]
    lines += ["# HELP gorodok_scheduler_errors_total Failed ticks since the process started.",
              "# TYPE gorodok_scheduler_errors_total counter"]
    lines += [f'gorodok_scheduler_errors_total{{process="{_label(b.host)}"}} {b.errors_total}' for b in beats]
    lines += ["# HELP gorodok_jobs_deferred Jobs kept while the broker was unavailable, not yet sent.",
              "# TYPE gorodok_jobs_deferred gauge", f"gorodok_jobs_deferred {deferred}",
              "# HELP gorodok_jobs_failed_unresolved Jobs that exhausted their retries and are not resolved.",
              "# TYPE gorodok_jobs_failed_unresolved gauge", f"gorodok_jobs_failed_unresolved {failed}"]
    return "\n".join(lines) + "\n"


def metrics_response() -> HttpResponse:
    try:
        body, status = render_metrics(), 200
    except Exception as exc:  # the database is unavailable: say so, in the same format
        body, status = f"# database unavailable: {type(exc).__name__}\ngorodok_database_up 0\n", 503
    return HttpResponse(body, status=status, content_type="text/plain; version=0.0.4; charset=utf-8")
