"""One scheduler for periodic work. It sends each periodic actor, in the public schema, at its
interval; the actor fans out one message per municipality itself. It also sends, as soon as the
broker answers again, the messages that were kept while it was away (``jobs.enqueue``).

Several scheduler processes may run (one per replica): a PostgreSQL advisory lock lets exactly one
of them send, the others wait as standbys.

The scheduler never dies of a broker or database error: it logs it, backs off (1 s doubling up to
``max_backoff``), and tries again; after a database error it takes its lock again (a restarted
server has forgotten it). A job that could not be sent stays due and goes out on the first tick that
works. Its state (last tick, last error, failures in a row, messages kept for later) is in
``scheduler_state()``, which the console and ``/metrics`` show.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import dramatiq
from django.db import connection

from gorodok_platform.jobs.middleware import PUBLIC_SCHEMA, send_in_tenant

logger = logging.getLogger("gorodok.jobs")


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


@dataclass
class SchedulerState:
    """What this process's scheduler is doing (wall-clock times, seconds since the epoch)."""

    status: str = "stopped"  # stopped, active, standby, failing
    started_at: float | None = None
    last_tick_at: float | None = None
    last_error_at: float | None = None
    last_error: str = ""
    consecutive_failures: int = 0
    errors_total: int = 0
    sent_total: int = 0
    deferred_sent_total: int = 0
    host: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def as_dict(self) -> dict:
        return asdict(self)


_state = SchedulerState()
_state_lock = threading.Lock()


def scheduler_state() -> SchedulerState:
    with _state_lock:
        return SchedulerState(**asdict(_state))


def _update_state(**changes) -> None:
    with _state_lock:
        for name, value in changes.items():
            setattr(_state, name, value)


class Scheduler:
    def __init__(self, jobs: dict[str, PeriodicJob] | None = None, clock: Callable[[], float] = time.monotonic,
                 *, flush_seconds: float = 5.0, max_backoff: float = 30.0, report_seconds: float = 10.0):
        self.jobs = jobs if jobs is not None else periodic_jobs()
        self.clock = clock
        self.next_due: dict[str, float] = {}
        self.flush_seconds = flush_seconds
        self.max_backoff = max_backoff
        self.next_flush = 0.0
        self.report_seconds = report_seconds
        self.next_report = 0.0

    def tick(self) -> list[str]:
        """Send every job that is due now; returns their names. A job whose send fails stays due."""
        now = self.clock()
        sent = []
        for name, job in self.jobs.items():
            if now >= self.next_due.get(name, now):
                send_in_tenant(job.actor, PUBLIC_SCHEMA, *job.args)
                self.next_due[name] = now + job.seconds
                sent.append(name)
        if sent:
            with _state_lock:
                _state.sent_total += len(sent)
        return sent

    def flush_deferred(self) -> int:
        """Send what was kept while the broker was away (every ``flush_seconds``)."""
        now = time.monotonic()
        if now < self.next_flush:
            return 0
        self.next_flush = now + self.flush_seconds
        from gorodok_platform.jobs.enqueue import deferred_flush

        sent = deferred_flush()
        if sent:
            with _state_lock:
                _state.deferred_sent_total += sent
        return sent

    def run(self, stop: threading.Event, poll_seconds: float = 1.0, standby_seconds: float = 30.0) -> None:
        from gorodok_platform.jobs.locks import SCHEDULER, advisory_lock

        _update_state(status="standby", started_at=time.time())
        backoff = 0.0
        try:
            while not stop.is_set():
                try:
                    with advisory_lock(SCHEDULER.name) as lock:
                        if not lock:
                            _update_state(status="standby", consecutive_failures=0)
                            self.report(force=True)
                            logger.info("another scheduler is active; standing by")
                            stop.wait(standby_seconds)
                            continue
                        logger.info("scheduler active")
                        while not stop.is_set():
                            if not lock.still_held():  # a restarted database forgot it: take it again
                                logger.warning("the scheduler's lock was lost; taking it again")
                                break
                            self.tick()
                            self.flush_deferred()
                            backoff = 0.0
                            _update_state(status="active", last_tick_at=time.time(), consecutive_failures=0)
                            self.report()
                            stop.wait(poll_seconds)
                except Exception as exc:
                    backoff = min(max(backoff * 2, 1.0), self.max_backoff)
                    self._failed(exc, backoff)
                    stop.wait(backoff)
        finally:
            _update_state(status="stopped")
            try:
                self.report(force=True)
            except Exception:
                logger.debug("could not report the scheduler's stop", exc_info=True)
            connection.close()

    def report(self, *, force: bool = False) -> None:
        """Write this process's state to the public schema (every ``report_seconds``)."""
        now = time.monotonic()
        if not force and now < self.next_report:
            return
        self.next_report = now + self.report_seconds
        from datetime import UTC, datetime, timedelta

        from gorodok_platform.jobs.models import SchedulerHeartbeat

        state = scheduler_state()

        def moment(value):
            return datetime.fromtimestamp(value, tz=UTC) if value else None

        connection.set_schema_to_public()
        if force:  # processes long gone (restarts give new names) leave the console's list
            SchedulerHeartbeat.objects.filter(updated_at__lt=datetime.now(tz=UTC) - timedelta(days=7)).delete()
        SchedulerHeartbeat.objects.update_or_create(host=state.host, defaults={
            "status": state.status, "started_at": moment(state.started_at), "last_tick_at": moment(state.last_tick_at),
            "last_error_at": moment(state.last_error_at), "last_error": state.last_error,
            "consecutive_failures": state.consecutive_failures, "errors_total": state.errors_total,
        })

    def _failed(self, exc: BaseException, backoff: float) -> None:
        with _state_lock:
            _state.status = "failing"
            _state.last_error_at = time.time()
            _state.last_error = f"{type(exc).__name__}: {exc}"[:500]
            _state.consecutive_failures += 1
            _state.errors_total += 1
            failures = _state.consecutive_failures
        logger.warning("scheduler tick failed (%s: %s); %d in a row, trying again in %.1f s",
                       type(exc).__name__, str(exc)[:200], failures, backoff)
        try:
            connection.close()  # a broken connection is replaced on the next try
            self.report(force=True)  # the broker may be the one that failed: say so in the console
        except Exception:
            logger.debug("could not report the scheduler's failure", exc_info=True)


def start_scheduler_thread() -> tuple[threading.Thread, threading.Event]:
    from gorodok_platform.jobs.worker import import_actor_modules

    import_actor_modules()
    stop = threading.Event()
    thread = threading.Thread(target=Scheduler().run, args=(stop,), name="gorodok-scheduler", daemon=True)
    thread.start()
    logger.info("scheduler started with %d periodic jobs", len(periodic_jobs()))
    return thread, stop
