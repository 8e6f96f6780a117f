from __future__ import annotations

import logging

import dramatiq
from django.db import connection

logger = logging.getLogger("gorodok.jobs")


def record_ping(token: str) -> str:
    """Record that a job with ``token`` ran in the current schema (idempotent) and return the schema."""
    from gorodok_platform.jobs.models import JobPing

    ping, created = JobPing.objects.get_or_create(token=token, defaults={"schema_seen": connection.schema_name})
    if created:
        logger.info("diagnostic job ran in schema %s", ping.schema_seen)
    return ping.schema_seen


@dramatiq.actor(queue_name="default", max_retries=3)
def ping(token: str) -> None:
    record_ping(token)
