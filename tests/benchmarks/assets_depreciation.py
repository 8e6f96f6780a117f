"""Depreciation: the net book value of every object of a municipality for a month, in one SQL query,
against a per-object Python loop over the same rows computing the same thing.

    GORODOK_ENV=test python tests/benchmarks/assets_depreciation.py [--quick]

Works in a throwaway database (``gorodok_bench_depreciation`` on the server DATABASE_URL names; without
DATABASE_URL, the server ``make test`` would use), which it creates, fills and drops: one municipality
with one right holder and 10,000 objects (2,000 with --quick) of four kinds with their kinds' defaults
(linear for buildings and structures, reducing balance for vehicles and equipment) and, for every third
object, its own terms (commissioning date, method, useful life, coefficient).

Gorodok: ``net_book_values(month)`` — one query computes (object, month, depreciation, net book value)
for every object. Two per-object Python loops over the same rows compute the same figures with
``calculation.month_figures`` (the rule the SQL implements):

- the per-object loop: for each object (read with the ORM), its own terms and its kind's default are
  read as a model method would read them (``asset.depreciation_profile``, the default of its kind), then
  its figures computed — the loop the issue's target names;
- the best loop: the objects with their own terms in one query (``select_related``) and the defaults in
  one more, then the same computation per object — only the Python work per object is left.

All three run on the same rows for the same month, in rotation: the bulk query and the best loop best
of 5 (3 with --quick), the per-object loop (tens of thousands of queries, seconds a run) best of 2 (1);
the benchmark checks that the three results are identical, row for row.

Target: the bulk query at least 20x faster than the per-object loop (the ratio to the best loop is
printed beside it). ``measure(quick)`` runs the measurement in the database Django is set up for
(``tests/benchmarks/assets.py`` can call it) and returns the summary.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from throwaway import point_django_at, recreate_database

BENCH_DATABASE = "gorodok_bench_depreciation"
SLUG = "benchdepreciation"
OBJECTS = 10_000
QUICK_OBJECTS = 2_000
ROUNDS = 5
MONTH = date(2025, 6, 1)
TARGETS = {"bulk_over_loop_speed": 20.0}
KINDS = {"building": ("linear", 600, "1.00"), "structure": ("linear", 360, "1.00"),
         "vehicle": ("reducing_balance", 84, "2.00"), "equipment": ("reducing_balance", 60, "1.50")}


def _fill(objects: int):
    from django.db import transaction
    from django_tenants.utils import schema_context

    from gorodok_services.assets import services
    from gorodok_services.assets.depreciation import services as depreciation
    from gorodok_services.assets.depreciation.models import DepreciationProfile
    from gorodok_services.assets.models import KIND_SECTIONS, Asset
    from gorodok_services.core.identifiers import inn_complete
    from gorodok_tenants.provisioning.municipalities import MunicipalitySpec, municipality_create

    municipality = municipality_create(
        spec=MunicipalitySpec(name="Бенчмарк амортизации", name_en="Depreciation benchmark", slug=SLUG,
                              oktmo="95000097"))
    generator = random.Random(2026)
    with schema_context(municipality.schema_name), transaction.atomic():
        holder = services.holder_create(values={"kind": "treasury", "name": "Муниципальная казна",
                                                "inn": inn_complete("190100002")})
        for kind, (method, life, coefficient) in KINDS.items():
            depreciation.depreciation_default_set(kind=kind, method=method, useful_life_months=life,
                                                  coefficient=Decimal(coefficient))
        kinds = list(KINDS)
        assets = []
        for n in range(objects):
            kind = kinds[n % len(kinds)]
            balance = Decimal(generator.randint(10_000_00, 90_000_000_00)) / 100
            assets.append(Asset(register_number=f"B.{n:06d}", section=KIND_SECTIONS[kind], kind=kind,
                                name=f"Объект № {n}", right_type="ownership", holder=holder, balance_value=balance,
                                residual_value=balance,
                                included_on=date(2000, 1, 1) + timedelta(days=generator.randint(0, 9300))))
        Asset.objects.bulk_create(assets, batch_size=2000)
        profiles = []
        for asset in assets[::3]:
            method = generator.choice(["linear", "reducing_balance"])
            profiles.append(DepreciationProfile(
                asset=asset, commissioned_on=asset.included_on - timedelta(days=generator.randint(0, 200)),
                method=method, useful_life_months=generator.randint(12, 240),
                coefficient=Decimal(generator.randint(100, 300)) / 100))
        DepreciationProfile.objects.bulk_create(profiles, batch_size=2000)
    return municipality


def _bulk(month: date):
    from gorodok_services.assets.depreciation.selectors import net_book_values

    return net_book_values(month)


def _loop(month: date):
    """The best loop: the objects with their own terms in one query, then the rule object by object."""
    from gorodok_services.assets.depreciation.models import CategoryDefault
    from gorodok_services.assets.models import Asset

    defaults = {row.kind: row for row in CategoryDefault.objects.all()}
    return _compute(month, Asset.objects.select_related("depreciation_profile").order_by("pk"), defaults.get)


def _per_object(month: date):
    """The per-object loop: each object's terms read for that object, then the rule."""
    from gorodok_services.assets.depreciation.models import CategoryDefault
    from gorodok_services.assets.models import Asset

    return _compute(month, Asset.objects.order_by("pk"),
                    lambda kind: CategoryDefault.objects.filter(kind=kind).first())


