"""The upgrade run: exclusive, resumable, one transaction per municipality.

Order
    1. A session advisory lock on a connection of its own, held for the whole run: a second run
       refuses to start (``UpgradeLocked``). Leftover sessions of a killed run (application_name
       ``gorodok-upgrade``) are terminated, so their transactions are rolled back before planning.
    2. The plan (``planner.plan_upgrade``): read from the schemas themselves, never from the state
       rows, so a run that was killed at any moment is simply planned again.
    3. The public schema, in one transaction.
    4. The canary wave (``Municipality.upgrade_canary``), then the others, in batches, on ``workers``
       threads, each with its own connection. A failed canary halts the run before the others.

Each municipality
    T1 (committed): maintenance on, its state row ``running``, attempts + 1; the routing cache forgets
       its hosts, so its users and integrators get 503 MUNICIPALITY_UPGRADING.
    T2: its applied migrations read again (the truth), every pending migration applied, post_migrate
       sent for the apps they belong to, its state row ``done``, maintenance off: one transaction, so the
       schema is either at the release or untouched, and never out of maintenance while behind.
    T3 (on failure, after T2 rolled back): its state row ``failed`` with the error, maintenance kept
       with a clear message. The run goes on with the others; ``upgrade retry`` takes it up again.

A kill at any moment leaves each schema either migrated (T2 committed) or untouched; the next ``run``
finds the untouched ones pending and migrates them, and its state rows say where the killed one was.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from django.db import DatabaseError, connections, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django_tenants.signals import schema_migrated
from django_tenants.utils import get_public_schema_name, get_tenant_database_alias, quote_schema_name

from gorodok_platform.jobs.locks import UPGRADE_RUN, advisory_lock
from gorodok_tenants.models import (
    UpgradeRun,
    UpgradeRunStatus,
    UpgradeTenantState,
    UpgradeTenantStatus,
)
from gorodok_tenants.upgrades import maintenance
from gorodok_tenants.upgrades.graph import Key, PlanCache, PlanRefused
from gorodok_tenants.upgrades.planner import TenantPlan, UpgradePlan, plan_upgrade

logger = logging.getLogger("gorodok.upgrades")

APPLICATION_NAME = "gorodok-upgrade"
DEFAULT_WORKERS = 4
DEFAULT_BATCH = 50
DEFAULT_LOCK_TIMEOUT = "30s"
CANARY, MAIN = "canary", "main"


class UpgradeError(RuntimeError):
    pass


class UpgradeLocked(UpgradeError):
    """Another upgrade run holds the lock."""


@dataclass
class TenantOutcome:
    schema_name: str
    ok: bool
    applied: tuple[Key, ...] = ()
    error: str = ""
    seconds: float = 0.0


@dataclass
class RunReport:
    run: UpgradeRun | None
    plan: UpgradePlan
    public_applied: tuple[Key, ...]
    done: int
    failed: int
    skipped_failed: int
    halted: bool
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.failed and not self.halted and not self.skipped_failed


Progress = Callable[[str, int, int, int], None]  # (event, done, failed, total)


# --- The lock -------------------------------------------------------------------------------------


class RunLock:
    def __init__(self, alias: str):
        self.alias = alias
        self.connection = None

    def __enter__(self):
        self._stack = ExitStack()
        lock = self._stack.enter_context(advisory_lock(UPGRADE_RUN.name, using=self.alias))  # a session of its own
        self.connection = lock.connection
        if not lock:
            self._stack.close()
            try:
                running = UpgradeRun.objects.filter(status=UpgradeRunStatus.RUNNING).order_by("-started_at").first()
            except DatabaseError:  # the other run is installing the public schema right now
                running = None
            since = f" (run {running.pk} of release {running.release}, started {running.started_at:%Y-%m-%d %H:%M})" \
                if running else ""
            raise UpgradeLocked(f"Another upgrade run is in progress{since}; this one does not start.")
        return self

    def __exit__(self, *exc):
        self._stack.close()  # ends the session, and with it the lock

    def terminate_leftovers(self) -> int:
        """End the sessions a killed run left behind (e.g. a backend still inside a long statement
        whose client is gone): their transactions roll back now, not whenever PostgreSQL notices."""
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity "
                    "WHERE application_name = %s AND datname = pg_catalog.current_database() "
                    "AND pid <> pg_catalog.pg_backend_pid()",
                    [APPLICATION_NAME],
                )
                count = cursor.fetchone()[0]
        except DatabaseError as error:
            logger.warning("could not end the sessions of an earlier run: %s", error)
            return 0
        if count:
            logger.warning("ended %d session(s) left by an earlier upgrade run", count)
        return count


# --- One schema -----------------------------------------------------------------------------------


def _configure_session(connection, lock_timeout: str) -> None:
    """Tag a worker's session (so a later run can end it if this process dies) and bound its waits."""
    if getattr(connection, "_gorodok_upgrade_session", None) is connection.connection and connection.connection:
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_catalog.set_config('application_name', %s, false), "
                       "pg_catalog.set_config('lock_timeout', %s, false)", [APPLICATION_NAME, lock_timeout])
        if connection.pg_version >= 140000:
            # A backend notices a vanished client within seconds even inside a long statement.
            cursor.execute("SELECT pg_catalog.set_config('client_connection_check_interval', '2s', false)")
    connection._gorodok_upgrade_session = connection.connection


