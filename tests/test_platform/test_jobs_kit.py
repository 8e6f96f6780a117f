"""The jobs kit: one enqueue-after-commit, one advisory-lock helper with every key registered, and the
scheduler's state in the console and in /metrics."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import dramatiq
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.jobs.enqueue import enqueue_on_commit
from gorodok_platform.jobs.locks import GLOBAL, PER_ITEM, advisory_lock, register_lock, registered_locks
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for root in ("platform", "tenants", "services", "graphql") for p in (ROOT / root).rglob("*.py")
           if "migrations" not in p.parts]


def test_every_advisory_lock_is_registered_once_and_taken_through_the_helper():
    import gorodok_services.appeals.notifications
    import gorodok_services.appeals.sweep  # noqa: F401

    locks = registered_locks()
    assert {"jobs.scheduler", "upgrades.run", "provisioning.template", "provisioning.pool", "provisioning.spare",
            "integrations.outbox-event", "appeals.sweep", "appeals.retention", "appeals.notification"} <= set(locks)
    for kind in (GLOBAL, PER_ITEM):
        keys = [entry.key for entry in locks.values() if entry.kind == kind]
        assert len(keys) == len(set(keys))
    with pytest.raises(ImproperlyConfigured, match="share the key"):
        register_lock("test.clash", locks["jobs.scheduler"].key)
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        register_lock("jobs.scheduler", 0x1234)
    raw = [str(p.relative_to(ROOT)) for p in SOURCES
           if re.search(r"pg_(try_)?advisory_(xact_)?(un)?lock", p.read_text()) and p.name != "locks.py"]
    assert raw == []


@pytest.mark.django_db(transaction=False)
def test_the_lock_helper_keeps_two_holders_apart():
    with advisory_lock("jobs.scheduler") as first:
        assert first and first.still_held()
        with advisory_lock("jobs.scheduler") as second:
            assert not second
    with advisory_lock("jobs.scheduler") as again:
        assert again  # released with its session
    with advisory_lock("appeals.sweep", item="m_alpha", transaction=True) as mine:
        assert mine and connection.in_atomic_block
        with advisory_lock("appeals.sweep", item="m_alpha") as other, \
                advisory_lock("appeals.sweep", item="m_beta") as elsewhere:
            assert not other and elsewhere
    with pytest.raises(ValueError, match="per item"), advisory_lock("appeals.sweep"):
        pass


def test_messages_are_sent_after_commit_only_and_in_the_schema_of_the_change(alpha):
    from gorodok_platform.jobs.actors import ping

    broker = dramatiq.get_broker()
    broker.flush_all()
    with schema_context(alpha.schema_name), pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(ping, "rolled-back")
        raise RuntimeError("the change fails")
    assert broker.queues["default"].qsize() == 0
    with schema_context(alpha.schema_name):
        enqueue_on_commit(ping, "kept")  # the test's transaction is not committed: queued on commit only
    assert broker.queues["default"].qsize() == 0
    broker.flush_all()


def test_only_the_kit_queues_jobs_after_commit():
    offenders = [str(p.relative_to(ROOT)) for p in SOURCES if "transaction.on_commit(" in p.read_text()
                 and p.name != "enqueue.py" and not p.match("*/appeals/retention.py")]  # retention deletes files
    assert offenders == []


@pytest.fixture
def heartbeat(db):
    from gorodok_platform.jobs.models import DeferredMessage, SchedulerHeartbeat

    with schema_context("public"):
        beat = SchedulerHeartbeat.objects.create(
            host="worker-7:4242", status="failing", last_tick_at=timezone.now() - timedelta(minutes=3),
            last_error_at=timezone.now(), last_error="ConnectionError: Error 111 connecting to broker",
            consecutive_failures=4, errors_total=9)
        DeferredMessage.objects.create(message_id="m-1", actor_name="send_appeal_notification",
                                       queue_name="default", tenant_schema="m_alpha", message={})
    return beat


def test_the_failed_jobs_page_shows_the_scheduler_and_the_jobs_waiting_for_the_broker(client, regional_admin,
                                                                                       region_host, heartbeat):
    login(client, region_host, regional_admin.email)
    page = client.get("/admin/jobs/failedjob/", HTTP_HOST=region_host, HTTP_ACCEPT_LANGUAGE="ru")
    text = page.content.decode()
    assert page.status_code == 200
    assert "worker-7:4242" in text and "ошибка, повторяет попытки" in text and "ConnectionError" in text
    assert "Планировщик не работает" in text
    with schema_context("public"):
        from gorodok_platform.jobs.models import DeferredMessage

        assert f"ожидающие отправки: {DeferredMessage.objects.count()}" in text


def test_metrics_report_the_scheduler_and_the_queues(client, heartbeat):
    response = client.get("/metrics", HTTP_HOST="10.0.0.9:8000")
    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert 'gorodok_scheduler_up{process="worker-7:4242",state="failing"} 1.0' in text
    assert 'gorodok_scheduler_consecutive_failures{process="worker-7:4242"} 4.0' in text
    assert 'gorodok_scheduler_errors_total{process="worker-7:4242"} 9.0' in text
    from gorodok_platform.jobs.models import DeferredMessage

    with schema_context("public"):
        assert f"gorodok_jobs_deferred {float(DeferredMessage.objects.count())}" in text
    from prometheus_client.parser import text_string_to_metric_families

    ticks = [sample.value for family in text_string_to_metric_families(text) for sample in family.samples
             if sample.name == "gorodok_scheduler_last_tick_timestamp_seconds"
             and sample.labels == {"process": "worker-7:4242"}]
    assert ticks == [pytest.approx(heartbeat.last_tick_at.timestamp(), abs=1e-3)]


def test_a_kept_message_that_can_never_be_sent_does_not_block_the_others(db):
    from gorodok_platform.jobs.actors import ping
    from gorodok_platform.jobs.enqueue import defer, deferred_flush
    from gorodok_platform.jobs.models import DeferredMessage, FailedJob

    broker = dramatiq.get_broker()
    broker.flush_all()
    with schema_context("public"):
        DeferredMessage.objects.all().delete()
        gone = ping.message_with_options(args=("gone",), tenant_schema="public").copy(queue_name="no-such-queue")
        defer(gone)
        defer(ping.message_with_options(args=("good",), tenant_schema="public"))
        DeferredMessage.objects.create(message_id="garbled", actor_name="ping", queue_name="default",
                                       message={"not": "a message"})
        assert deferred_flush() == 1
        assert not DeferredMessage.objects.exists()
        assert set(FailedJob.objects.filter(message_id__in=[gone.message_id, "garbled"])
                   .values_list("message_id", flat=True)) == {gone.message_id, "garbled"}
    queued = [dramatiq.Message.decode(m) for m in broker.queues["default"].queue]
    assert [m.args for m in queued] == [("good",)]
    broker.flush_all()