def _compute(month: date, assets, default_of):
    from django.core.exceptions import ObjectDoesNotExist

    from gorodok_services.assets.depreciation.calculation import Terms, month_figures, month_index
    from gorodok_services.assets.depreciation.selectors import MonthFigure

    figures = []
    for asset in assets:
        try:
            profile = asset.depreciation_profile
        except ObjectDoesNotExist:
            profile = None
        default = default_of(asset.kind)
        method = (profile.method if profile and profile.method else None) or (default.method if default else None)
        life = (profile.useful_life_months if profile else None) or (default.useful_life_months if default else None)
        if method is None or life is None:
            continue
        coefficient = (profile.coefficient if profile else None) or (default.coefficient if default else None)
        commissioned = (profile.commissioned_on if profile else None) or asset.included_on
        if month_index(commissioned) > month_index(month):
            continue
        if asset.removed_on is not None and asset.removed_on < month:
            continue
        depreciation, value = month_figures(Terms(asset.balance_value, method, life, coefficient, commissioned), month)
        figures.append(MonthFigure(asset.pk, month, depreciation, value))
    return figures


def _rotated_best(times: int, *works, slow_times: dict[int, int] | None = None):
    """The best time of each of ``works`` over ``times`` rounds (``slow_times[i]`` for work i), the order
    rotating each round so that a change in the machine's load hits all alike; and a result of each."""
    best, results = [float("inf")] * len(works), [None] * len(works)
    slow_times = slow_times or {}
    for round_ in range(times):
        for step in range(len(works)):
            index = (round_ + step) % len(works)
            if round_ >= slow_times.get(index, times):
                continue
            start = time.perf_counter()
            results[index] = works[index]()
            best[index] = min(best[index], time.perf_counter() - start)
    return best, results


def measure(quick: bool) -> dict:
    """Fill a municipality in the database Django is set up for, measure, and return the summary."""
    from django.db import connection
    from django_tenants.utils import schema_context

    objects = QUICK_OBJECTS if quick else OBJECTS
    rounds = 3 if quick else ROUNDS
    municipality = _fill(objects)
    with schema_context(municipality.schema_name):
        (bulk_seconds, per_object_seconds, loop_seconds), (bulk_rows, per_object_rows, loop_rows) = _rotated_best(
            rounds, lambda: _bulk(MONTH), lambda: _per_object(MONTH), lambda: _loop(MONTH),
            slow_times={1: 1 if quick else 2})
        version = connection.cursor().connection.info.server_version
    identical = bulk_rows == loop_rows == per_object_rows
    mismatches = [(a, b) for a, b in zip(bulk_rows, loop_rows, strict=False) if a != b][:3]
    ratio = per_object_seconds / bulk_seconds
    best_ratio = loop_seconds / bulk_seconds
    targets = {"bulk_at_least_20x_per_object_loop": ratio >= TARGETS["bulk_over_loop_speed"],
               "results_identical": identical}
    return {
        "benchmark": "assets_depreciation",
        "params": {"quick": quick, "objects": objects, "rows": len(bulk_rows), "month": str(MONTH), "rounds": rounds,
                   "cpus": os.cpu_count(), "postgres": version, "targets": TARGETS, "targets_met": targets,
                   "mismatches": [[str(a), str(b)] for a, b in mismatches]},
        "figures": {"bulk_sql_seconds": round(bulk_seconds, 4),
                    "per_object_loop_seconds": round(per_object_seconds, 4),
                    "best_loop_seconds": round(loop_seconds, 4),
                    "bulk_sql_objects_per_second": round(len(bulk_rows) / bulk_seconds, 1),
                    "per_object_loop_objects_per_second": round(len(per_object_rows) / per_object_seconds, 1),
                    "best_loop_objects_per_second": round(len(loop_rows) / loop_seconds, 1)},
        "ratios": {"bulk_over_per_object_loop_speed": round(ratio, 2),
                   "bulk_over_best_loop_speed": round(best_ratio, 2)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_OBJECTS} objects, 3 rounds")
    options = parser.parse_args(argv)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _, maintenance_url = point_django_at(BENCH_DATABASE)
    recreate_database(maintenance_url, BENCH_DATABASE)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        summary = measure(options.quick)
    finally:
        from django.db import connections

        connections.close_all()
        recreate_database(maintenance_url, BENCH_DATABASE, drop_only=True)
    params, figures = summary["params"], summary["figures"]
    met = params["targets_met"]
    print(f"Depreciation, PostgreSQL {params['postgres']}, {params['cpus']} CPUs; {params['objects']} objects, "
          f"month {params['month']}, best of {params['rounds']}.")
    print()
    print(f"{'measure':52s} {'rows':>7s} {'seconds':>9s} {'objects/s':>10s}")
    print(f"{'net book value, one bulk SQL query':52s} {params['rows']:7d} {figures['bulk_sql_seconds']:9.4f} "
          f"{figures['bulk_sql_objects_per_second']:10.0f}")
    print(f"{'per-object loop (terms read per object)':52s} {params['rows']:7d} "
          f"{figures['per_object_loop_seconds']:9.4f} {figures['per_object_loop_objects_per_second']:10.0f}")
    print(f"{'best loop (rows read in one query, computed per object)':52s} {params['rows']:7d} "
          f"{figures['best_loop_seconds']:9.4f} {figures['best_loop_objects_per_second']:10.0f}")
    print()
    print(f"Bulk / per-object loop speed = {summary['ratios']['bulk_over_per_object_loop_speed']:.1f}x (target >= 20: "
          f"{'met' if met['bulk_at_least_20x_per_object_loop'] else 'NOT met'}); bulk / best loop = "
          f"{summary['ratios']['bulk_over_best_loop_speed']:.1f}x; results identical: "
          f"{'yes' if met['results_identical'] else 'NO ' + str(params['mismatches'])}.")
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if met["results_identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
