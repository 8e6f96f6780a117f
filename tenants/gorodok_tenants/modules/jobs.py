"""Periodic per-municipality work of the modules, from their registry entries.

For every ``PeriodicTask`` a module declares, the scheduler sends ``fan_out_module_task`` at the
task's interval (in public); it sends one ``run_module_task`` per active municipality that has the
module on, on the fan-out queue, so a burst of periodic work never delays citizens' notifications.
Each ``run_module_task`` runs in its municipality's schema, checks again that the module is still on
(it may have been switched off since the fan-out) and calls the task's function. Task functions take
no arguments and must be idempotent: a message may be delivered twice.
"""

from __future__ import annotations

import logging

import dramatiq
from django.db import connection
from django.utils.module_loading import import_string

from gorodok_platform.jobs.middleware import send_in_tenant
from gorodok_platform.jobs.queues import FANOUT_QUEUE
from gorodok_platform.jobs.scheduler import register_periodic
from gorodok_platform.modules import PeriodicTask, module_enabled, registered_modules

logger = logging.getLogger("gorodok.jobs")

FAN_OUT_QUEUE = FANOUT_QUEUE


def module_task(module_code: str, task_key: str) -> PeriodicTask | None:
    module = registered_modules().get(module_code)
    if module is None:
        return None
    return next((task for task in module.periodic if task.key == task_key), None)


@dramatiq.actor(queue_name=FAN_OUT_QUEUE, max_retries=3)
def run_module_task(module_code: str, task_key: str) -> None:
    """Run one periodic task of a module in the municipality whose schema the message names."""
    task = module_task(module_code, task_key)
    if task is None:
        logger.warning("unknown periodic task %s.%s skipped", module_code, task_key)
        return
    if not module_enabled(getattr(connection, "tenant", None), module_code):
        return
    import_string(task.actor)()


@dramatiq.actor(queue_name=FAN_OUT_QUEUE, max_retries=0)
def fan_out_module_task(module_code: str, task_key: str) -> None:
    """Send ``run_module_task`` once per active municipality with the module on (runs in public)."""
    from gorodok_tenants.modules import municipalities_with_module

    if module_task(module_code, task_key) is None:
        return
    schemas = list(municipalities_with_module(module_code).values_list("schema_name", flat=True))
    for schema_name in schemas:
        send_in_tenant(run_module_task, schema_name, module_code, task_key)
    logger.info("periodic task %s.%s sent to %d municipalities", module_code, task_key, len(schemas))


def register_module_tasks() -> list[str]:
    """Give the scheduler one entry per declared task (called once the apps are ready)."""
    names = []
    for module in registered_modules().values():
        for task in module.periodic:
            name = f"{module.code}.{task.key}"
            register_periodic(name=name, actor=fan_out_module_task, seconds=task.seconds,
                              args=(module.code, task.key))
            names.append(name)
    return names
