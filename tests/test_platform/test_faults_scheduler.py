"""The scheduler keeps running through a broker outage, a frozen broker and a database restart.

A Redis and a PostgreSQL of the test's own (free ports) are stopped, frozen and restarted under a
scheduler thread that sends a periodic job on every tick.
"""

from __future__ import annotations

import threading
import time

import dramatiq
import pytest
from django.db import connection
from dramatiq.middleware import Middleware

from gorodok_platform.jobs.broker import broker_from_url
from gorodok_platform.jobs.locks import SCHEDULER
from gorodok_platform.jobs.scheduler import PeriodicJob, Scheduler, scheduler_state
from tests.support.brokers import wait_for
from tests.support.faults import PostgresInstance, RedisInstance, deadline, pointed_at

pytestmark = pytest.mark.faults


class CountSends(Middleware):
    def __init__(self):
        self.times: list[float] = []

    def after_enqueue(self, broker, message, delay):
        self.times.append(time.monotonic())

    def since(self, moment: float) -> int:
        return sum(1 for t in self.times if t > moment)


@pytest.fixture
def services():
    redis_server, pg_server = RedisInstance().start(), PostgresInstance().start()
    try:
        yield redis_server, pg_server
    finally:
        redis_server.stop()
        pg_server.remove()


def _scheduler_lock_holders() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = %s",
                       [SCHEDULER.key & 0xFFFFFFFF])
        return cursor.fetchone()[0]


def test_the_scheduler_survives_broker_outages_and_a_database_restart(services, django_db_blocker):
    from gorodok_platform.jobs.models import DeferredMessage, SchedulerHeartbeat

    redis_server, pg_server = services
    broker = broker_from_url(redis_server.url, timeout=0.5)
    counter = CountSends()
    broker.add_middleware(counter)

    def probe():
        pass

    actor = dramatiq.actor(probe, broker=broker, actor_name="gorodok_test_scheduler_probe",
                           queue_name="gorodok-test-scheduler")
    scheduler = Scheduler({"probe": PeriodicJob(actor=actor, seconds=0)}, flush_seconds=0.2, max_backoff=0.5,
                          report_seconds=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=scheduler.run, args=(stop,), kwargs={"poll_seconds": 0.1},
                              name="gorodok-test-scheduler", daemon=True)
    measured = {}
    with django_db_blocker.unblock(), pointed_at(connection, pg_server.database_settings(connection.settings_dict)), \
            deadline(120):
        with connection.schema_editor() as editor:  # the scheduler's tables, on this server
            editor.create_model(SchedulerHeartbeat)
            editor.create_model(DeferredMessage)
        thread.start()
        try:
            wait_for(lambda: len(counter.times) >= 3, timeout=10)
            assert _scheduler_lock_holders() == 1

            # 1. The broker goes away, then comes back.
            errors = scheduler_state().errors_total
            redis_server.stop()
            wait_for(lambda: scheduler_state().errors_total >= errors + 2, timeout=10)
            assert thread.is_alive() and scheduler_state().status == "failing"
            back = time.monotonic()
            redis_server.start()
            wait_for(lambda: counter.since(back) >= 2, timeout=15)
            measured["broker_back_s"] = counter.times[-2] - back

            # 2. The broker freezes (its process stopped): each try fails within the timeout.
            errors = scheduler_state().errors_total
            redis_server.freeze()
            try:
                wait_for(lambda: scheduler_state().errors_total >= errors + 2, timeout=15)
                assert thread.is_alive()
            finally:
                thawed = time.monotonic()
                redis_server.thaw()
            wait_for(lambda: counter.since(thawed) >= 2, timeout=15)
            measured["broker_thawed_s"] = counter.times[-2] - thawed

            # 3. The database restarts: the lock is gone with the old server; it is taken again.
            errors = scheduler_state().errors_total
            pg_server.stop()
            wait_for(lambda: scheduler_state().errors_total > errors, timeout=15)
            assert thread.is_alive()
            restarted = time.monotonic()
            pg_server.start()
            wait_for(lambda: counter.since(restarted) >= 2 and scheduler_state().status == "active", timeout=20)
            measured["database_back_s"] = counter.times[-2] - restarted
            assert thread.is_alive()
            connection.close()
            wait_for(lambda: _scheduler_lock_holders() == 1, timeout=5)
            wait_for(lambda: SchedulerHeartbeat.objects.filter(status="active", errors_total__gt=0).exists(),
                     timeout=5)
        finally:
            stop.set()
            thread.join(timeout=10)
            broker.close()
        assert not thread.is_alive()
        beat = SchedulerHeartbeat.objects.get()
        assert beat.status == "stopped" and beat.last_tick_at is not None and beat.errors_total >= 5
    print("scheduler recovery:", {k: round(v, 2) for k, v in measured.items()})
    assert all(seconds < 10 for seconds in measured.values()), measured
