"""Upgrade every municipality's schema to this release: plan, run, retry, status (deploy/runbooks/upgrades.md)."""

from __future__ import annotations

import getpass
import json
import socket
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from gorodok_platform.dbtimeouts import DatabaseTimeoutsMixin
from gorodok_tenants.models import Municipality, UpgradeRun, UpgradeTenantState, UpgradeTenantStatus
from gorodok_tenants.upgrades import runner
from gorodok_tenants.upgrades.planner import plan_upgrade


def _names(keys) -> str:
    return ", ".join(f"{app}.{name}" for app, name in keys)


class ProgressBar:
    """A one-line bar on a terminal; a line every tenth of the way otherwise (logs, CI)."""

    WIDTH = 30

    def __init__(self, stream, enabled: bool = True):
        self.stream = stream
        self.enabled = enabled
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.started = time.monotonic()
        self.last_tenth = -1

    def __call__(self, event: str, done: int, failed: int, total: int) -> None:
        if not self.enabled:
            return
        if event == "public":
            self.stream.write("Migrating the public schema...\n")
            return
        if event == "start":
            self.started = time.monotonic()
            if total:
                self.stream.write(f"Upgrading {total} municipalities...\n")
            return
        finished = done + failed
        if event == "tenant" and total:
            elapsed = time.monotonic() - self.started
            rate = finished / elapsed if elapsed > 0 else 0.0
            eta = (total - finished) / rate if rate else 0.0
            filled = int(self.WIDTH * finished / total)
            line = (f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {finished}/{total} · {failed} failed · "
                    f"{rate:.1f}/s · ETA {int(eta // 60)}:{int(eta % 60):02d}")
            if self.tty:
                self.stream.write("\r" + line)
            else:
                tenth = finished * 10 // total
                if tenth != self.last_tenth:
                    self.last_tenth = tenth
                    self.stream.write(line + "\n")
            self.stream.flush()
        if event == "end" and self.tty and total:
            self.stream.write("\n")


