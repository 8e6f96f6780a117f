"""The ``gorodok`` command. ``gorodok run`` (what ``make run`` calls) starts a complete development
server: database, migrations, demo region, job worker and web server, in one process."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import uuid
import warnings
from collections.abc import Sequence

logger = logging.getLogger("gorodok.cli")

# Development accounts seeded by ``seed_region`` in dev and test; production gets random passwords.
DEV_PASSWORD = "gorodok-dev"
STAFF_MAIL_DOMAIN = "gorodok.local"
REGIONAL_ADMIN_EMAIL = f"admin@{STAFF_MAIL_DOMAIN}"
REGIONAL_ANALYST_EMAIL = f"analyst@{STAFF_MAIL_DOMAIN}"
EXAMPLE_SLUG = "chernogorsk"


DEMO_PROCESSES = max(1, min(6, os.cpu_count() or 1))  # municipalities seeded at once after the example one


def say(what: str, started: float) -> None:
    """One line of the start's progress, with the seconds since ``gorodok run`` began."""
    import time

    sys.stdout.write(f"[{time.monotonic() - started:6.1f}s] {what}\n")
    sys.stdout.flush()


def municipal_admin_email(slug: str) -> str:
    return f"admin@{slug}.{STAFF_MAIL_DOMAIN}"


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "gorodok_platform.settings"
    # The embedded database's library warns about a missing XDG_RUNTIME_DIR and logs every pg_ctl call.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    import django

    django.setup()
    logging.getLogger("pgserver").setLevel(logging.WARNING)


def _migrate(started: float) -> None:
    from django.core.management import call_command

    say("migrating the region's schema...", started)
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    say("migrating the municipalities' schemas...", started)
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)


def _start_jobs(broker_url: str):
    """An in-process worker thread without a broker, else a ``worker`` process; and the scheduler of
    periodic jobs (counters, deadline sweeps, retention) as a thread. Returns a stop function."""
    from gorodok_platform.jobs.scheduler import start_scheduler_thread

    _scheduler, stop_scheduler = start_scheduler_thread()
    if not broker_url:
        from gorodok_platform.jobs.worker import start_worker

        worker = start_worker(threads=2)
        logger.info("BROKER_URL is not set: jobs run in-process, inside this server.")

        def stop_in_process() -> None:
            stop_scheduler.set()
            worker.stop()

        return stop_in_process
    command = [sys.executable, "-m", "django", "worker", "--threads", "2"]
    process = subprocess.Popen(command, env=os.environ.copy())  # noqa: S603
    logger.info("jobs run in a worker process (pid %d) on the %s broker", process.pid,
                broker_url.split(":", 1)[0])

    def stop() -> None:
        stop_scheduler.set()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()

    return stop


