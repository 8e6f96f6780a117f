"""Sending job messages after a write, whatever the broker does.

``enqueue_on_commit(actor, *args, **kwargs)`` is the one way code that changes data queues a job: the
message goes to the broker once the transaction commits (never for a rolled-back change), in the
schema that was active when it was called (or ``schema=``).

A broker outage is never the user's problem and never loses a message:

* every broker call has short connect and socket timeouts (``BROKER_TIMEOUT_SECONDS``), so a broker
  that is down or frozen costs at most that long, once;
* a message the broker does not take is stored in the public schema (``DeferredMessage``) and the
  process stops trying the broker for ``BROKER_RETRY_SECONDS``: the next messages go straight to the
  database, so a write answers in its normal time while the broker is away;
* the active scheduler sends the stored messages as soon as the broker answers again (it looks every
  few seconds), oldest first. Jobs are idempotent, so a message sent twice (a crash between the send
  and the removal of its row) does no harm.

No transaction is held while the broker is called: the send runs after the commit, and the catch-up
reads its batch, then sends and removes each message on its own.
"""

from __future__ import annotations

import json
import logging
import threading
import time

import dramatiq
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F
from dramatiq import Message
from dramatiq.errors import DecodeError, QueueNotFound

from gorodok_platform.jobs.middleware import PUBLIC_SCHEMA, TENANT_OPTION

logger = logging.getLogger("gorodok.jobs")

FLUSH_BATCH = 200


class _BrokerHealth:
    """Per process: when the broker last failed, and until when sends skip it."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down_until = 0.0
        self.last_error = ""

    def is_down(self) -> bool:
        return time.monotonic() < self.down_until

    def mark_down(self, error: BaseException) -> None:
        with self._lock:
            self.down_until = time.monotonic() + float(getattr(settings, "BROKER_RETRY_SECONDS", 10.0))
            self.last_error = f"{type(error).__name__}: {error}"[:500]

    def mark_up(self) -> None:
        with self._lock:
            self.down_until = 0.0


broker_health = _BrokerHealth()


def enqueue_on_commit(actor: dramatiq.Actor, *args, schema: str | None = None, options: dict | None = None,
                      using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Queue ``actor(*args, **kwargs)`` once the current transaction commits (at once outside one).

    It runs in ``schema`` (default: the schema active now). ``options`` are Dramatiq message options
    (e.g. retry settings). Never raises for a broker problem: see the module's description."""
    schema_name = schema or connections[using].schema_name
    message_options = {**(options or {}), TENANT_OPTION: schema_name}

    def send() -> None:
        enqueue_now(actor, *args, options=message_options, **kwargs)

    transaction.on_commit(send, using=using, robust=True)


def enqueue_now(actor: dramatiq.Actor, *args, options: dict | None = None, **kwargs) -> Message | None:
    """Send a message now, or keep it for the catch-up when the broker cannot take it. Returns the
    message sent, or None when it was deferred."""
    options = dict(options or {})
    options.setdefault(TENANT_OPTION, connections[DEFAULT_DB_ALIAS].schema_name)
    message = actor.message_with_options(args=args, kwargs=kwargs, **options)
    return send_or_defer(message, broker=actor.broker)


def send_or_defer(message: Message, *, broker: dramatiq.Broker | None = None) -> Message | None:
    broker = broker or dramatiq.get_broker()
    error: BaseException | None = None
    if not broker_health.is_down():
        try:
            return broker.enqueue(message)
        except Exception as exc:
            error = exc
            broker_health.mark_down(exc)
            logger.warning("the broker did not take %s for %s (%s); kept for later", message.actor_name,
                           message.options.get(TENANT_OPTION), type(exc).__name__)
    defer(message, error)
    return None


def _encoded(message: Message) -> dict:
    return json.loads(message.encode().decode("utf-8"))


def defer(message: Message, error: BaseException | None = None) -> None:
    """Store ``message`` in the public schema for the catch-up. Logged, never raised: the change it
    belongs to is committed already."""
    from django_tenants.utils import schema_context

    from gorodok_platform.jobs.models import DeferredMessage

    reason = f"{type(error).__name__}: {error}"[:500] if error else "the broker was down a moment ago"
    try:
        with schema_context(PUBLIC_SCHEMA):
            DeferredMessage.objects.get_or_create(message_id=message.message_id, defaults={
                "actor_name": message.actor_name, "queue_name": message.queue_name,
                "tenant_schema": message.options.get(TENANT_OPTION) or "", "message": _encoded(message),
                "error": reason,
            })
    except Exception:
        logger.exception("could not keep the job %s for %s: the database is unavailable too",
                         message.actor_name, message.options.get(TENANT_OPTION))


def deferred_count() -> int:
    from django_tenants.utils import schema_context

    from gorodok_platform.jobs.models import DeferredMessage

    with schema_context(PUBLIC_SCHEMA):
        return DeferredMessage.objects.count()


def deferred_flush(*, broker: dramatiq.Broker | None = None, limit: int = FLUSH_BATCH) -> int:
    """Send the stored messages, oldest first; returns how many went. Stops at the first failure and
    raises it (the caller backs off); what was sent is removed, the rest waits."""
    from django_tenants.utils import schema_context

    from gorodok_platform.jobs.models import DeferredMessage

    broker = broker or dramatiq.get_broker()
    sent = 0
    with schema_context(PUBLIC_SCHEMA):
        batch = list(DeferredMessage.objects.order_by("id").values_list("pk", "message")[:limit])
        for pk, body in batch:
            try:
                message = Message.decode(json.dumps(body).encode("utf-8"))
                broker.enqueue(message)
            except (DecodeError, QueueNotFound, TypeError) as exc:
                _give_up(pk, body, exc)  # not the broker's fault: it would block the others for ever
                continue
            except Exception as exc:
                broker_health.mark_down(exc)
                DeferredMessage.objects.filter(pk=pk).update(
                    attempts=F("attempts") + 1, error=f"{type(exc).__name__}: {exc}"[:500])
                raise
            DeferredMessage.objects.filter(pk=pk).delete()
            sent += 1
    if sent or batch:
        broker_health.mark_up()
        logger.info("sent %d job(s) kept while the broker was unavailable", sent)
    return sent


def _give_up(pk: int, body, exc: BaseException) -> None:
    """A kept message that can never be sent (unreadable, or its queue no longer exists): recorded as a
    failed job, where the console shows it, and removed from the queue of kept messages."""
    from gorodok_platform.jobs.models import DeferredMessage, FailedJob

    row = DeferredMessage.objects.filter(pk=pk).first()
    if row is None:
        return
    logger.error("kept job %s for %s cannot be sent: %s", row.actor_name, row.tenant_schema or "public", exc)
    FailedJob.objects.update_or_create(message_id=row.message_id, defaults={
        "actor_name": row.actor_name, "queue_name": row.queue_name, "tenant_schema": row.tenant_schema,
        "args": list((body or {}).get("args", []))[:20] if isinstance(body, dict) else [],
        "retries": 0, "error": f"not sent after a broker outage: {type(exc).__name__}: {exc}"[:4000],
    })
    row.delete()
