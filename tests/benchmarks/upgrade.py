"""How long upgrading every municipality takes: Gorodok's upgrader against django-tenants' migrate_schemas.

    GORODOK_ENV=test DATABASE_URL=postgres://... python tests/benchmarks/upgrade.py [--quick] [--n N] [--workers W]

Works in a throwaway database (``gorodok_bench_upgrade`` on the server DATABASE_URL names; without
DATABASE_URL, the server ``make test`` would use), which it creates and drops. It creates N
municipalities (1,000; --quick: 20) the fast way (rows in bulk, schemas from the provisioning
template's DDL), then measures three upgrades, each with every method starting from the same state:

    (a) nothing pending       the code's migrations, all applied
    (b) column + index        a release adding a column with an index to every schema's appeals table
    (c) data migration        a release whose RunPython rewrites every schema's deadline rules row by row

Releases (b) and (c) are extra migrations of the appeals app, switched on with MIGRATION_MODULES
(tests/test_tenants/releases.py); between methods the schemas are put back (column dropped, rows
restored, records deleted), not timed. Methods, each in a subprocess of its own:

    gorodok          manage.py upgrade run --workers W (threads)
    standard         migrate_schemas --executor=standard
    multiprocessing  migrate_schemas --executor=multiprocessing (TENANT_MULTIPROCESSING_MAX_PROCESSES=W)
    smart            migrate_schemas with django-tenants-smart-executor's standard executor
    smart_mp         the same with its multiprocessing executor (W processes)

Each figure is the command's own time (after Django has started; the start-up is the same for all and
reported apart) and the peak resident memory of the method's whole process tree (the process and its
worker processes, sampled every 20 ms). Every method must leave every schema at the release; the
benchmark checks it after each. A ratio above 1 means Gorodok is ahead (peer time / Gorodok time).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from throwaway import add_source_roots, point_django_at, recreate_database

ROOT = Path(__file__).resolve().parents[2]
BENCH_DATABASE = "gorodok_bench_upgrade"


def _prepare_environment() -> tuple[str, str]:
    return point_django_at(BENCH_DATABASE)


def _recreate_database(maintenance_url: str, *, drop_only: bool = False) -> None:
    recreate_database(maintenance_url, BENCH_DATABASE, drop_only=drop_only)
METHODS = ("gorodok", "standard", "multiprocessing", "smart", "smart_mp")
PEERS = METHODS[1:]
SCENARIOS = ("nothing_pending", "column_index", "data_migration")
APP = "appeals"
TARGETS = {
    "nothing_pending": {"standard": 20.0, "smart": 5.0},
    "column_index": {"standard": 4.0, "every_peer": 1.0},
    "data_migration": {"standard": 4.0, "every_peer": 1.0},
}

RELEASES = {
    "column_index": {"9101_bench_priority": """
        from django.db import migrations, models

        class Migration(migrations.Migration):
            dependencies = [("{app}", "{previous}")]
            operations = [
                migrations.AddField("appeal", "bench_priority", models.PositiveSmallIntegerField(default=0)),
                migrations.AddIndex("appeal", models.Index(fields=["bench_priority"], name="appeal_bench_prio_idx")),
            ]
    """},
    "data_migration": {"9201_bench_rules": """
        from django.db import migrations


        def forwards(apps, schema_editor):
            Rule = apps.get_model("appeals", "DeadlineRule")
            for rule in Rule.objects.order_by("pk"):
                rule.max_extension_days += 1
                rule.save(update_fields=["max_extension_days"])

        class Migration(migrations.Migration):
            dependencies = [("{app}", "{previous}")]
            operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
    """},
}










# --- The subprocess: one method, one measurement -----------------------------------------------------


class TreeMemory:
    """Peak resident memory of this process and all its descendants, sampled."""

    def __init__(self, interval: float = 0.02):
        import psutil

        self.process = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        import psutil

        while not self._stop.is_set():
            total = 0
            for process in [self.process, *self.process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def worker(method: str, workers: int) -> None:
    started = time.perf_counter()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from tests.test_tenants.releases import activate_from_environment

    activate_from_environment()
    settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = workers
    if method.startswith("smart"):
        settings.GET_EXECUTOR_FUNCTION = "django_tenants_smart_executor.load_executor"
    import logging

    logging.getLogger("django_tenants_smart_executor").setLevel(logging.ERROR)  # one line per schema otherwise
    startup = time.perf_counter() - started
    with TreeMemory() as memory:
        began = time.perf_counter()
        if method == "gorodok":
            call_command("upgrade", "run", "--workers", str(workers), "--no-progress", verbosity=0)
        else:
            executor = "multiprocessing" if method in ("multiprocessing", "smart_mp") else "standard"
            call_command("migrate_schemas", interactive=False, verbosity=0, executor=executor)
        seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "startup_seconds": startup, "peak_rss_mb": memory.peak / 2**20}))


# --- The main process ---------------------------------------------------------------------------------


def _create_municipalities(n: int, workers: int) -> float:
    from django.db import connections, transaction

    from gorodok_tenants.models import Domain, Municipality
    from gorodok_tenants.provisioning.municipalities import host_for
    from gorodok_tenants.provisioning.schemas import blueprint, provision_schema
    from gorodok_tenants.upgrades.schema_version import code_schema_version

    started = time.perf_counter()
    blueprint()
    slugs = [f"bench-{index:05d}" for index in range(n)]
    version = code_schema_version()
    with transaction.atomic():
        created = Municipality.objects.bulk_create([
            Municipality(schema_name="m_" + slug.replace("-", "_"), name=slug, name_en=slug, slug=slug,
                         oktmo=f"{98000000 + index:08d}", kind="urban_okrug", schema_version=version)
            for index, slug in enumerate(slugs)
        ], batch_size=500)
        Domain.objects.bulk_create([Domain(domain=host_for(m.slug), tenant=m, is_primary=True) for m in created],
                                   batch_size=500)
    schemas = [m.schema_name for m in created]

    def provision(part: list[str]) -> None:
        try:
            for schema in part:
                provision_schema(schema)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=provision, args=(schemas[i::workers],)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _schemas() -> list[str]:
    from gorodok_tenants.models import Municipality

    return list(Municipality.objects.order_by("schema_name").values_list("schema_name", flat=True))


def _reset(scenario: str, release_names) -> None:
    """Put every schema back before the release (not timed)."""
    from django.db import connection

    schemas = _schemas()
    statements = []
    for schema in schemas:
        quoted = f'"{schema}"'
        if scenario == "column_index":
            statements.append(f"ALTER TABLE {quoted}.appeals_appeal DROP COLUMN IF EXISTS bench_priority")
        if scenario == "data_migration":
            statements.append(
                f"UPDATE {quoted}.appeals_deadlinerule SET max_extension_days = max_extension_days - 1 "
                f"WHERE EXISTS (SELECT 1 FROM {quoted}.django_migrations WHERE app = 'appeals' "
                f"AND name = '9201_bench_rules')"
            )
    names = ", ".join(f"'{name}'" for name in release_names)
    for schema in ["public", *schemas] if release_names else ():
        statements.append(f"DELETE FROM \"{schema}\".django_migrations WHERE app = 'appeals' AND name IN ({names})")
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for start in range(0, len(statements), 500):
            cursor.execute(";\n".join(statements[start:start + 500]))


def _check_all_current(scenario: str) -> None:
    from django.db import connection

    from gorodok_tenants.upgrades.planner import plan_upgrade

    plan = plan_upgrade()
    if plan.public_pending or plan.tenants:
        raise RuntimeError(f"{scenario}: {len(plan.tenants)} schemas not at the release after a method")
    if scenario == "data_migration":
        with connection.cursor() as cursor:
            cursor.execute("SELECT max_extension_days FROM m_bench_00000.appeals_deadlinerule ORDER BY id")
            if [row[0] for row in cursor.fetchall()] != [31, 31, 31, 31, 16, 1]:
                raise RuntimeError("the data migration did not run exactly once")


def _measure(method: str, workers: int, environ: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--worker", method, "--workers", str(workers)],
        cwd=ROOT, env=environ, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{method} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(n: int, workers: int, methods: tuple[str, ...]) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tests.test_tenants.releases import make_release

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    create_seconds = _create_municipalities(n, workers)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    base_modules = dict(getattr(settings, "MIGRATION_MODULES", {}) or {})
    results: dict[str, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="gorodok-bench-upgrade-") as directory:
        for scenario in SCENARIOS:
            environ = dict(os.environ)
            names: tuple[str, ...] = ()
            settings.MIGRATION_MODULES = dict(base_modules)
            if scenario in RELEASES:
                release = make_release(Path(directory) / scenario, APP, RELEASES[scenario])
                environ = release.environ()
                names = release.names
                settings.MIGRATION_MODULES = {**base_modules, APP: release.module}
            results[scenario] = {}
            for method in methods:
                _reset(scenario, names)
                results[scenario][method] = _measure(method, workers, environ)
                _check_all_current(scenario)
                print(f"  {scenario:16s} {method:16s} {results[scenario][method]['seconds']:9.2f} s "
                      f"{results[scenario][method]['peak_rss_mb']:8.0f} MB", file=sys.stderr, flush=True)
    return {"results": results, "server_version": server_version, "create_seconds": create_seconds}


def report(outcome: dict, *, n: int, workers: int, quick: bool, smart_version: str) -> dict:
    results = outcome["results"]
    labels = {
        "gorodok": f"Gorodok upgrade run ({workers} threads)",
        "standard": "migrate_schemas, standard executor",
        "multiprocessing": f"migrate_schemas, multiprocessing ({workers} processes)",
        "smart": "migrate_schemas, smart executor",
        "smart_mp": f"migrate_schemas, smart multiprocessing ({workers})",
    }
    methods = [m for m in METHODS if m in next(iter(results.values()))]
    print(f"Upgrading {n} municipalities: PostgreSQL {outcome['server_version']}, {workers} workers for the "
          f"parallel methods, django-tenants-smart-executor {smart_version}. Municipalities created in "
          f"{outcome['create_seconds']:.1f} s (not timed).")
    print("Seconds: the command's own time, without the interpreter and Django start-up (about "
          f"{results['nothing_pending']['gorodok']['startup_seconds']:.1f} s for every method). "
          "Memory: peak RSS of the process tree.")
    print()
    header = f"{'method':48s}" + "".join(f"{s:>26s}" for s in SCENARIOS)
    print(header)
    for method in methods:
        cells = "".join(f"{results[s][method]['seconds']:12.2f} s {results[s][method]['peak_rss_mb']:8.0f} MB"
                        for s in SCENARIOS)
        print(f"{labels[method]:48s}{cells}")
    print()
    figures, ratios, targets = {}, {}, {}
    for scenario in SCENARIOS:
        gorodok = results[scenario]["gorodok"]["seconds"]
        for method in methods:
            figures[f"{scenario}_{method}_s"] = round(results[scenario][method]["seconds"], 3)
            figures[f"{scenario}_{method}_peak_rss_mb"] = round(results[scenario][method]["peak_rss_mb"], 1)
            if method != "gorodok":
                ratios[f"{scenario}_{method}_over_gorodok"] = round(results[scenario][method]["seconds"] / gorodok, 2)
        wanted = TARGETS[scenario]
        checks = {}
        if "standard" in wanted and "standard" in methods:
            checks[f"standard_at_least_{wanted['standard']:g}x"] = (
                results[scenario]["standard"]["seconds"] / gorodok >= wanted["standard"])
        if "smart" in wanted and "smart" in methods:
            checks[f"smart_at_least_{wanted['smart']:g}x"] = results[scenario]["smart"]["seconds"] / gorodok >= wanted[
                "smart"]
        if "every_peer" in wanted and len(methods) > 1:
            checks["faster_than_every_peer"] = all(results[scenario][m]["seconds"] > gorodok for m in methods
                                                   if m != "gorodok")
        targets[scenario] = checks
        line = ", ".join(f"{m} {results[scenario][m]['seconds'] / gorodok:.1f}x" for m in methods if m != "gorodok")
        verdict = ", ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in checks.items())
        print(f"{scenario}: peer / Gorodok = {line}. Targets: {verdict}.")
    summary = {
        "benchmark": "upgrade",
        "params": {"n": n, "quick": quick, "workers": workers, "postgres": outcome["server_version"],
                   "smart_executor": smart_version, "methods": methods, "statistic": "single run, command time",
                   "startup_excluded": True, "targets_met": targets},
        "figures": figures,
        "ratios": ratios,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return summary


def _smart_version() -> str:
    try:
        from importlib.metadata import version

        return version("django-tenants-smart-executor")
    except Exception:
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 municipalities (under a minute)")
    parser.add_argument("--n", type=int, default=None, help="municipalities (default 1000, --quick 20)")
    parser.add_argument("--workers", type=int, default=None,
                        help="parallelism of the parallel methods (default: CPUs, 2 to 4)")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=None,
                        help="measure only these methods (gorodok is always measured: ratios need it)")
    parser.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    workers = options.workers or min(max(os.cpu_count() or 2, 2), 4)
    if options.worker:
        add_source_roots()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gorodok_platform.settings")
        worker(options.worker, workers)
        return 0
    n = options.n or (20 if options.quick else 1000)
    smart_version = _smart_version()
    methods = METHODS if smart_version else tuple(m for m in METHODS if not m.startswith("smart"))
    if options.methods:
        methods = tuple(m for m in methods if m == "gorodok" or m in options.methods)
    if not smart_version:
        print("django-tenants-smart-executor is not installed (pip install django-tenants-smart-executor): "
              "its methods are left out.", file=sys.stderr)
    _, maintenance_url = _prepare_environment()
    _recreate_database(maintenance_url)
    try:
        outcome = run(n, workers, methods)
    finally:
        from django.db import connections

        connections.close_all()
        _recreate_database(maintenance_url, drop_only=True)
    report(outcome, n=n, workers=workers, quick=options.quick, smart_version=smart_version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
