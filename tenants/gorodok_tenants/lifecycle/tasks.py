"""Long console work as background tasks: exporting, archiving and restoring a municipality, and the bulk
import of municipalities. The console records a ``ConsoleTask`` and a job runs it; the task page shows
its progress (the work reports its milestones through ``lifecycle.progress``) and, at the end, its result
or its error. The request never waits for a dump.

A task runs once: the job claims it (queued -> running) in one UPDATE, so a message delivered twice does
nothing the second time. A task whose worker died leaves a ``running`` row without heartbeat; after
``STALE_AFTER`` it is shown as failed ("interrupted") and the administrator starts it again (each of
these operations is safe to run again: an export writes a new file, an archive or a restore first checks
the schema's state)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gorodok_platform.audit.services import audit_record
from gorodok_platform.jobs.enqueue import enqueue_on_commit
from gorodok_tenants.lifecycle.progress import reporting
from gorodok_tenants.models import (
    ConsoleTask,
    ConsoleTaskKind,
    ConsoleTaskStatus,
    Municipality,
    MunicipalityArchive,
)

logger = logging.getLogger("gorodok.console")

STALE_AFTER = timedelta(minutes=10)
PROGRESS_EVERY_SECONDS = 0.5


def console_task_start(*, kind: str, actor, municipality: Municipality | None = None,
                       archive: MunicipalityArchive | None = None, params: dict | None = None) -> ConsoleTask:
    """Record a task and queue its job (after the transaction commits)."""
    from gorodok_tenants.actors import run_console_task

    if kind not in ConsoleTaskKind.values:
        raise ValidationError(_("Unknown task."), code="invalid")
    with transaction.atomic():
        task = ConsoleTask.objects.create(
            kind=kind, municipality=municipality, archive=archive, params=params or {},
            created_by=getattr(actor, "email", "") or "", started_by_user_id=getattr(actor, "pk", None))
        audit_record(action=f"console_task.{kind}", actor=actor, target=task,
                     tenant_schema=getattr(municipality, "schema_name", "") or "",
                     after={"task_id": task.pk, "municipality": getattr(municipality, "slug", None),
                            "archive_id": getattr(archive, "pk", None)})
        enqueue_on_commit(run_console_task, task.pk, schema="public")
    return task


class _Reporter:
    """Writes progress to the task row, at most every PROGRESS_EVERY_SECONDS (and always the last step)."""

    def __init__(self, task_id: int):
        self.task_id = task_id
        self.last = 0.0

    def __call__(self, done: int, total: int, label: str) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS and done < total:
            return
        self.last = now
        ConsoleTask.objects.filter(pk=self.task_id).update(
            steps_done=done, steps_total=total, step=label[:200], heartbeat_at=timezone.now())


def _actor(task: ConsoleTask):
    from gorodok_platform.accounts.models import User

    if task.started_by_user_id is None:
        return None
    return User.objects.filter(pk=task.started_by_user_id).first()


def _perform(task: ConsoleTask, actor) -> dict:
    from gorodok_tenants.lifecycle.archives import municipality_archive, municipality_export, municipality_restore
    from gorodok_tenants.provisioning.bulk_import import municipalities_import

    if task.kind == ConsoleTaskKind.EXPORT:
        archive = municipality_export(municipality=task.municipality, actor=actor)
        return {"archive_id": archive.pk, "file": archive.path.rsplit("/", 1)[-1], "size_bytes": archive.size_bytes}
    if task.kind == ConsoleTaskKind.ARCHIVE:
        outcome = municipality_archive(municipality=task.municipality, actor=actor, confirm=True)
        return {"archive_id": outcome.archive.pk, "file": outcome.path.name,
                "rows": sum(outcome.row_counts.values())}
    if task.kind == ConsoleTaskKind.RESTORE:
        outcome = municipality_restore(archive=task.archive, into=task.municipality, actor=actor, confirm=True)
        return {"municipality_id": outcome.municipality.pk, "rows": sum(outcome.row_counts.values()),
                "migrated": outcome.migrates}
    if task.kind == ConsoleTaskKind.BULK_IMPORT:
        report = municipalities_import(text=task.params.get("text", ""), actor=actor, dry_run=False)
        # Sign-in links are not kept: they are e-mailed to the administrators (printed in development).
        return {"created": len(report.created), "rejected": len(report.rejected),
                "rows": [{"line": r.line, "oktmo": r.oktmo, "slug": r.slug, "name": r.name, "status": r.status,
                          "errors": [str(e) for e in r.errors]} for r in report.rows]}
    raise ValidationError(_("Unknown task."), code="invalid")


def console_task_run(task_id: int) -> ConsoleTask | None:
    """Run a queued task (the job's body). None when it is not queued (done, running or unknown)."""
    claimed = ConsoleTask.objects.filter(pk=task_id, status=ConsoleTaskStatus.QUEUED).update(
        status=ConsoleTaskStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now())
    if not claimed:
        return None
    task = ConsoleTask.objects.select_related("municipality", "archive").get(pk=task_id)
    if task.kind == ConsoleTaskKind.BULK_IMPORT:
        params, task.params = task.params, {}  # the uploaded text is not kept once read
        ConsoleTask.objects.filter(pk=task_id).update(params={})
        task.params = params
    try:
        with reporting(_Reporter(task_id)):
            result = _perform(task, _actor(task))
    except ValidationError as error:
        _finish(task_id, ConsoleTaskStatus.FAILED, error="; ".join(error.messages))
    except Exception as error:  # recorded for the administrator; the job itself does not retry
        logger.exception("console task %s (%s) failed", task_id, task.kind)
        _finish(task_id, ConsoleTaskStatus.FAILED, error=_("The task failed: %(error)s") % {
            "error": f"{type(error).__name__}: {error}"[:2000]})
    else:
        _finish(task_id, ConsoleTaskStatus.DONE, result=result)
    return ConsoleTask.objects.get(pk=task_id)


def _finish(task_id: int, status: str, *, result: dict | None = None, error: str = "") -> None:
    changes = {"status": status, "finished_at": timezone.now(), "heartbeat_at": timezone.now(), "error": error}
    if result is not None:
        changes["result"] = result
    if status == ConsoleTaskStatus.DONE:
        task = ConsoleTask.objects.get(pk=task_id)
        changes["steps_done"] = changes["steps_total"] = max(task.steps_total, 1)
    ConsoleTask.objects.filter(pk=task_id).update(**changes)


def console_task_state(task: ConsoleTask, *, now=None) -> dict:
    """What the task page shows and polls: status, percent, step, result or error."""
    now = now or timezone.now()
    status, error = task.status, task.error
    if status == ConsoleTaskStatus.RUNNING and task.heartbeat_at and now - task.heartbeat_at > STALE_AFTER:
        status, error = ConsoleTaskStatus.FAILED, _("Interrupted (the worker stopped); start the task again.")
    return {"id": task.pk, "kind": task.kind, "status": status, "status_label": str(ConsoleTaskStatus(status).label),
            "percent": 100 if status == ConsoleTaskStatus.DONE else task.percent, "step": task.step,
            "finished": status in (ConsoleTaskStatus.DONE, ConsoleTaskStatus.FAILED), "error": error,
            "result": task.result}
