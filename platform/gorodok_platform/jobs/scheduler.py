"""One scheduler for periodic work. It sends each periodic actor, in the public schema, at its
interval; the actor fans out one message per municipality itself.

Several scheduler processes may run (one per replica): a PostgreSQL advisory lock lets exactly one
of them send, the others wait as standbys.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import dramatiq
from django.db import connection

from gorodok_platform.jobs.middleware import PUBLIC_SCHEMA, send_in_tenant

logger = logging.getLogger("gorodok.jobs")

SCHEDULER_LOCK_KEY = 0x60D0_0001


@dataclass
class PeriodicJob:
    actor: dramatiq.Actor
    seconds: int
    args: tuple = ()


_periodic: dict[str, PeriodicJob] = {}


def periodic(*, seconds: int) -> Callable[[dramatiq.Actor], dramatiq.Actor]:
    """Mark an actor as periodic (decorate the actor, outermost)."""

    def decorator(actor: dramatiq.Actor) -> dramatiq.Actor:
        _periodic[actor.actor_name] = PeriodicJob(actor=actor, seconds=seconds)
        return actor

    return decorator


def register_periodic(*, name: str, actor: dramatiq.Actor, seconds: int, args: tuple = ()) -> None:
    """Send ``actor(*args)`` every ``seconds`` under ``name`` (the modules' periodic tasks use this)."""
    _periodic[name] = PeriodicJob(actor=actor, seconds=seconds, args=tuple(args))


def periodic_jobs() -> dict[str, PeriodicJob]:
    return dict(_periodic)


class Scheduler:
    def __init__(self, jobs: dict[str, PeriodicJob] | None = None, clock: Callable[[], float] = time.monotonic):
        self.jobs = jobs if jobs is not None else periodic_jobs()
        self.clock = clock
        self.next_due: dict[str, float] = {}

    def tick(self) -> list[str]:
        """Send every job that is due now; returns their names."""
        now = self.clock()
        sent = []
        for name, job in self.jobs.items():
            if now >= self.next_due.get(name, now):
                send_in_tenant(job.actor, PUBLIC_SCHEMA, *job.args)
                self.next_due[name] = now + job.seconds
                sent.append(name)
        return sent

    def run(self, stop: threading.Event, poll_seconds: float = 1.0, standby_seconds: float = 30.0) -> None:
        while not stop.is_set():
            if not self._acquire_lock():
                logger.info("another scheduler is active; standing by")
                stop.wait(standby_seconds)
                continue
            try:
                while not stop.is_set():
                    self.tick()
                    stop.wait(poll_seconds)
            finally:
                self._release_lock()

    def _acquire_lock(self) -> bool:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [SCHEDULER_LOCK_KEY])
            return bool(cursor.fetchone()[0])

    def _release_lock(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SCHEDULER_LOCK_KEY])
        finally:
            connection.close()


def start_scheduler_thread() -> tuple[threading.Thread, threading.Event]:
    from gorodok_platform.jobs.worker import import_actor_modules

    import_actor_modules()
    stop = threading.Event()
    thread = threading.Thread(target=Scheduler().run, args=(stop,), name="gorodok-scheduler", daemon=True)
    thread.start()
    logger.info("scheduler started with %d periodic jobs", len(periodic_jobs()))
    return thread, stop