def _read_applied(connection, schema_name: str) -> frozenset[Key]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {quote_schema_name(schema_name)}.django_migrations")  # noqa: S608
        return frozenset(cursor.fetchall())


def _error_text(error: BaseException, step) -> str:
    where = f"{step.app_label}.{step.name}: " if step is not None else ""
    lines = traceback.format_exception_only(type(error), error)
    return (where + "".join(lines).strip())[:4000]


def migrate_schema(connection, cache: PlanCache, schema_name: str, *, include_public: bool = True,
                   on_step=None) -> tuple[Key, ...]:
    """Bring one schema to the code's migrations inside the caller's transaction; returns what it applied."""
    if schema_name == get_public_schema_name():
        connection.set_schema_to_public()
    else:
        connection.set_schema(schema_name, include_public=include_public)
    applied = _read_applied(connection, schema_name)
    prepared = cache.prepared(applied)
    if prepared.plan.error:
        raise PlanRefused(prepared.plan.error)
    prepared.migrate(connection, on_step=on_step)
    return prepared.plan.pending


class _Worker(threading.Thread):
    def __init__(self, runner: Runner, tasks: queue.Queue, results: queue.Queue):
        super().__init__(name="gorodok-upgrade-worker", daemon=True)
        self.runner, self.tasks, self.results = runner, tasks, results

    def run(self):
        try:
            while True:
                task = self.tasks.get()
                if task is None:
                    return
                try:
                    outcome = self.runner.upgrade_tenant(*task)
                except BaseException as error:  # never lose a result: the main thread waits for it
                    outcome = TenantOutcome(task[0].schema_name, False, error=_error_text(error, None))
                self.results.put(outcome)
        finally:
            connections.close_all()


