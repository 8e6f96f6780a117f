"""Region-wide report figures from the public copies against visiting every municipality's schema,
the standing indicators' refresh, and the campaign's XLSX export.

    GORODOK_ENV=test python tests/benchmarks/reporting.py [--quick] [--municipalities N] [--repeat R]

Works in a throwaway database (``gorodok_bench_reporting`` on the server DATABASE_URL names), which it
creates, fills and drops: N municipalities (1,000; ``--quick`` 100) with real schemas (the tenant
schema's DDL, as provisioning lays it), a campaign with a template of 40 fields (30 numbers: money,
integers, percentages; 5 choices; 5 texts) that every municipality has submitted: the submission in its
schema and the copy in the public schema, as the services keep them; then ANALYZE, so that PostgreSQL
plans with the statistics autovacuum would have gathered by then.

Measured after one warm-up each, medians reported; the cold page, the cold query and the naive baseline
are interleaved over R rounds (five pages, five queries and one baseline a round), so that a machine
slower for a while slows the three alike and their ratios hold; the rest R times in a row:
- comparison page: the console page of the campaign (the first page of 100 municipalities side by side
  and the aggregates over all of them, as HTML) fetched with Django's test client by a signed-in
  regional administrator;
- aggregates query: the regional GraphQL API, ``reportCampaign { aggregates {...} }``, by a regional
  API client with ``reports:read`` for every municipality;
each cold (Django's cache emptied before every request; the figures kept in the public schema as the
job after the last submission left them) and behind (the kept figures one revision behind, as right
after a submission before its job ran: the request computes them from the copies and keeps them);
and the job itself (compute and keep the figures after a change);
- the naive baseline, same run: the same figures computed by visiting every schema (switch schema,
  read the municipality's submission, then the same arithmetic);
- the indicators refresh: ``indicators_refresh`` in every municipality (as the periodic task runs it),
  the wall time and the database time (summed over every query), and the queries one municipality's
  refresh costs with no appeals and with the appeals module's demo data;
- the campaign as XLSX (openpyxl write-only, to a temporary file the console streams).

Targets: each page/query under 300 ms and at least 50× faster than the naive baseline; the XLSX of
1,000 × 40 under 5 s; the refresh's queries per municipality the same whatever its data.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway import point_django_at, recreate_database

BENCH_DATABASE = "gorodok_bench_reporting"
TARGETS = {"page_ms": 300, "speedup": 50, "xlsx_s": 5}


def _definition() -> dict:
    fields = []
    for n in range(30):
        kind = ("money", "integer", "percent")[n % 3]
        field = {"code": f"n{n:02d}", "type": kind, "label": f"Показатель {n + 1}", "required": True}
        if kind == "money":
            field["unit"] = "thousand_rub"
        fields.append(field)
    for n in range(5):
        fields.append({"code": f"c{n}", "type": "choice", "label": f"Выбор {n + 1}",
                       "choices": [{"value": v, "label": v.upper()} for v in ("a", "b", "c", "d")]})
    for n in range(5):
        fields.append({"code": f"t{n}", "type": "text", "label": f"Текст {n + 1}"})
    return {"sections": [{"title": "Раздел", "fields": fields}], "rules": []}


def _values(rng: random.Random) -> dict:
    values = {}
    for n in range(30):
        kind = n % 3
        values[f"n{n:02d}"] = (f"{rng.randint(0, 99999)}.{rng.randint(0, 99999):05d}", str(rng.randint(0, 5000)),
                               f"{rng.randint(0, 99)}.{rng.randint(0, 99):02d}")[kind]
    for n in range(5):
        values[f"c{n}"] = rng.choice("abcd")
        values[f"t{n}"] = f"ответ {rng.randint(0, 10**6)}"
    return values


def _interleaved(functions: dict, rounds: int, per_round: dict, before: dict) -> dict[str, tuple[float, object]]:
    """Each function timed in every round, one after the other (after one warm-up each); the median
    of each over all rounds. A machine slower for a while slows every one of them alike, so their
    ratios hold even when the absolute times drift."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    results = {name: function() for name, function in functions.items()}  # warm-up
    for _ in range(rounds):
        for name, function in functions.items():
            for _ in range(per_round.get(name, 1)):
                if before.get(name) is not None:
                    before[name]()
                started = time.perf_counter()
                results[name] = function()
                times[name].append((time.perf_counter() - started) * 1000)
    return {name: (statistics.median(times[name]), results[name]) for name in functions}


