"""Objects with the most appeals: the selector over 10,000 register objects and 50,000 appeal questions.

    GORODOK_ENV=test python tests/benchmarks/assets_appeals.py [--quick]

Works in a throwaway database (``gorodok_bench_assets_appeals`` on the server DATABASE_URL names; without
DATABASE_URL, the server ``make test`` would use), which it creates, fills and drops. ``measure(quick)``
does the work inside whatever database Django already points at (``assets.py`` calls it in its own), in
a municipality of its own.

Fill, in bulk SQL: one object and one appeal are made through the services as templates; 10,000 objects
and 50,000 appeals (received over the last 400 days) are copied from them with ``INSERT ... SELECT``
over ``generate_series``, so every column, present and future, gets the service's value; each appeal has
one question, three in four of them naming an object (skewed: a few objects collect many), in the
housing and utilities (0005), economy (0003) and social (0002) sections. Then ANALYZE.

Measured: ``assets_by_appeals`` (top 10 over the last year in section 0005 and in every section, and
over the last month in section 0005) — best of N runs, the SQL queries of one call, and EXPLAIN
(ANALYZE) of its query: the plan's nodes and the indexes they use (the period through an index-only
scan of ``appeal_received``; the questions by one sequential scan, cheaper than an index when most of
them are read). Baseline, in the same run: the same figures computed in Python from the linked
questions of the period (one query for the rows, then a Counter). The results must be equal.

Targets: the selector under 200 ms (best of N), one SQL query.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from datetime import timedelta

from throwaway import point_django_at, recreate_database

BENCH_DATABASE = "gorodok_bench_assets_appeals"
SLUG = "benchappeals"
OBJECTS = 10_000
QUESTIONS = 50_000
TARGETS = {"selector_ms": 200.0, "sql_queries": 1}
# What is timed: (label, the period's days back from today, the classifier section).
CASES = (("year_section_0005", 365, "0005"), ("year_all_sections", 365, None), ("month_section_0005", 30, "0005"))
SECTIONS = ("0005.0005.0057.1153", "0005.0005.0055.1141", "0003.0009.0097.0684", "0002.0004.0041.0242")


def _columns(model, overrides: dict[str, str]) -> tuple[str, str]:
    """The INSERT's column list and the SELECT's expressions: every concrete column but the key, taken
    from the template row ``t`` unless ``overrides`` gives an SQL expression for it."""
    names, expressions = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(f'"{field.column}"')
        expressions.append(overrides.get(field.column, f't."{field.column}"'))
    return ", ".join(names), ", ".join(expressions)


def _fill(schema: str) -> tuple[int, int, int]:
    from datetime import date
    from decimal import Decimal

    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from gorodok_services.appeals.models import Appeal, Question
    from gorodok_services.appeals.services import AppealIntake, QuestionInput, appeal_receive
    from gorodok_services.assets import services as asset_services
    from gorodok_services.assets.models import Asset
    from gorodok_services.core.identifiers import inn_complete

    with schema_context(schema), transaction.atomic():
        holder = asset_services.holder_create(values={"kind": "treasury", "name": "Муниципальная казна",
                                                      "inn": inn_complete("190100002")})
        template = asset_services.asset_create(values={
            "kind": "building", "name": "Жилой дом", "address": "Республика Хакасия, ул. Ленина, 1",
            "right_type": "ownership", "holder": holder, "balance_value": Decimal("1000000.00"),
            "included_on": date(2015, 3, 12), "latitude": Decimal("53.719000"), "longitude": Decimal("91.429000")})
        appeal, _ = appeal_receive(data=AppealIntake(
            channel="feedback_platform", subject="Нет отопления", text="В доме холодно.",
            applicant_name="Иванов Иван Иванович", questions=[QuestionInput(SECTIONS[0], asset_id=template.pk)]))
        with connection.cursor() as cursor:
            names, values = _columns(Asset, {
                "register_number": "'1.' || lpad(g::text, 6, '0')",
                "name": "'Жилой дом № ' || g",
                "address": "'Республика Хакасия, ул. Ленина, ' || g",
                "latitude": "53.7 + mod(g, 100) * 0.001", "longitude": "91.4 + (g / 100) * 0.001",
            })
            cursor.execute("DELETE FROM assets_asset WHERE id <> %s", [template.pk])
            cursor.execute(f'INSERT INTO assets_asset ({names}) SELECT {values} FROM assets_asset t, '
                           f"generate_series(2, %s) g WHERE t.id = %s", [OBJECTS, template.pk])
            names, values = _columns(Appeal, {
                "public_id": "md5(random()::text || g)::uuid",
                "registration_number": "'Б-' || g", "external_number": "NULL", "idempotency_key": "NULL",
                "received_at": "now() - mod(g, 400) * interval '1 day' - mod(g, 24) * interval '1 hour'",
            })
            cursor.execute(f'INSERT INTO appeals_appeal ({names}) SELECT {values} FROM appeals_appeal t, '
                           f"generate_series(2, %s) g WHERE t.id = %s", [QUESTIONS, appeal.pk])
            # One question an appeal; three in four name an object, skewed (the square of a uniform draw)
            # towards the first objects, so that some collect hundreds of appeals and most a few.
            asset_ids = "(SELECT array_agg(id ORDER BY id) FROM assets_asset)"
            codes = "ARRAY[" + ", ".join(f"'{code}'" for code in SECTIONS) + "]"
            names, values = _columns(Question, {
                "appeal_id": "a.id", "position": "1",
                "classifier_code": f"({codes})[1 + mod(a.id, {len(SECTIONS)})]",
                "asset_id": f"CASE WHEN mod(a.id, 4) = 0 THEN NULL ELSE ({asset_ids})"
                            f"[1 + floor(power(random(), 2) * {OBJECTS})::int] END",
            })
            cursor.execute(f"INSERT INTO appeals_question ({names}) SELECT {values} FROM appeals_question t, "
                           "appeals_appeal a WHERE t.appeal_id = %s AND a.id <> %s", [appeal.pk, appeal.pk])
        counts = (Asset.objects.count(), Question.objects.count(), Question.objects.filter(asset__isnull=False).count())
    with schema_context(schema), connection.cursor() as cursor:
        for table in ("assets_asset", "appeals_appeal", "appeals_question"):  # as autovacuum would
            cursor.execute(f"VACUUM ANALYZE {table}")
    if counts[0] != OBJECTS or counts[1] != QUESTIONS:
        raise RuntimeError(f"filled {counts}, wanted {OBJECTS} objects and {QUESTIONS} questions")
    return counts


def _naive(start, end, section):
    """The baseline: the linked questions of the period as rows, counted in Python."""
    from gorodok_services.appeals.models import Question
    from gorodok_services.assets.models import Asset

    questions = Question.objects.filter(asset__isnull=False, appeal__received_at__gte=start,
                                        appeal__received_at__lt=end)
    if section:
        questions = questions.filter(classifier_code__startswith=section)
    per_question, per_appeal = Counter(), {}
    for asset_id, appeal_id in questions.values_list("asset_id", "appeal_id").iterator(chunk_size=5000):
        per_question[asset_id] += 1
        per_appeal.setdefault(asset_id, set()).add(appeal_id)
    numbers = dict(Asset.objects.filter(pk__in=list(per_question)).values_list("pk", "register_number"))
    top = sorted(per_question, key=lambda pk: (-per_question[pk], numbers[pk]))[:10]
    return [(numbers[pk], per_question[pk], len(per_appeal[pk])) for pk in top]


def _best_ms(times: int, work) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        work()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def _plan_summary(plan: dict) -> tuple[list[str], set[str]]:
    """The plan's nodes, one line each (indented), and the indexes it scans."""
    lines, indexes = [], set()

    def walk(node: dict, depth: int) -> None:
        label = node["Node Type"]
        if node.get("Index Name"):
            label += f" using {node['Index Name']}"
            indexes.add(node["Index Name"])
        if node.get("Relation Name"):
            label += f" on {node['Relation Name']}"
        label += f" (rows {node.get('Actual Rows')}, {node.get('Actual Total Time', 0):.1f} ms)"
        lines.append("  " * depth + label)
        for child in node.get("Plans", ()):
            walk(child, depth + 1)

    walk(plan["Plan"], 0)
    return lines, indexes