class Runner:
    def __init__(self, *, workers: int = DEFAULT_WORKERS, batch_size: int = DEFAULT_BATCH,
                 lock_timeout: str = DEFAULT_LOCK_TIMEOUT, using: str | None = None,
                 progress: Progress | None = None):
        self.alias = using or get_tenant_database_alias()
        self.workers = max(1, workers)
        self.batch_size = max(1, batch_size)
        self.lock_timeout = lock_timeout
        self.progress = progress or (lambda *args: None)
        self.cache = PlanCache(self.alias)
        self.release = ""

    # -- one municipality, on a worker thread --

    def upgrade_tenant(self, tenant: TenantPlan, state_id: int) -> TenantOutcome:
        connection = connections[self.alias]
        _configure_session(connection, self.lock_timeout)
        connection.set_schema_to_public()
        started = time.monotonic()
        now = timezone.now()
        with transaction.atomic(using=self.alias):  # T1
            maintenance.enter(tenant.municipality_id, tenant.domains)
            UpgradeTenantState.objects.filter(pk=state_id).update(
                status=UpgradeTenantStatus.RUNNING, started_at=now, finished_at=None, error="",
                attempts=F("attempts") + 1,
            )
        maintenance.refresh_routing(tenant.domains)
        step = {"migration": None}
        try:
            with transaction.atomic(using=self.alias):  # T2
                applied = migrate_schema(connection, self.cache, tenant.schema_name,
                                         on_step=lambda migration: step.update(migration=migration))
                connection.set_schema_to_public()
                seconds = time.monotonic() - started
                UpgradeTenantState.objects.filter(pk=state_id).update(
                    status=UpgradeTenantStatus.DONE, applied=[list(k) for k in applied], finished_at=timezone.now(),
                    duration_ms=int(seconds * 1000),
                )
                maintenance.leave(tenant.municipality_id, schema_version=self.release)
        except Exception as error:
            message = _error_text(error, step["migration"])
            logger.error("upgrade of %s failed and was rolled back: %s", tenant.schema_name, message)
            self._record_failure(tenant, state_id, message, time.monotonic() - started)
            return TenantOutcome(tenant.schema_name, False, error=message, seconds=time.monotonic() - started)
        maintenance.refresh_routing(tenant.domains)
        if applied:
            schema_migrated.send(sender=Runner, schema_name=tenant.schema_name)
        return TenantOutcome(tenant.schema_name, True, applied=applied, seconds=seconds)

    def _record_failure(self, tenant: TenantPlan, state_id: int, message: str, seconds: float) -> None:
        for attempt in range(2):
            connection = connections[self.alias]
            try:
                connection.set_schema_to_public()
                with transaction.atomic(using=self.alias):  # T3
                    UpgradeTenantState.objects.filter(pk=state_id).update(
                        status=UpgradeTenantStatus.FAILED, error=message, finished_at=timezone.now(),
                        duration_ms=int(seconds * 1000),
                    )
                    maintenance.set_message(tenant.municipality_id, maintenance.FAILED_MESSAGE)
                break
            except DatabaseError:
                connection.close()  # a broken session (e.g. terminated): once more on a new one
                if attempt:
                    logger.exception("could not record the failure of %s", tenant.schema_name)
        maintenance.refresh_routing(tenant.domains)

    # -- the public schema --

    def upgrade_public(self) -> tuple[Key, ...]:
        result: dict = {}

        def work():
            connection = connections[self.alias]
            try:
                _configure_session(connection, self.lock_timeout)
                with transaction.atomic(using=self.alias):
                    result["applied"] = migrate_schema(connection, self.cache, get_public_schema_name())
            except BaseException as error:
                result["error"] = error
            finally:
                connections.close_all()

        thread = threading.Thread(target=work, name="gorodok-upgrade-public", daemon=True)
        thread.start()
        thread.join()
        if "error" in result:
            raise result["error"]
        if result["applied"]:
            schema_migrated.send(sender=Runner, schema_name=get_public_schema_name())
        return result["applied"]

    # -- the run --

    def public_installed(self) -> bool:
        """Whether the public schema holds the region's tables (false only on a first installation)."""
        with connections[self.alias].cursor() as cursor:
            cursor.execute("SELECT pg_catalog.to_regclass(%s) IS NOT NULL",
                           [f"{get_public_schema_name()}.{UpgradeRun._meta.db_table}"])
            return bool(cursor.fetchone()[0])

    def bootstrap_public(self) -> bool:
        """On a first installation, create the public schema's tables (Django's migrate for the shared
        apps), inside the run's lock: two releases started at once never both install. False when the
        public schema was installed already (the run then upgrades it like any release)."""
        if self.public_installed():
            return False
        from django.core.management import call_command

        self.progress("public", 0, 0, 0)
        connections[self.alias].set_schema_to_public()
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0, database=self.alias)
        logger.info("public schema installed (first installation)")
        return True

    def run(self, *, retry_failed: bool = False, only=None, started_by: str = "",
            ignore_canary_failures: bool = False, bootstrap: bool = False) -> RunReport:
        started = time.monotonic()
        with RunLock(self.alias) as lock:
            lock.terminate_leftovers()
            if bootstrap:
                self.bootstrap_public()
            elif not self.public_installed():
                raise UpgradeError("The public schema is not installed yet: on a first installation run "
                                   "`manage.py upgrade run --bootstrap`.")
            plan = plan_upgrade(only=only, using=self.alias, cache=self.cache)
            self.release = plan.release
            if plan.public_error:
                raise UpgradeError(f"The public schema cannot be upgraded: {plan.public_error}")
            run = self._find_run(plan, retry_failed, started_by)
            if run is None:
                self._release_stale_maintenance(plan)
                return RunReport(None, plan, (), 0, 0, 0, False, time.monotonic() - started)
            public_applied = ()
            if plan.public_pending:
                self.progress("public", 0, 0, 0)
                try:
                    public_applied = self.upgrade_public()
                except Exception as error:
                    UpgradeRun.objects.filter(pk=run.pk).update(
                        status=UpgradeRunStatus.HALTED, finished_at=timezone.now(),
                        message=f"The public schema failed: {_error_text(error, None)}")
                    raise UpgradeError(f"The public schema failed and was rolled back: {error}") from error
                UpgradeRun.objects.filter(pk=run.pk).update(public_migrations=[list(k) for k in public_applied])
            states, skipped_failed = self._prepare_states(run, plan, retry_failed)
            self._release_stale_maintenance(plan)
            waves = [
                [(t, states[t.municipality_id]) for t in plan.pending_tenants
                 if t.canary and t.municipality_id in states],
                [(t, states[t.municipality_id]) for t in plan.pending_tenants
                 if not t.canary and t.municipality_id in states],
            ]
            total = sum(len(w) for w in waves)
            done = failed = 0
            halted = False
            self.progress("start", 0, 0, total)
            for wave_name, wave in zip((CANARY, MAIN), waves, strict=True):
                wave_done, wave_failed = self._run_wave(run, wave, done, failed, total)
                done, failed = done + wave_done, failed + wave_failed
                if wave_name == CANARY and wave_failed and not ignore_canary_failures:
                    halted = True
                    break
            self._finish(run, halted=halted)
            self.progress("end", done, failed, total)
            return RunReport(run, plan, public_applied, done, failed, skipped_failed, halted,
                             time.monotonic() - started)

    def _find_run(self, plan: UpgradePlan, retry_failed: bool, started_by: str) -> UpgradeRun | None:
        """The run to continue (an unfinished one of this release, or for a retry the last one), a
        new one when something is pending, or None when there is nothing to do."""
        latest = UpgradeRun.objects.filter(release=plan.release).order_by("-started_at").first()
        resumable = latest is not None and (latest.status != UpgradeRunStatus.DONE or retry_failed)
        if not plan.public_pending and not plan.pending_tenants:
            if resumable and latest.status == UpgradeRunStatus.RUNNING:
                self._finish(latest, halted=False)  # killed after its last municipality committed
            return None
        if resumable:
            UpgradeRun.objects.filter(pk=latest.pk).update(
                status=UpgradeRunStatus.RUNNING, attempts=F("attempts") + 1, finished_at=None,
                heartbeat_at=timezone.now(), workers=self.workers)
            latest.refresh_from_db()
            return latest
        return UpgradeRun.objects.create(release=plan.release, workers=self.workers, heartbeat_at=timezone.now(),
                                         started_by=started_by[:254])

    def _prepare_states(self, run: UpgradeRun, plan: UpgradePlan, retry_failed: bool) -> tuple[dict[int, int], int]:
        """State rows for the municipalities to migrate now: {municipality id: state id}."""
        existing = {s.municipality_id: s for s in UpgradeTenantState.objects.filter(run=run).only(
            "id", "municipality_id", "status")}
        refused = plan.refused_tenants
        new = []
        for tenant in plan.pending_tenants + refused:
            if tenant.municipality_id not in existing:
                new.append(UpgradeTenantState(
                    run=run, municipality_id=tenant.municipality_id, schema_name=tenant.schema_name,
                    wave=CANARY if tenant.canary else MAIN, pending=[list(k) for k in tenant.pending],
                    status=UpgradeTenantStatus.FAILED if tenant.error else UpgradeTenantStatus.PENDING,
                    error=tenant.error,
                ))
        for state in UpgradeTenantState.objects.bulk_create(new, batch_size=500):
            existing[state.municipality_id] = state
        refused_ids = {t.municipality_id for t in refused}
        UpgradeTenantState.objects.filter(run=run, municipality_id__in=refused_ids).update(
            status=UpgradeTenantStatus.FAILED)
        for tenant in refused:
            UpgradeTenantState.objects.filter(run=run, municipality_id=tenant.municipality_id).update(
                error=tenant.error)
        states, skipped = {}, 0
        for tenant in plan.pending_tenants:
            state = existing[tenant.municipality_id]
            if state.status == UpgradeTenantStatus.FAILED and not retry_failed:
                skipped += 1
                continue
            states[tenant.municipality_id] = state.pk
        # Pending again whatever the rows say (a killed run's 'running', a 'done' whose schema is behind).
        UpgradeTenantState.objects.filter(pk__in=list(states.values())).exclude(
            status=UpgradeTenantStatus.PENDING).update(status=UpgradeTenantStatus.PENDING)
        return states, skipped + len(refused)

    def _release_stale_maintenance(self, plan: UpgradePlan) -> None:
        """Municipalities left in maintenance whose schema is current (fixed by hand, or a failure the
        code no longer has): open them again."""
        for tenant in plan.in_maintenance:
            maintenance.leave(tenant.municipality_id, schema_version=plan.release)
            maintenance.refresh_routing(tenant.domains)

    def _run_wave(self, run: UpgradeRun, wave: list, done: int, failed: int, total: int) -> tuple[int, int]:
        if not wave:
            return 0, 0
        tasks: queue.Queue = queue.Queue()
        results: queue.Queue = queue.Queue()
        workers = [_Worker(self, tasks, results) for _ in range(min(self.workers, len(wave)))]
        for worker in workers:
            worker.start()
        wave_done = wave_failed = 0
        try:
            for start in range(0, len(wave), self.batch_size):
                batch = wave[start:start + self.batch_size]
                for item in batch:
                    tasks.put(item)
                for _ in batch:
                    outcome = results.get()
                    if outcome.ok:
                        wave_done += 1
                    else:
                        wave_failed += 1
                    self.progress("tenant", done + wave_done, failed + wave_failed, total)
                UpgradeRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
        finally:
            for _ in workers:
                tasks.put(None)
            for worker in workers:
                worker.join()
        return wave_done, wave_failed

    def _finish(self, run: UpgradeRun, *, halted: bool) -> None:
        counts = UpgradeTenantState.objects.filter(run=run).aggregate(
            total=Count("id"), done=Count("id", filter=Q(status=UpgradeTenantStatus.DONE)),
            failed=Count("id", filter=Q(status=UpgradeTenantStatus.FAILED)),
        )
        status = (UpgradeRunStatus.HALTED if halted
                  else UpgradeRunStatus.DONE_WITH_FAILURES if counts["failed"] else UpgradeRunStatus.DONE)
        from gorodok_tenants.models import Municipality, MunicipalityStatus

        municipalities = Municipality.objects.exclude(status=MunicipalityStatus.ARCHIVED).exclude(
            schema_name=get_public_schema_name()).count()
        message = "A canary municipality failed: the others were not upgraded." if halted else ""
        UpgradeRun.objects.filter(pk=run.pk).update(
            status=status, finished_at=timezone.now(), heartbeat_at=timezone.now(),
            municipalities_total=municipalities, municipalities_done=counts["done"],
            municipalities_failed=counts["failed"], municipalities_current=max(municipalities - counts["total"], 0),
            message=message,
        )
        run.refresh_from_db()


def upgrade_run(**options) -> RunReport:
    run_options = {k: options.pop(k) for k in ("retry_failed", "only", "started_by", "ignore_canary_failures")
                   if k in options}
    return Runner(**options).run(**run_options)
