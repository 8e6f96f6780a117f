"""The Dramatiq broker, chosen by BROKER_URL: ``amqp://`` → RabbitMQ, ``redis://`` → Redis.

Without BROKER_URL (development only) jobs go to an in-process stub broker that a worker thread
inside the web process consumes, so a newcomer sees jobs run with nothing else installed.
"""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

logger = logging.getLogger("gorodok.jobs")


def _middleware(max_retries: int) -> list:
    from gorodok_platform.jobs.failures import FailureRecorderMiddleware
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
    ]


def broker_from_url(url: str, *, max_retries: int = 5) -> dramatiq.Broker:
    middleware = _middleware(max_retries)
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url, middleware=middleware)
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url, middleware=middleware)
    if url == "stub://":
        return StubBroker(middleware=middleware)
    raise ValueError(f"BROKER_URL must start with amqp:// or redis://, not {url.split(':', 1)[0]!r}.")


def configure_broker(url: str, *, max_retries: int = 5) -> dramatiq.Broker:
    """Build the broker for ``url`` (empty: in-process) and make it the global Dramatiq broker."""
    if not url:
        logger.info("BROKER_URL is not set: jobs run in-process in this development server.")
        url = "stub://"
    broker = broker_from_url(url, max_retries=max_retries)
    dramatiq.set_broker(broker)
    return broker


def broker_reachable(url: str, timeout: float = 2.0) -> tuple[bool, str]:
    try:
        if url.startswith(("redis://", "rediss://")):
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
            return True, "ok"
        if url.startswith(("amqp://", "amqps://")):
            import pika

            params = pika.URLParameters(url)
            params.socket_timeout = timeout
            params.blocked_connection_timeout = timeout
            params.connection_attempts = 1
            pika.BlockingConnection(params).close()
            return True, "ok"
        return False, "unsupported scheme"
    except Exception as exc:
        return False, type(exc).__name__
