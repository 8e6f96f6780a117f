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
    gorodok   Municipality.create_schema with the spare pool empty: Gorodok's DDL path (the pool is
              looked at and found empty, then DDL + seed rows + sequences, one round trip)

and then, not interleaved (the pool must be full first):

    pool      Municipality.create_schema with a warm pool: each creation renames a spare schema
              (gorodok_tenants.provisioning.pool). The N spares are built BEFORE the timing starts, and that
              building is not timed: it is the work the pool moves off the request into a background
              job. To keep that cost in view, pool_refill(N) is timed separately afterwards and
              reported per spare. Each timed creation also sends its refill job (to the in-process stub
              broker, which no worker consumes here, so the pool is not refilled during the timing).

Not timed (warm-up): migrating the public schema, building the template, dumping its DDL, one schema
per method, and filling the pool. Ratios above 1 mean Gorodok is ahead; floor/DDL path is below 1 by
construction, floor/warm pool above 1 means a creation is faster than executing the DDL at all. The
targets (default/Gorodok >= 10x, Gorodok/floor <= 3x) are evaluated for the warm pool and reported
for the DDL path too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from throwaway import point_django_at, recreate_database

ROOT = Path(__file__).resolve().parents[2]
BENCH_DATABASE = "gorodok_bench_provisioning"


def _prepare_environment() -> tuple[str, str]:
    return point_django_at(BENCH_DATABASE)


def _recreate_database(maintenance_url: str, *, drop_only: bool = False) -> None:
    recreate_database(maintenance_url, BENCH_DATABASE, drop_only=drop_only)
METHODS = ("default", "clone", "floor", "gorodok")
ALL_METHODS = (*METHODS, "pool")
TARGETS = {"default_over_gorodok": 10.0, "gorodok_over_floor": 3.0}








def _methods():
    from django.db import connection, transaction
    from django_tenants.clone import CloneSchema
    from django_tenants.models import TenantMixin

    from gorodok_tenants.models import Municipality
    from gorodok_tenants.provisioning import schemas as schema_provisioning

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
    from gorodok_tenants.provisioning import pool as schema_pool
    from gorodok_tenants.provisioning import schemas as schema_provisioning

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

    # The warm pool: fill it (not timed), take one spare as warm-up, then time n creations that each
    # take a spare; then time building n spares again (the background cost per creation).
    started = time.perf_counter()
    schema_pool.pool_refill(n + 1)
    fill_seconds = time.perf_counter() - started
    methods["gorodok"]("bench_warm_pool")
    if len(schema_pool.pool_spares()) != n:
        raise RuntimeError("the pool does not hold the spares the timing needs")
    timings["pool"] = []
    for index in range(n):
        name = f"bench_pool_{index:03d}"
        started = time.perf_counter()
        methods["gorodok"](name)
        timings["pool"].append((time.perf_counter() - started) * 1000)
        connection.set_schema_to_public()
    if schema_pool.pool_spares():
        raise RuntimeError("a timed creation did not take a spare")
    started = time.perf_counter()
    refilled = schema_pool.pool_refill(n)
    refill_seconds = time.perf_counter() - started
    if refilled != n:
        raise RuntimeError(f"pool_refill({n}) built {refilled} spares")

    facts = {method: _schema_facts(f"bench_{method}_000") for method in ALL_METHODS}
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    return {
        "timings": timings,
        "facts": facts,
        "server_version": server_version,
        "warmup_seconds": warmup_seconds,
        "pool_fill_seconds": fill_seconds,
        "refill_ms_per_spare": refill_seconds * 1000 / n,
        "migrations": len(schema_provisioning.expected_migration_records()),
        "tables": len(schema_provisioning.blueprint().tables),
    }