class Command(DatabaseTimeoutsMixin, BaseCommand):
    database_work = "upgrade"
    help = (
        "Upgrade the public schema and every municipality's schema to the migrations of this release. "
        "plan: what is pending, per municipality. run: migrate (resumable; one run at a time). "
        "retry: run again, including the municipalities that failed. status: the last run. "
        "canary: list or flag the municipalities of the first wave. note: add a release note. "
        "check: fail while anything is behind this release. "
        "lint: migrations unsafe for a rolling deploy."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        plan = actions.add_parser("plan",
                                  help="Show the pending migrations of the public schema and each municipality.")
        plan.add_argument("--json", action="store_true", help="Print the plan as JSON.")
        plan.add_argument("--only", nargs="+", metavar="SCHEMA_OR_SLUG", help="Only these municipalities.")
        for name, text in (("run", "Upgrade everything that is behind (continues an interrupted run)."),
                           ("retry", "Like run, and also the municipalities that failed.")):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("--workers", type=int, default=runner.DEFAULT_WORKERS,
                             help=f"Municipalities migrated at the same time (default {runner.DEFAULT_WORKERS}).")
            sub.add_argument("--batch-size", type=int, default=runner.DEFAULT_BATCH,
                             help="Municipalities per batch between progress records "
                                  f"(default {runner.DEFAULT_BATCH}).")
            sub.add_argument("--lock-timeout", default=runner.DEFAULT_LOCK_TIMEOUT,
                             help="How long a migration waits for a table lock before that municipality fails "
                                  f"(PostgreSQL interval, default {runner.DEFAULT_LOCK_TIMEOUT}).")
            sub.add_argument("--only", nargs="+", metavar="SCHEMA_OR_SLUG", help="Only these municipalities.")
            sub.add_argument("--ignore-canary-failures", action="store_true",
                             help="Go on with the other municipalities even when a canary fails.")
            sub.add_argument("--no-progress", action="store_true", help="No progress bar.")
            sub.add_argument("--bootstrap", action="store_true",
                             help="On a first installation, create the public schema inside the run's lock "
                                  "(what release pipelines pass every time; a no-op once installed).")
        actions.add_parser("status", help="Show the last upgrade run.")
        check = actions.add_parser(
            "check", help="Exit non-zero while the public schema or any municipality is behind this release "
                          "(run before web and worker start: new code never serves an old schema).")
        check.add_argument("--only", nargs="+", metavar="SCHEMA_OR_SLUG", help="Only these municipalities.")
        check.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                           help="Keep checking (every 5 s) up to this long before failing.")
        canary = actions.add_parser("canary", help="List the canary municipalities, or flag some.")
        canary.add_argument("--add", nargs="+", default=[], metavar="SLUG")
        canary.add_argument("--remove", nargs="+", default=[], metavar="SLUG")
        note = actions.add_parser("note", help="Add a release note for this release (shown once to each "
                                               "municipality's administrators after its upgrade).")
        note.add_argument("title")
        note.add_argument("--body", default="", help="The note's text.")
        note.add_argument("--file", help="Read the text from this file instead.")
        lint = actions.add_parser("lint", help="Flag migrations that are unsafe while two releases run side by side.")
        lint.add_argument("--all", action="store_true", help="Also the migrations accepted in the baseline.")

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    # --- plan -------------------------------------------------------------------------------------

    def _plan(self, *, json: bool = False, only=None, **options):
        plan = plan_upgrade(only=only)
        if json:
            self.stdout.write(_json({
                "release": plan.release,
                "public": {"pending": [".".join(k) for k in plan.public_pending], "error": plan.public_error},
                "municipalities": plan.total, "current": plan.current,
                "pending": [{"schema": t.schema_name, "name": t.name, "canary": t.canary,
                             "pending": [".".join(k) for k in t.pending], "error": t.error} for t in plan.tenants],
            }))
            return
        write = self.stdout.write
        write(f"Release {plan.release}: {plan.total} municipalities, {plan.current} current, "
              f"{len(plan.pending_tenants)} to upgrade, {len(plan.refused_tenants)} refused.")
        write(f"public: {_names(plan.public_pending) if plan.public_pending else 'current'}"
              + (f" — REFUSED: {plan.public_error}" if plan.public_error else ""))
        for tenant in plan.tenants:
            flag = " [canary]" if tenant.canary else ""
            if tenant.error:
                write(f"{tenant.schema_name} ({tenant.name}){flag}: REFUSED: {tenant.error}")
            else:
                write(f"{tenant.schema_name} ({tenant.name}){flag}: {len(tenant.pending)} pending: "
                      f"{_names(tenant.pending)}")

    # --- run / retry ------------------------------------------------------------------------------

    def _run(self, *, retry_failed: bool = False, workers, batch_size, lock_timeout, only=None,
             ignore_canary_failures=False, no_progress=False, bootstrap=False, **options):
        progress = ProgressBar(sys.stderr, enabled=not no_progress and options.get("verbosity", 1) > 0)
        try:
            report = runner.Runner(workers=workers, batch_size=batch_size, lock_timeout=lock_timeout,
                                   progress=progress).run(retry_failed=retry_failed, only=only,
                                                          ignore_canary_failures=ignore_canary_failures,
                                                          started_by=_operator(), bootstrap=bootstrap)
        except runner.UpgradeError as error:
            raise CommandError(str(error)) from error
        if report.run is None:
            self.stdout.write(f"Release {report.plan.release}: everything is current "
                              f"({report.plan.total} municipalities); nothing to do.")
            return
        self.stdout.write(
            f"Release {report.plan.release}, run {report.run.pk}: public schema "
            f"{len(report.public_applied)} migration(s); {report.done} municipalities upgraded, "
            f"{report.failed} failed, {report.plan.current} already current; {report.seconds:.1f} s."
        )
        if report.skipped_failed:
            self.stdout.write(f"{report.skipped_failed} municipalities failed earlier and were left alone: "
                              "fix the cause, then run `manage.py upgrade retry`.")
        self._failures(report.run)
        if report.halted:
            raise CommandError("A canary municipality failed: the others were not upgraded. "
                               "Fix the cause and run `manage.py upgrade retry`.")
        if report.failed or report.skipped_failed:
            raise CommandError(f"{report.failed + report.skipped_failed} municipalities are not upgraded and stay "
                               "in maintenance; see above, then `manage.py upgrade retry`.")

    def _retry(self, **options):
        return self._run(retry_failed=True, **options)

    def _failures(self, run) -> None:
        for state in UpgradeTenantState.objects.filter(run=run, status=UpgradeTenantStatus.FAILED).order_by(
                "schema_name"):
            last_line = state.error.splitlines()[-1] if state.error else ""
            self.stdout.write(f"  FAILED {state.schema_name} (attempts {state.attempts}): {last_line}")

    # --- check ------------------------------------------------------------------------------------

    def _check(self, *, only=None, wait: float = 0, **options):
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            plan = plan_upgrade(only=only)
            behind = [t.schema_name for t in plan.tenants]
            if not plan.public_pending and not plan.public_error and not behind:
                self.stdout.write(f"Release {plan.release}: the public schema and {plan.total} municipalities "
                                  "are current.")
                return
            if time.monotonic() >= deadline:
                break
            time.sleep(5)
        public = "behind" if plan.public_pending or plan.public_error else "current"
        shown = ", ".join(behind[:20]) + (f" and {len(behind) - 20} more" if len(behind) > 20 else "")
        raise CommandError(f"Release {plan.release} is not applied: public schema {public}; "
                           f"{len(behind)} municipalities behind{f' ({shown})' if behind else ''}. "
                           "Run `manage.py upgrade run` (or `retry`) first.")

    # --- status -----------------------------------------------------------------------------------

    def _status(self, **options):
        run = UpgradeRun.objects.order_by("-started_at").first()
        if run is None:
            self.stdout.write("No upgrade run yet.")
            return
        counts = dict(UpgradeTenantState.objects.filter(run=run).values_list("status").annotate(n=Count("id")))
        self.stdout.write(
            f"Run {run.pk}, release {run.release}: {run.get_status_display()}; "
            f"started {run.started_at:%Y-%m-%d %H:%M:%S}"
            f"{f', finished {run.finished_at:%H:%M:%S}' if run.finished_at else ''}; started {run.attempts} time(s). "
            + ", ".join(f"{status}: {counts.get(status, 0)}" for status in UpgradeTenantStatus.values)
        )
        if run.message:
            self.stdout.write(run.message)
        self._failures(run)
        stuck = Municipality.objects.filter(maintenance_since__isnull=False).order_by("schema_name")
        for municipality in stuck:
            self.stdout.write(f"  in maintenance since {municipality.maintenance_since:%Y-%m-%d %H:%M}: "
                              f"{municipality.schema_name}")

    # --- canary -----------------------------------------------------------------------------------

    def _canary(self, *, add, remove, **options):
        for slugs, value in ((add, True), (remove, False)):
            if slugs:
                found = Municipality.objects.filter(slug__in=slugs)
                missing = set(slugs) - set(found.values_list("slug", flat=True))
                if missing:
                    raise CommandError(f"No municipality with slug {', '.join(sorted(missing))}.")
                found.update(upgrade_canary=value)
        canaries = list(Municipality.objects.filter(upgrade_canary=True).order_by("slug")
                        .values_list("slug", flat=True))
        self.stdout.write(f"Canary municipalities: {', '.join(canaries) if canaries else 'none'}.")

    # --- note -------------------------------------------------------------------------------------

    def _note(self, *, title, body="", file=None, **options):
        from pathlib import Path

        from gorodok_tenants.models import ReleaseNote
        from gorodok_tenants.upgrades.graph import AppliedStateLoader, release_label

        if file:
            body = Path(file).read_text(encoding="utf-8").strip()
        release = release_label(AppliedStateLoader())
        note = ReleaseNote.objects.create(release=release, title=title, body=body)
        self.stdout.write(f"Release note {note.pk} added for release {release}.")

    # --- lint -------------------------------------------------------------------------------------

    def _lint(self, *, all: bool = False, **options):
        from gorodok_tenants.upgrades.lint import citus_problems, lint_migrations

        problems = lint_migrations(include_accepted=all, stdout=self.stdout)
        citus = citus_problems()
        self.stdout.write("*** Citus (municipality schemas as distributed schemas) ***")
        for problem in citus:
            self.stdout.write(f"  {problem}")
        self.stdout.write(f"Citus-incompatible: {len(citus)}")
        if problems:
            raise CommandError(f"{problems} migration(s) are unsafe for a rolling deploy (see above and "
                               "deploy/runbooks/upgrades.md, 'Expand, then contract').")
        if citus:
            raise CommandError(f"{len(citus)} schema construct(s) would break Citus schema-based sharding "
                               "(see above and deploy/runbooks/scale-out.md).")


def _operator() -> str:
    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except (KeyError, OSError):
        return socket.gethostname()


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
