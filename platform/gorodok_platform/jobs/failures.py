"""Jobs that exhausted their retries: logged with their tenant, recorded in the public schema for the
console, and (through Sentry's Dramatiq integration, when Sentry is on) reported with the tenant tag."""

from __future__ import annotations

import logging

from dramatiq.middleware import Middleware

logger = logging.getLogger("gorodok.jobs")


def record_failed_job(message, exception: BaseException) -> None:
    from django_tenants.utils import schema_context

    from gorodok_platform.jobs.models import FailedJob

    with schema_context("public"):
        FailedJob.objects.update_or_create(
            message_id=message.message_id,
            defaults={
                "actor_name": message.actor_name, "queue_name": message.queue_name,
                "tenant_schema": message.options.get("tenant_schema") or "",
                "args": list(message.args)[:20], "retries": message.options.get("retries", 0),
                "error": repr(exception)[:4000],
            },
        )


class FailureRecorderMiddleware(Middleware):
    def after_process_message(self, broker, message, *, result=None, exception=None):
        # Retries (whose "after" hook runs before this one) marks the message failed once it will not
        # run again. The retry counter is no guide: it reaches max_retries one attempt before the last.
        if exception is None or not message.failed:
            return
        logger.error(
            "job failed for good: %s in %s", message.actor_name, message.options.get("tenant_schema"),
            extra={"message_id": message.message_id, "error": repr(exception)},
        )
        try:
            record_failed_job(message, exception)
        except Exception:  # recording must never hide the original failure
            logger.exception("could not record the failed job %s", message.message_id)