def _timed(function, repeat: int, before=None) -> tuple[float, object]:
    function()  # warm-up
    times = []
    result = None
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def _fill(n: int):
    """N municipalities with schemas, the 40-field campaign and every submission (both copies)."""
    import django
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from gorodok_services.reporting import services
    from gorodok_services.reporting.models import Campaign, SubmissionCopy
    from gorodok_services.reporting.submissions.models import Submission
    from gorodok_tenants.models import Municipality
    from gorodok_tenants.provisioning import schemas as schema_provisioning

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    existing = Campaign.objects.filter(title="Сорок полей").select_related("version").first()
    if existing is not None and Municipality.objects.count() == n:  # --keep: the database of an earlier run
        return list(Municipality.objects.order_by("pk")), existing
    rng = random.Random(14)
    municipalities = Municipality.objects.bulk_create([
        Municipality(name=f"Муниципалитет {i:04d}", name_en=f"M {i:04d}", slug=f"m-{i:04d}", oktmo=f"95{i:06d}",
                     kind=("urban_okrug", "municipal_district", "rural_settlement")[i % 3], schema_name=f"m_{i:04d}")
        for i in range(n)])
    for m in municipalities:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(schema_provisioning.blueprint().ddl(m.schema_name))
    version = services.template_version_publish(
        version=services.template_create(code="bench", title="Сорок полей", definition=_definition()))
    campaign = services.campaign_open(campaign=services.campaign_create(
        version=version, title="Сорок полей", period_start=django.utils.timezone.localdate().replace(month=1, day=1),
        period_end=django.utils.timezone.localdate(), deadline=django.utils.timezone.localdate()))
    now = django.utils.timezone.now()
    copies = {c.municipality_id: c for c in SubmissionCopy.objects.filter(campaign=campaign)}
    for m in municipalities:
        values = _values(rng)
        with schema_context(m.schema_name):
            Submission.objects.create(campaign_id=campaign.pk, status="submitted", values=values, submitted_at=now)
        copies[m.pk].values, copies[m.pk].status, copies[m.pk].submitted_at = values, "submitted", now
    SubmissionCopy.objects.bulk_update(copies.values(), ["values", "status", "submitted_at"], batch_size=500)
    connection.set_schema_to_public()
    # The planner's statistics, as autovacuum keeps them on a running server (a server may run with it
    # off, and a database filled a minute ago has none yet): every schema's tables, the naive
    # baseline's as well as the public ones.
    # Table by table, each in its own transaction (one would hold a lock per table of every schema), and
    # without the requests' statement timeout: a thousand schemas take longer than a request may.
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("ANALYZE")
        cursor.execute("RESET statement_timeout")
    return municipalities, campaign


def _print_profile(kind: str, function, before) -> None:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    for _ in range(10):
        if before is not None:
            before()
        profiler.enable()
        function()
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)
    print(f"--- profile of {kind}, 10 requests ---")
    print(out.getvalue())