def _targets(default: float, gorodok: float, floor: float) -> dict[str, bool]:
    return {
        "default_over_gorodok_at_least_10": default / gorodok >= TARGETS["default_over_gorodok"],
        "gorodok_over_floor_at_most_3": gorodok / floor <= TARGETS["gorodok_over_floor"],
    }


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def report(result: dict, *, n: int, quick: bool) -> dict:
    timings = result["timings"]
    mean = {method: statistics.fmean(values) for method, values in timings.items()}
    median = {method: statistics.median(values) for method, values in timings.items()}
    ddl, pool = mean["gorodok"], mean["pool"]
    ratios = {
        "default_over_warm_pool": round(mean["default"] / pool, 2),
        "default_over_ddl_path": round(mean["default"] / ddl, 2),
        "floor_over_warm_pool": round(mean["floor"] / pool, 2),
        "floor_over_ddl_path": round(mean["floor"] / ddl, 2),
        "clone_over_warm_pool": round(mean["clone"] / pool, 2),
        "clone_over_ddl_path": round(mean["clone"] / ddl, 2),
    }
    targets_pool = _targets(mean["default"], pool, mean["floor"])
    targets_ddl = _targets(mean["default"], ddl, mean["floor"])
    labels = {
        "default": "django-tenants default (create schema + migrate)",
        "clone": "django-tenants clone_schema (PL/pgSQL)",
        "floor": "floor: final DDL only, one transaction",
        "gorodok": "Gorodok, DDL path (pool empty)",
        "pool": "Gorodok, warm pool (rename a spare)",
    }
    print(f"Provisioning one municipality's schema: PostgreSQL {result['server_version']}, "
          f"{result['migrations']} migrations, {result['tables']} tables, {n} schemas per method.")
    print(f"Warm-up not timed: public schema migrated, template built and its DDL dumped "
          f"({result['warmup_seconds'] * 1000:.0f} ms), one schema per method.")
    print(f"Warm pool: {n + 1} spares built BEFORE the timing and NOT timed "
          f"({result['pool_fill_seconds'] * 1000:.0f} ms; one taken as warm-up); each timed creation renames one.")
    print()
    print(f"{'method':52s} {'mean ms':>9s} {'median':>9s} {'min':>9s} {'total ms':>10s} "
          f"{'vs DDL path':>12s} {'vs warm pool':>13s}")
    for method in ALL_METHODS:
        values = timings[method]
        print(f"{labels[method]:52s} {mean[method]:9.1f} {median[method]:9.1f} {min(values):9.1f} "
              f"{sum(values):10.0f} {mean[method] / ddl:11.2f}x {mean[method] / pool:12.2f}x")
    print()
    relations, migrations = result["facts"]["gorodok"]
    print(f"Each schema: {relations} relations, {migrations} migration records "
          f"(default path: {result['facts']['default'][0]} / {result['facts']['default'][1]}; "
          f"warm pool: {result['facts']['pool'][0]} / {result['facts']['pool'][1]}).")
    print(f"Warm pool:  default / pool = {mean['default'] / pool:.1f}x (target >= "
          f"{TARGETS['default_over_gorodok']:.0f}x: {_verdict(targets_pool['default_over_gorodok_at_least_10'])}); "
          f"pool / floor = {pool / mean['floor']:.2f}x (target <= {TARGETS['gorodok_over_floor']:.0f}x: "
          f"{_verdict(targets_pool['gorodok_over_floor_at_most_3'])}); floor / pool = {mean['floor'] / pool:.1f}x.")
    print(f"DDL path:   default / DDL = {mean['default'] / ddl:.1f}x (target >= "
          f"{TARGETS['default_over_gorodok']:.0f}x: {_verdict(targets_ddl['default_over_gorodok_at_least_10'])}); "
          f"DDL / floor = {ddl / mean['floor']:.2f}x (target <= {TARGETS['gorodok_over_floor']:.0f}x: "
          f"{_verdict(targets_ddl['gorodok_over_floor_at_most_3'])}); clone / DDL = {mean['clone'] / ddl:.1f}x.")
    print(f"The pool moves the DDL off the request, it does not remove it: pool_refill({n}), timed after the "
          f"creations, costs {result['refill_ms_per_spare']:.1f} ms per spare in a background job.")
    summary = {
        "benchmark": "provisioning",
        "params": {
            "n": n, "quick": quick, "postgres": result["server_version"], "migrations": result["migrations"],
            "tables": result["tables"], "statistic": "mean", "warmup_excluded": True,
            "pool_fill_excluded": True, "targets_met": targets_pool, "targets_met_measured_on": "warm_pool",
            "targets_met_ddl_path": targets_ddl,
        },
        "figures": {
            "default_ms_per_tenant": round(mean["default"], 2),
            "clone_ms_per_tenant": round(mean["clone"], 2),
            "floor_ms_per_tenant": round(mean["floor"], 2),
            "ddl_path_ms_per_tenant": round(ddl, 2),
            "warm_pool_ms_per_tenant": round(pool, 2),
            "refill_ms_per_spare": round(result["refill_ms_per_spare"], 2),
        },
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
