"""Jobs that exhausted their retries are logged with their tenant (and reach Sentry when it is on)."""

from __future__ import annotations

import logging

from dramatiq.middleware import Middleware

logger = logging.getLogger("gorodok.jobs")


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