def _seed_demo_data_in_background(started: float) -> None:
    """Every module's demo data in every municipality (only what is missing), while the server already
    serves: the README's example municipality first, then the others in ``DEMO_PROCESSES`` processes at
    once (seeding is Python work: threads would queue on one interpreter lock)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection
    from django_tenants.utils import get_public_schema_name, get_tenant_model

    def seed_one(schema: str, name: str) -> None:
        command = [sys.executable, "-m", "django", "seed_demo", "--schema", schema, "--quiet"]
        result = subprocess.run(command, env=os.environ.copy(), capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode == 0:
            say(f"demo data: {name} ready", started)
        else:
            logger.error("seeding the demo data of %s failed:\n%s", name, result.stderr[-4000:])

    def seed() -> None:
        try:
            municipalities = list(get_tenant_model().objects.filter(status="active")
                                  .exclude(schema_name=get_public_schema_name()).order_by("name")
                                  .values_list("schema_name", "name", "slug"))
        finally:
            connection.close()
        first = [m for m in municipalities if m[2] == EXAMPLE_SLUG]
        others = [m for m in municipalities if m[2] != EXAMPLE_SLUG]
        for schema, name, _slug in first:
            seed_one(schema, name)
        with ThreadPoolExecutor(max_workers=DEMO_PROCESSES, thread_name_prefix="gorodok-demo") as pool:
            for schema, name, _slug in others:
                pool.submit(seed_one, schema, name)
        say(f"demo data are in place in all {len(municipalities)} municipalities", started)

    threading.Thread(target=seed, name="gorodok-demo-data", daemon=True).start()


def _primary_domains() -> list:
    from django_tenants.utils import get_tenant_domain_model

    return list(
        get_tenant_domain_model().objects.filter(is_primary=True).select_related("tenant")
        .order_by("tenant__name")
    )


def _send_pings(domains: Sequence) -> None:
    from gorodok_platform.jobs.actors import ping
    from gorodok_platform.jobs.middleware import send_in_tenant

    token = f"run-{uuid.uuid4().hex}"
    for domain in domains:
        send_in_tenant(ping, domain.tenant.schema_name, token)
    logger.info("sent a diagnostic job to each of %d municipalities", len(domains))


def banner(*, port: int, region: str, domains: Sequence, environment: str, jobs: str, data: str) -> str:
    base = f"http://{region}:{port}"
    width = max((len(d.tenant.name) for d in domains), default=0) + 2
    example = next((d.domain for d in domains if d.domain.startswith(f"{EXAMPLE_SLUG}.")),
                   domains[0].domain if domains else region)
    query = '{"query":"{ municipality { name oktmo } }"}'
    rule = "=" * 100
    lines = [
        rule,
        f"  Gorodok is running ({environment}) on port {port}",
        rule,
        "  Region (regional console and regional API):",
        f"    {base}/admin/    {base}/graphql/",
        "  Municipalities (each with its own back office and API):",
    ]
    for domain in domains:
        host = f"http://{domain.domain}:{port}"
        lines.append(f"    {domain.tenant.name:<{width}}{host}/admin/    {host}/graphql/")
    if environment == "dev":
        lines += [
            f"  Sign in (development accounts, password {DEV_PASSWORD}):",
            f"    regional administrator   {REGIONAL_ADMIN_EMAIL}",
            f"    regional analyst         {REGIONAL_ANALYST_EMAIL}",
            f"    municipal administrator  {municipal_admin_email('<slug>')}, "
            f"e.g. {municipal_admin_email(EXAMPLE_SLUG)}",
        ]
    lines += [
        "  Try the tenant API:",
        f"    curl -s -H 'Host: {example}' -H 'Content-Type: application/json' -d '{query}' "
        f"http://127.0.0.1:{port}/graphql/",
        f"  Probes: http://127.0.0.1:{port}/healthz    http://127.0.0.1:{port}/readyz",
        f"  Jobs: {jobs}",
        f"  Data: {data}",
        "  Stop with Ctrl-C; the next start reuses the data.",
        rule,
    ]
    return "\n".join(lines) + "\n"


def _exit_cleanly_on_signals() -> None:
    # SIGTERM (docker stop, kill) exits like Ctrl-C, so the worker and the embedded database stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)


def run(args: argparse.Namespace) -> int:
    import time

    started = time.monotonic()
    _exit_cleanly_on_signals()
    embedded = not os.environ.get("DATABASE_URL")
    say("starting Django" + (" and the embedded PostgreSQL..." if embedded else "..."), started)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from gorodok_platform.devdb import EMBEDDED_DATA_DIR

    port = args.port or settings.PORT
    _migrate(started)
    say("creating the demo region (municipalities and accounts) where missing...", started)
    call_command("seed_region", quiet=True)
    say("starting the job worker and the scheduler...", started)
    stop_jobs = _start_jobs(settings.BROKER_URL)
    if settings.GORODOK_ENV == "dev":
        say(f"seeding demo data in the background, {EXAMPLE_SLUG} first...", started)
        _seed_demo_data_in_background(started)
    try:
        domains = _primary_domains()
        _send_pings(domains)
        say("starting the web server", started)
        sys.stdout.write(banner(
            port=port, region=settings.REGION_DOMAIN, domains=domains, environment=settings.GORODOK_ENV,
            jobs=f"{settings.BROKER_URL.split(':', 1)[0]} broker, worker process" if settings.BROKER_URL
            else "in-process worker (BROKER_URL is not set)",
            data=f"embedded PostgreSQL in {EMBEDDED_DATA_DIR}" if embedded else "DATABASE_URL",
        ))
        sys.stdout.flush()
        call_command("runserver", f"0.0.0.0:{port}", use_reloader=False, use_threading=True, skip_checks=True)
    finally:
        stop_jobs()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gorodok", description="Gorodok, the region's municipal backend.")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser(
        "run", help="Migrate, seed the demo region and serve on 0.0.0.0:PORT (development).",
    )
    run_parser.add_argument("--port", type=int, help="Overrides the PORT setting.")
    run_parser.set_defaults(handler=run)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
