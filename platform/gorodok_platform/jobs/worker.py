"""Running Dramatiq workers: in a thread of the development server, or as the production process."""

from __future__ import annotations

import importlib
import logging

import dramatiq
from django.apps import apps

logger = logging.getLogger("gorodok.jobs")


def import_actor_modules() -> list[str]:
    """Import ``<app>.actors`` for every installed app, so the worker knows every actor."""
    imported = []
    for config in apps.get_app_configs():
        name = f"{config.name}.actors"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        imported.append(name)
    return imported


def start_worker(threads: int = 2, queues: set[str] | None = None) -> dramatiq.Worker:
    import_actor_modules()
    from gorodok_platform.jobs.broker import queue_name

    broker = dramatiq.get_broker()
    if queues:
        queues = {queue_name(name, broker) for name in queues}
    worker = dramatiq.Worker(broker, queues=queues, worker_threads=threads, worker_timeout=1000)
    worker.start()
    logger.info("job worker started with %d threads on %s", threads, type(broker).__name__)
    return worker