def run(n: int, repeat: int, profile: list[str], only_figures: bool) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context, tenant_context

    from gorodok_platform.accounts.models import User
    from gorodok_platform.accounts.roles import Role
    from gorodok_platform.accounts.services import staff_user_create
    from gorodok_platform.integrations.services import api_client_create
    from gorodok_services.reporting.figures import aggregate, campaign_aggregates
    from gorodok_services.reporting.indicators import indicators_refresh
    from gorodok_services.reporting.submissions.models import Submission

    started = time.perf_counter()
    municipalities, campaign = _fill(n)
    version = campaign.version
    setup_seconds = time.perf_counter() - started

    admin = User.objects.filter(email="bench-admin@example.ru").first() or staff_user_create(
        email="bench-admin@example.ru", password="bench-password-42-xyz", roles=[Role.REGIONAL_ADMIN])
    _client, token = api_client_create(name=f"bench {time.time_ns()}", scopes=["reports:read"],
                                       municipalities=[m.schema_name for m in municipalities])
    browser = Client()
    browser.force_login(admin)
    host = settings.REGION_DOMAIN

    def page():
        response = browser.get(f"/admin/reporting/campaign/{campaign.pk}/figures/", HTTP_HOST=host)
        assert response.status_code == 200, response.status_code
        return response.content

    query = ('query ($id: ID!) { reportCampaign(id: $id) { aggregates { code overall { count sum mean median min '
             'max } byKind { kind count sum mean median min max } choices { value count } } } }')
    from graphql_relay import to_global_id

    api = Client()

    def aggregates_query():
        response = api.post("/graphql/", data=json.dumps({"query": query, "variables": {
            "id": to_global_id("ReportCampaign", campaign.pk)}}), content_type="application/json",
            HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {token}")
        body = response.json()
        assert "errors" not in body, body
        return body["data"]["reportCampaign"]["aggregates"]

    def naive():
        """Visit every schema, read its submission, then the same arithmetic."""
        rows = []
        for m in municipalities:
            with schema_context(m.schema_name):
                submission = Submission.objects.filter(campaign_id=campaign.pk).first()
            rows.append((m.name, m.kind, submission.values))
        connection.set_schema_to_public()
        from decimal import Decimal

        result = {}
        for f in version.parsed.fields:
            if f.numeric:
                overall = [Decimal(v[f.code]) for _n, _k, v in rows if v.get(f.code) is not None]
                kinds = {}
                for _n, kind, v in rows:
                    kinds.setdefault(kind, []).append(Decimal(v[f.code]))
                result[f.code] = (aggregate(overall), {k: aggregate(x) for k, x in kinds.items()})
        return result

    from django.core.cache import cache

    from gorodok_services.reporting.figures import campaign_figures_warm, figures_revision_move

    def behind():
        """As right after a submission, before its job ran: the kept figures one revision behind."""
        figures_revision_move(campaign.pk)
        cache.clear()

    # Cold: Django's cache emptied before every request; the figures kept in the public schema as the
    # job after the last submission left them.
    # The page, the query and the naive baseline interleaved, round after round (the baseline takes
    # about a second a round, the page and the query a few milliseconds each: five of each a round).
    timed = _interleaved({"page": page, "query": aggregates_query, "naive": naive}, rounds=max(3, repeat),
                         per_round={"page": 5, "query": 5}, before={"page": cache.clear, "query": cache.clear})
    (page_ms, html), (api_ms, api_result), (naive_ms, naive_result) = timed["page"], timed["query"], timed["naive"]
    # Behind: a submission changed the copies and its job has not run; the request computes the figures
    # from the copies and keeps them.
    page_behind_ms, _html = _timed(page, repeat, before=behind)
    api_behind_ms, _result = _timed(aggregates_query, repeat, before=behind)
    job_ms, _none = _timed(lambda: campaign_figures_warm(campaign.pk), repeat, before=behind)
    # The same figures both ways.
    fast = {f.field.code: f.overall for f in campaign_aggregates(campaign)}
    assert all(fast[code].sum == value[0].sum and fast[code].median == value[0].median
               for code, value in naive_result.items())
    assert len(api_result) == 35 and str(municipalities[0].name).encode() in html

    for kind in profile:
        _print_profile(kind, {"page": page, "query": aggregates_query}[kind.removesuffix("_behind")],
                       behind if kind.endswith("_behind") else cache.clear)
    if only_figures:
        return {"page_ms": page_ms, "api_ms": api_ms, "page_behind_ms": page_behind_ms,
                "api_behind_ms": api_behind_ms, "job_ms": job_ms, "naive_ms": naive_ms, "setup_s": setup_seconds}

    from gorodok_services.reporting.exports import campaign_xlsx

    def xlsx():
        handle = campaign_xlsx(campaign)
        size = handle.seek(0, 2)
        handle.close()
        return size

    xlsx_ms, xlsx_bytes = _timed(xlsx, 1)

    # The indicators' refresh in every municipality, as the periodic task runs it.
    database = {"seconds": 0.0, "queries": 0}

    def timed_execute(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            database["seconds"] += time.perf_counter() - began
            database["queries"] += 1

    started = time.perf_counter()
    with connection.execute_wrapper(timed_execute):
        for m in municipalities:
            with tenant_context(m):
                indicators_refresh()
    refresh_seconds = time.perf_counter() - started
    connection.set_schema_to_public()

    from django.test.utils import CaptureQueriesContext

    from gorodok_services.appeals.demo import seed_demo_appeals

    def refresh_queries(m) -> int:
        with tenant_context(m), CaptureQueriesContext(connection) as captured:
            indicators_refresh()
        connection.set_schema_to_public()
        # Schema switches depend on where the connection was left, not on the data: not counted.
        return len([q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")])

    empty_queries = refresh_queries(municipalities[1])
    with tenant_context(municipalities[0]):
        demo_appeals = seed_demo_appeals()
    connection.set_schema_to_public()
    busy_queries = refresh_queries(municipalities[0])
    return {"page_ms": page_ms, "api_ms": api_ms, "page_behind_ms": page_behind_ms, "api_behind_ms": api_behind_ms,
            "job_ms": job_ms,
            "naive_ms": naive_ms, "xlsx_ms": xlsx_ms, "xlsx_bytes": xlsx_bytes,
            "refresh_s": refresh_seconds, "refresh_db_s": database["seconds"], "refresh_queries": database["queries"],
            "empty_queries": empty_queries, "busy_queries": busy_queries, "demo_appeals": demo_appeals,
            "setup_s": setup_seconds}


def report(r: dict, *, n: int, repeat: int, quick: bool) -> dict:
    page_speedup = r["naive_ms"] / r["page_ms"]
    api_speedup = r["naive_ms"] / r["api_ms"]
    rows = [
        ("comparison page (console, HTML), cold", f"{r['page_ms']:.1f} ms", f"{page_speedup:.1f}x vs naive"),
        ("aggregates query (regional GraphQL), cold", f"{r['api_ms']:.1f} ms", f"{api_speedup:.1f}x vs naive"),
        ("comparison page, figures behind", f"{r['page_behind_ms']:.1f} ms",
         f"{r['naive_ms'] / r['page_behind_ms']:.1f}x vs naive"),
        ("aggregates query, figures behind", f"{r['api_behind_ms']:.1f} ms",
         f"{r['naive_ms'] / r['api_behind_ms']:.1f}x vs naive"),
        ("the job after a submission (compute, keep)", f"{r['job_ms']:.1f} ms", ""),
        ("naive: visit every schema", f"{r['naive_ms']:.1f} ms", ""),
        (f"campaign XLSX ({n} x 40)", f"{r['xlsx_ms']:.0f} ms", f"{r['xlsx_bytes'] / 1024:.0f} KiB"),
        (f"indicators refresh, {n} municipalities", f"{r['refresh_s']:.2f} s wall",
         f"{r['refresh_db_s']:.2f} s in the database, {r['refresh_queries']} queries"),
        ("refresh of one municipality: queries", f"{r['empty_queries']} (no appeals)",
         f"{r['busy_queries']} (with {r['demo_appeals']} demo appeals)"),
    ]
    print(f"Reporting benchmark: {n} municipalities, 40 fields, all submitted; median of {repeat} "
          f"(setup {r['setup_s']:.0f} s, not timed)")
    for label, value, note in rows:
        print(f"  {label:42s} {value:>22s}   {note}")
    met = {
        "page_under_300ms": r["page_ms"] < TARGETS["page_ms"],
        "query_under_300ms": r["api_ms"] < TARGETS["page_ms"],
        "page_50x": page_speedup >= TARGETS["speedup"],
        "query_50x": api_speedup >= TARGETS["speedup"],
        "xlsx_under_5s": r["xlsx_ms"] < TARGETS["xlsx_s"] * 1000,
        "refresh_queries_bounded": r["empty_queries"] == r["busy_queries"],
    }
    print("  targets: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in met.items()))
    summary = {"benchmark": "reporting", "params": {"municipalities": n, "fields": 40, "repeat": repeat,
                                                    "quick": quick},
               "figures": {"comparison_page_ms": round(r["page_ms"], 1), "aggregates_query_ms": round(r["api_ms"], 1),
                           "comparison_page_behind_ms": round(r["page_behind_ms"], 1),
                           "aggregates_query_behind_ms": round(r["api_behind_ms"], 1),
                           "figures_job_ms": round(r["job_ms"], 1),
                           "naive_ms": round(r["naive_ms"], 1), "xlsx_ms": round(r["xlsx_ms"]),
                           "refresh_wall_s": round(r["refresh_s"], 2), "refresh_db_s": round(r["refresh_db_s"], 2),
                           "refresh_queries_per_municipality": r["empty_queries"]},
               "ratios": {"comparison_page_vs_naive": round(page_speedup, 1),
                          "aggregates_query_vs_naive": round(api_speedup, 1),
                          "comparison_page_behind_vs_naive": round(r["naive_ms"] / r["page_behind_ms"], 1),
                          "aggregates_query_behind_vs_naive": round(r["naive_ms"] / r["api_behind_ms"], 1)},
               "targets_met": met}
    print(json.dumps(summary, ensure_ascii=False))
    return summary


def _database_exists(maintenance_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 municipalities, 3 repeats (under a minute)")
    parser.add_argument("--municipalities", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--keep", action="store_true",
                        help="keep the database afterwards, and reuse one an earlier --keep run left")
    parser.add_argument("--only-figures", action="store_true", help="the page, the query and the baseline only")
    parser.add_argument("--profile", action="append", default=[],
                        choices=["page", "query", "page_behind", "query_behind"],
                        help="also print a cProfile of 10 requests of this kind")
    options = parser.parse_args(argv)
    n = options.municipalities or (100 if options.quick else 1000)
    repeat = options.repeat or (3 if options.quick else 7)
    import os

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["REQUIRE_REGIONAL_2FA"] = "false"  # the benchmark signs in with force_login
    # Connections kept between requests, as in production.
    _, maintenance_url = point_django_at(BENCH_DATABASE, "tests.benchmarks.kept_connections_settings")
    if not (options.keep and _database_exists(maintenance_url, BENCH_DATABASE)):
        recreate_database(maintenance_url, BENCH_DATABASE)
    try:
        result = run(n, repeat, options.profile, options.only_figures)
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            recreate_database(maintenance_url, BENCH_DATABASE, drop_only=True)
    if options.only_figures:
        print(json.dumps({"benchmark": "reporting", "only_figures": True, "n": n,
                          **{k: round(v, 1) for k, v in result.items()},
                          "page_vs_naive": round(result["naive_ms"] / result["page_ms"], 1),
                          "query_vs_naive": round(result["naive_ms"] / result["api_ms"], 1),
                          "page_behind_vs_naive": round(result["naive_ms"] / result["page_behind_ms"], 1),
                          "query_behind_vs_naive": round(result["naive_ms"] / result["api_behind_ms"], 1)}))
        return 0
    report(result, n=n, repeat=repeat, quick=options.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