def measure(quick: bool) -> dict:
    """Fill a municipality of its own in the database Django points at, measure, and return the figures
    (``{"figures": ..., "ratios": ..., "targets_met": ..., "plan": [...], "indexes": [...]}``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from gorodok_services.appeals.deadlines import tenant_timezone
    from gorodok_services.appeals.selectors import assets_by_appeals, assets_by_appeals_sql
    from gorodok_services.appeals.statistics import period_bounds
    from gorodok_tenants.provisioning.municipalities import MunicipalitySpec, municipality_create

    municipality = municipality_create(
        spec=MunicipalitySpec(name="Бенчмарк обращений", name_en="Benchmark appeals", slug=SLUG, oktmo="95000097"))
    started = time.perf_counter()
    objects, questions, linked = _fill(municipality.schema_name)
    fill_seconds = time.perf_counter() - started
    runs = 5 if quick else 20
    results = {}
    with schema_context(municipality.schema_name):
        connection.tenant = municipality
        today = timezone.localdate()
        for label, days, section in CASES:
            date_from, date_to = today - timedelta(days=days), today
            start, end = period_bounds(date_from, date_to, tenant_timezone())

            def selector(section=section, date_from=date_from, date_to=date_to):
                return assets_by_appeals(date_from=date_from, date_to=date_to, section=section, limit=10)

            with CaptureQueriesContext(connection) as captured:
                rows = selector()
            statements = [q["sql"] for q in captured if not q["sql"].startswith("SET ")]
            gorodok_ms = _best_ms(runs, selector)
            naive_ms = _best_ms(max(2, runs // 4),
                                lambda section=section, start=start, end=end: _naive(start, end, section))
            same = [(r.register_number, r.questions, r.appeals) for r in rows] == _naive(start, end, section)
            sql, params = assets_by_appeals_sql(start, end, section, 10)
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
            lines, indexes = _plan_summary(plan[0])
            results[label] = {"ms": gorodok_ms, "naive_ms": naive_ms, "queries": len(statements), "same": same,
                              "top": rows[0], "plan": lines, "indexes": sorted(indexes),
                              "execution_ms": plan[0].get("Execution Time")}
    figures = {"fill_seconds": round(fill_seconds, 2), "objects": objects, "questions": questions,
               "linked_questions": linked}
    ratios, met = {}, {}
    for label, result in results.items():
        figures[f"selector_{label}_ms"] = round(result["ms"], 2)
        figures[f"naive_{label}_ms"] = round(result["naive_ms"], 2)
        figures[f"selector_{label}_sql_queries_count"] = result["queries"]
        figures[f"selector_{label}_explain_execution_ms"] = result["execution_ms"]
        ratios[f"selector_{label}_over_naive_speed"] = round(result["naive_ms"] / result["ms"], 2)
        met[f"{label}_under_200_ms"] = result["ms"] < TARGETS["selector_ms"]
        met[f"{label}_one_query"] = result["queries"] == TARGETS["sql_queries"]
        met[f"{label}_same_as_naive"] = result["same"]
    return {"figures": figures, "ratios": ratios, "targets_met": met, "runs": runs, "results": results}


def report(result: dict) -> None:
    figures = result["figures"]
    print(f"{figures['objects']} register objects, {figures['questions']} appeal questions "
          f"({figures['linked_questions']} naming an object), filled in {figures['fill_seconds']:.1f} s; "
          f"best of {result['runs']} runs.")
    print()
    print(f"{'top 10':34s} {'selector ms':>12s} {'queries':>8s} {'naive ms':>9s} "
          f"{'same':>5s} {'target < 200 ms':>16s}")
    for label, data in result["results"].items():
        verdict = "met" if data["ms"] < TARGETS["selector_ms"] and data["queries"] == 1 else "NOT met"
        print(f"{label:34s} {data['ms']:12.1f} {data['queries']:8d} {data['naive_ms']:9.1f} "
              f"{'yes' if data['same'] else 'NO':>5s} {verdict:>16s}")
    for label, data in result["results"].items():
        top = data["top"]
        print()
        print(f"{label}: first {top.register_number} ({top.questions} questions, {top.appeals} appeals); "
              f"EXPLAIN ANALYZE {data['execution_ms']:.1f} ms, indexes used: {', '.join(data['indexes']) or 'none'}")
        for line in data["plan"]:
            print("  " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer timed runs")
    options = parser.parse_args(argv)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _, maintenance_url = point_django_at(BENCH_DATABASE)
    recreate_database(maintenance_url, BENCH_DATABASE)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        version = connection.cursor().connection.info.server_version
        result = measure(options.quick)
    finally:
        from django.db import connections

        connections.close_all()
        recreate_database(maintenance_url, BENCH_DATABASE, drop_only=True)
    print(f"Objects with the most appeals, PostgreSQL {version}, {os.cpu_count()} CPUs.")
    report(result)
    summary = {
        "benchmark": "assets_appeals",
        "params": {"quick": options.quick, "objects": OBJECTS, "questions": QUESTIONS, "runs": result["runs"],
                   "cpus": os.cpu_count(), "postgres": version, "targets": TARGETS,
                   "targets_met": result["targets_met"],
                   "indexes": {label: data["indexes"] for label, data in result["results"].items()}},
        "figures": result["figures"],
        "ratios": result["ratios"],
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if all(result["targets_met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
