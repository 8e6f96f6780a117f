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


# --- what staff do with them (the console's actions) -----------------------------------------------------

def failed_job_retry(*, job, actor=None, request=None) -> bool:
    """Send a failed job again, in its schema, and mark it resolved; False when its actor no longer exists
    (a later release removed it), and then nothing changes."""
    import dramatiq
    from django.db import transaction
    from django.utils import timezone

    from gorodok_platform.audit.services import audit_record
    from gorodok_platform.jobs.enqueue import enqueue_on_commit

    try:
        actor_fn = dramatiq.get_broker().get_actor(job.actor_name)
    except dramatiq.errors.ActorNotFound:
        return False
    with transaction.atomic():
        job.resolved_at = timezone.now()
        job.save(update_fields=["resolved_at"])
        audit_record(action="job.retry", actor=actor, tenant_schema=job.tenant_schema, target=job, request=request)
        enqueue_on_commit(actor_fn, *job.args, schema=job.tenant_schema or "public")
    return True


def failed_jobs_resolve(*, jobs, actor=None, request=None) -> int:
    """Mark unresolved failed jobs resolved (someone dealt with them by hand); returns how many."""
    from django.db import transaction
    from django.utils import timezone

    from gorodok_platform.audit.services import audit_record

    with transaction.atomic():
        count = jobs.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        audit_record(action="job.resolve", actor=actor, after={"count": count}, request=request)
    return count
