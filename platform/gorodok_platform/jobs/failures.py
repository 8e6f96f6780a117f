"""Jobs that exhausted their retries are logged with their tenant (and reach Sentry when it is on)."""

from __future__ import annotations

import logging

from dramatiq.middleware import Middleware

logger = logging.getLogger("gorodok.jobs")


class FailureRecorderMiddleware(Middleware):
    def after_process_message(self, broker, message, *, result=None, exception=None):
        if exception is None:
            return
        retries = message.options.get("retries", 0)
        max_retries = message.options.get("max_retries")
        if message.failed or (max_retries is not None and retries >= max_retries):
            logger.error(
                "job failed for good: %s in %s", message.actor_name, message.options.get("tenant_schema"),
                extra={"message_id": message.message_id, "error": repr(exception)},
            )
