"""The Dramatiq broker, chosen by BROKER_URL: ``amqp://`` → RabbitMQ, ``redis://`` → Redis.

Without BROKER_URL (development only) jobs go to an in-process stub broker that a worker thread
inside the web process consumes, so a newcomer sees jobs run with nothing else installed.

Every connection to a real broker has short connect and socket timeouts (``BROKER_TIMEOUT_SECONDS``)
and no client-side retries: a broker that is down or frozen fails a send within that time, and the
sender (``gorodok_platform.jobs.enqueue``) keeps the message for later instead of waiting.

Queue names carry ``DRAMATIQ_QUEUE_PREFIX`` (e.g. ``staging.``), so several installations can share
one broker: every actor's queue is renamed when it is declared on the broker.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Middleware,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

logger = logging.getLogger("gorodok.jobs")

DEFAULT_TIMEOUT_SECONDS = 2.0
_PREFIX = re.compile(r"^[A-Za-z0-9_.-]{0,40}$")


class QueuePrefix(Middleware):
    """Prefixes the queue of every actor declared on the broker (and so every message it sends)."""

    def __init__(self, prefix: str):
        if not _PREFIX.match(prefix or ""):
            raise ValueError("DRAMATIQ_QUEUE_PREFIX may hold only letters, digits, '_', '.' and '-' (40 at most).")
        self.prefix = prefix or ""

    def queue_name(self, name: str) -> str:
        return name if not self.prefix or name.startswith(self.prefix) else self.prefix + name

    def before_declare_actor(self, broker, actor):
        actor.queue_name = self.queue_name(actor.queue_name)


def queue_name(name: str, broker: dramatiq.Broker | None = None) -> str:
    """The name a queue has on the broker (with the installation's prefix)."""
    broker = broker or dramatiq.get_broker()
    for middleware in broker.middleware:
        if isinstance(middleware, QueuePrefix):
            return middleware.queue_name(name)
    return name


def _middleware(max_retries: int, queue_prefix: str) -> list:
    from gorodok_platform.jobs.failures import FailureRecorderMiddleware
    from gorodok_platform.jobs.metrics import JobMetrics
    from gorodok_platform.jobs.middleware import DatabaseConnectionsMiddleware, TenantMiddleware

    # Dramatiq calls "after" hooks in reverse order: the failure recorder sees a message after
    # Retries has marked it failed, and the tenant is reset only after everything else is done.
    return [
        DatabaseConnectionsMiddleware(),
        TenantMiddleware(),
        FailureRecorderMiddleware(),
        AgeLimit(),
        TimeLimit(),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(max_retries=max_retries, min_backoff=1000, max_backoff=300_000),
        CurrentMessage(),
        JobMetrics(),
        QueuePrefix(queue_prefix),
    ]


def _with_query(url: str, defaults: dict[str, str]) -> str:
    """``url`` with the query parameters of ``defaults`` that it does not set itself."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for key, value in defaults.items():
        query.setdefault(key, value)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def redis_client(url: str, timeout: float = DEFAULT_TIMEOUT_SECONDS):
    """A Redis client that gives up after ``timeout`` seconds and never retries on its own."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                retry=Retry(NoBackoff(), 0), retry_on_timeout=False)


def rabbitmq_url(url: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> str:
    """The AMQP URL with pika's connect, socket and handshake timeouts and a single attempt."""
    return _with_query(url, {
        "connection_attempts": "1", "socket_timeout": str(timeout), "stack_timeout": str(timeout * 2),
        "blocked_connection_timeout": str(timeout * 2),
    })


def broker_from_url(url: str, *, max_retries: int = 5, queue_prefix: str = "",
                    timeout: float = DEFAULT_TIMEOUT_SECONDS) -> dramatiq.Broker:
    middleware = _middleware(max_retries, queue_prefix)
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=rabbitmq_url(url, timeout), middleware=middleware)
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(client=redis_client(url, timeout), middleware=middleware)
    if url == "stub://":
        return StubBroker(middleware=middleware)
    raise ValueError(f"BROKER_URL must start with amqp:// or redis://, not {url.split(':', 1)[0]!r}.")


def configure_broker(url: str, *, max_retries: int = 5, queue_prefix: str = "",
                     timeout: float = DEFAULT_TIMEOUT_SECONDS) -> dramatiq.Broker:
    """Build the broker for ``url`` (empty: in-process) and make it the global Dramatiq broker."""
    if not url:
        logger.info("BROKER_URL is not set: jobs run in-process in this development server.")
        url = "stub://"
    broker = broker_from_url(url, max_retries=max_retries, queue_prefix=queue_prefix, timeout=timeout)
    dramatiq.set_broker(broker)
    return broker


def broker_reachable(url: str, timeout: float = 2.0) -> tuple[bool, str]:
    try:
        if url.startswith(("redis://", "rediss://")):
            redis_client(url, timeout).ping()
            return True, "ok"
        if url.startswith(("amqp://", "amqps://")):
            import pika

            params = pika.URLParameters(url)
            params.socket_timeout = timeout
            params.stack_timeout = timeout * 2
            params.blocked_connection_timeout = timeout
            params.connection_attempts = 1
            pika.BlockingConnection(params).close()
            return True, "ok"
        return False, "unsupported scheme"
    except Exception as exc:
        return False, type(exc).__name__
