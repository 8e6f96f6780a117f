"""How long creating a municipality's schema takes: Gorodok's template path against django-tenants.

    GORODOK_ENV=test DATABASE_URL=postgres://... python tests/benchmarks/provisioning.py [--quick] [--n N]

Works in a throwaway database (``gorodok_bench_provisioning`` on the server DATABASE_URL names; without
DATABASE_URL, the server ``make test`` would use), which it creates and drops. Measures, N schemas each,
interleaved so that drift in the machine's speed hits every method alike:

    default   django-tenants' default path: CREATE SCHEMA + migrate_schemas for the schema
              (TenantMixin.create_schema, what auto_create_schema runs)
    clone     django-tenants' clone path: CloneSchema().clone_schema(<migrated template>, new), which
              (re)installs its PL/pgSQL clone_schema function and copies the template
    floor     the final schema's DDL (the same text Gorodok uses, no rows), one transaction
    gorodok   Municipality.create_schema: Gorodok's path (DDL + seed rows + sequences, one round trip)

Not timed (warm-up): migrating the public schema, building the template, dumping its DDL, and one
schema per method. Ratios above 1 mean Gorodok is ahead; the floor ratio (floor/gorodok) is below 1
by construction, and says how close Gorodok comes to it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BENCH_DATABASE = "gorodok_bench_provisioning"
METHODS = ("default", "clone", "floor", "gorodok")
TARGETS = {"default_over_gorodok": 10.0, "gorodok_over_floor": 3.0}


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _prepare_environment() -> tuple[str, str]:
    """Point Django at the throwaway database; return (its URL, a maintenance URL on the same server)."""
    for source_root in ("platform", "tenants", "services", "graphql"):
        sys.path.insert(0, str(ROOT / source_root))
    os.environ.setdefault("GORODOK_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gorodok_platform.settings"
    from gorodok_platform.devdb import resolve_database_url

    base = resolve_database_url(os.environ["GORODOK_ENV"])
    bench = _with_database(base, BENCH_DATABASE)
    os.environ["DATABASE_URL"] = bench
    return bench, _with_database(base, "postgres")


def _recreate_database(maintenance_url: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def _methods():
    from django.db import connection, transaction
    from django_tenants.clone import CloneSchema
    from django_tenants.models import TenantMixin

    from gorodok_tenants import schema_provisioning
    from gorodok_tenants.models import Municipality

    def default(name: str) -> None:
        TenantMixin.create_schema(Municipality(schema_name=name), check_if_exists=True, verbosity=0)

    def clone(name: str) -> None:
        CloneSchema().clone_schema(schema_provisioning.TEMPLATE_SCHEMA, name)

    def floor(name: str) -> None:
        ddl = schema_provisioning.blueprint().ddl(name)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(ddl)

    def gorodok(name: str) -> None:
        Municipality(schema_name=name).create_schema(check_if_exists=True, verbosity=0)

    return {"default": default, "clone": clone, "floor": floor, "gorodok": gorodok}


def _schema_facts(name: str) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s",
            [name],
        )
        relations = cursor.fetchone()[0]
        cursor.execute(f'SELECT count(*) FROM "{name}".django_migrations')
        migrations = cursor.fetchone()[0]
    return relations, migrations


def run(n: int) -> dict:
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    from gorodok_tenants import schema_provisioning

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    started = time.perf_counter()
    schema_provisioning.blueprint()  # builds the template and dumps its DDL: warm-up, not timed
    warmup_seconds = time.perf_counter() - started

    methods = _methods()
    timings: dict[str, list[float]] = {method: [] for method in METHODS}
    for method in METHODS:  # warm-up: first use of each path (clone function, migration loader, caches)
        methods[method](f"bench_warm_{method}")
    for index in range(n):
        for method in METHODS:
            name = f"bench_{method}_{index:03d}"
            started = time.perf_counter()
            methods[method](name)
            timings[method].append((time.perf_counter() - started) * 1000)
            connection.set_schema_to_public()

    facts = {method: _schema_facts(f"bench_{method}_000") for method in METHODS}
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    return {
        "timings": timings,
        "facts": facts,
        "server_version": server_version,
        "warmup_seconds": warmup_seconds,
        "migrations": len(schema_provisioning.expected_migration_records()),
        "tables": len(schema_provisioning.blueprint().tables),
    }


def report(result: dict, *, n: int, quick: bool) -> dict:
    timings = result["timings"]
    mean = {method: statistics.fmean(values) for method, values in timings.items()}
    median = {method: statistics.median(values) for method, values in timings.items()}
    gorodok = mean["gorodok"]
    ratios = {
        "default": round(mean["default"] / gorodok, 2),
        "clone": round(mean["clone"] / gorodok, 2),
        "floor": round(mean["floor"] / gorodok, 2),
    }
    targets_met = {
        "default_over_gorodok_at_least_10": mean["default"] / gorodok >= TARGETS["default_over_gorodok"],
        "gorodok_over_floor_at_most_3": gorodok / mean["floor"] <= TARGETS["gorodok_over_floor"],
    }
    labels = {
        "default": "django-tenants default (create schema + migrate)",
        "clone": "django-tenants clone_schema (PL/pgSQL)",
        "floor": "floor: final DDL only, one transaction",
        "gorodok": "Gorodok: template DDL + seed rows, one round trip",
    }
    print(f"Provisioning one municipality's schema: PostgreSQL {result['server_version']}, "
          f"{result['migrations']} migrations, {result['tables']} tables, {n} schemas per method.")
    print(f"Warm-up not timed: public schema migrated, template built and its DDL dumped "
          f"({result['warmup_seconds'] * 1000:.0f} ms), one schema per method.")
    print()
    print(f"{'method':52s} {'mean ms':>9s} {'median':>9s} {'min':>9s} {'total ms':>10s} {'vs Gorodok':>11s}")
    for method in METHODS:
        values = timings[method]
        print(f"{labels[method]:52s} {mean[method]:9.1f} {median[method]:9.1f} {min(values):9.1f} "
              f"{sum(values):10.0f} {mean[method] / gorodok:10.2f}x")
    print()
    relations, migrations = result["facts"]["gorodok"]
    print(f"Each schema: {relations} relations, {migrations} migration records "
          f"(default path: {result['facts']['default'][0]} / {result['facts']['default'][1]}).")
    print(f"default / Gorodok = {mean['default'] / gorodok:.1f}x (target >= {TARGETS['default_over_gorodok']:.0f}x: "
          f"{'met' if targets_met['default_over_gorodok_at_least_10'] else 'NOT met'}); "
          f"Gorodok / floor = {gorodok / mean['floor']:.2f}x (target <= {TARGETS['gorodok_over_floor']:.0f}x: "
          f"{'met' if targets_met['gorodok_over_floor_at_most_3'] else 'NOT met'}); "
          f"clone / Gorodok = {mean['clone'] / gorodok:.1f}x.")
    summary = {
        "benchmark": "provisioning",
        "params": {
            "n": n, "quick": quick, "postgres": result["server_version"], "migrations": result["migrations"],
            "tables": result["tables"], "statistic": "mean", "warmup_excluded": True, "targets_met": targets_met,
        },
        "figures": {f"{method}_ms_per_tenant": round(mean[method], 2) for method in METHODS},
        "ratios": ratios,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 schemas per method (under a minute)")
    parser.add_argument("--n", type=int, default=None, help="schemas per method (default 20, --quick 5)")
    options = parser.parse_args(argv)
    n = options.n or (5 if options.quick else 20)

    _, maintenance_url = _prepare_environment()
    _recreate_database(maintenance_url)
    try:
        result = run(n)
    finally:
        from django.db import connections

        connections.close_all()
        _recreate_database(maintenance_url, drop_only=True)
    report(result, n=n, quick=options.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
