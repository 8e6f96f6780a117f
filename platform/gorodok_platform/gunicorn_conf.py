"""gunicorn's settings in the image: ``gunicorn -c python:gorodok_platform.gunicorn_conf gorodok_platform.wsgi``.

gunicorn logs (start, worker restarts, access lines) go through the same structured formatter as the
application's, so production writes JSON lines only. Worker count: WEB_CONCURRENCY (gunicorn reads it).
"""

from __future__ import annotations

import os

from gorodok_platform.observability.logging import logging_config

_env = os.environ.get

bind = f"0.0.0.0:{_env('PORT', '8000')}"
# gunicorn's control socket (25.1+) wants a writable working directory; the root filesystem is read-only.
control_socket_disable = True
# Below the pod's terminationGracePeriodSeconds (45, after a 10 s preStop) and above the request deadline.
timeout = int(_env("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(_env("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# X-Forwarded-Proto is taken from the same proxies the client address is (TRUSTED_PROXIES), else local only.
forwarded_allow_ips = _env("TRUSTED_PROXIES", "") or "127.0.0.1,::1"
worker_tmp_dir = "/tmp"  # noqa: S108 - an emptyDir in the pod; the root filesystem is read-only
accesslog = "-"

_default_format = "json" if _env("GORODOK_ENV", "production") == "production" else "console"
logconfig_dict = logging_config(log_format=_env("LOG_FORMAT", _default_format), level=_env("LOG_LEVEL", "INFO"))
logconfig_dict["loggers"].update({
    "gunicorn.error": {"level": "INFO", "handlers": ["stream"], "propagate": False},
    "gunicorn.access": {"level": "INFO", "handlers": ["stream"], "propagate": False},
})

# Every worker process writes its request counters here; a scrape of any worker adds them all up.
_metrics_dir = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/gorodok-metrics")  # noqa: S108 - emptyDir


def on_starting(server):
    import shutil

    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
