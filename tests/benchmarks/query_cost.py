"""The most expensive GraphQL queries the cost limit accepts, against the ones the old limit accepted.

    GORODOK_ENV=test python tests/benchmarks/query_cost.py [--quick]

Works in a throwaway database (``gorodok_bench_cost`` on the server DATABASE_URL names), which it
creates, fills and drops: one municipality with appeals received over ten years (2,000, or 500 with
``--quick``), each registered with two questions, and an API client holding appeals:read.

Each query is sent in-process (Django's test client: the whole middleware, token check, validation
rules and view) with the API client's token, three times; the median is reported.

    gorodok   the worst query of each kind the cost limit accepts now: as many ten-year
              ``appealStatistics`` (every breakdown), ``__schema`` walks, or full pages of appeals with
              history and attachments, as fit under GRAPHQL_MAX_COMPLEXITY
    baseline  what the previous limit (each field costing 1, whatever it did) accepted: 100 aliased
              ten-year statistics and 30 aliased schema walks (the issue's examples, both under its
              limit). The baseline is run through the same schema without the cost rule.

Ratios above 1 mean the new limit's worst accepted query is that many times faster than the old one's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway import point_django_at, recreate_database

BENCH_DATABASE = "gorodok_bench_cost"
SLUG = "benchcost"
REPEATS = 3
STATS_FIELDS = ("appeals repeated collective questions underConsideration byForm { code label count } "
                "byChannel { code count } byKind { code count } byResult { code count } "
                "bySection { code title questions } byTheme { code title questions }")
SCHEMA_WALK = "__schema { types { name kind fields { name args { name } type { name kind ofType { name } } } } }"
FULL_PAGE = """{ appeals(first: 100) { edges { node { id department { name } executor { email }
  questions { classifierCode } history { action actorEmail } attachments { name size } } } } }"""


def statistics_query(count: int) -> str:
    return "{" + " ".join(f'a{n}: appealStatistics(dateFrom: "2016-01-01", dateTo: "2025-12-31") {{ {STATS_FIELDS} }}'
                          for n in range(count)) + "}"


def walks_query(count: int) -> str:
    return "{" + " ".join(f"s{n}: {SCHEMA_WALK}" for n in range(count)) + "}"


def _fill(appeals: int) -> tuple[str, str]:
    from datetime import UTC, datetime, timedelta

    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from gorodok_platform.integrations.services import MAX_RATE_LIMIT_PER_MINUTE, api_client_create
    from gorodok_services.appeals.models import Appeal, AppealEvent, Question
    from gorodok_tenants.provisioning.municipalities import (
        MunicipalitySpec,
        host_for,
        municipality_create,
    )

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    municipality = municipality_create(
        spec=MunicipalitySpec(name="Стоимость", name_en="Cost", slug=SLUG, oktmo="95000098"))
    start = datetime(2016, 1, 1, tzinfo=UTC)
    step = timedelta(days=3650) / appeals
    with schema_context(municipality.schema_name):
        rows = Appeal.objects.bulk_create([
            Appeal(channel="electronic", form="electronic", subject=f"Обращение № {n}", text="Текст.",
                   status="answered", registration_number=f"ОГ-{n:06d}", received_at=start + step * n,
                   registered_at=start + step * n, due_register_at=start + step * n,
                   due_at=start + step * n + timedelta(days=30), answered_at=start + step * n + timedelta(days=20))
            for n in range(appeals)
        ])
        Question.objects.bulk_create([
            Question(appeal=appeal, position=position, classifier_code=code)
            for appeal in rows for position, code in ((1, "0003.0009.0097.0705"), (2, "0002.0006.0065.0263"))
        ])
        AppealEvent.objects.bulk_create([AppealEvent(appeal=appeal, action="received", to_status="received")
                                         for appeal in rows])
        _client, token = api_client_create(name="Cost", scopes=["appeals:read"],
                                           rate_limit_per_minute=MAX_RATE_LIMIT_PER_MINUTE)
    return host_for(SLUG), token


def _time_http(client, host: str, token: str, query: str) -> tuple[float, int, list]:
    timings, status, codes = [], 0, []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.post("/graphql/", data=json.dumps({"query": query}), content_type="application/json",
                               HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {token}")
        timings.append(time.perf_counter() - started)
        status = response.status_code
        codes = [e.get("extensions", {}).get("code") for e in response.json().get("errors", ())]
    return statistics.median(timings), status, codes


def _time_without_cost_rule(host: str, token: str, query: str) -> float:
    """The baseline: the same schema and context, validated by the standard rules only."""
    from django.db import connection
    from django.test import RequestFactory
    from django_tenants.utils import schema_context

    from gorodok_graphql.tenant_schema import schema
    from gorodok_platform.integrations.auth import authenticate
    from gorodok_tenants.models import Municipality

    municipality = Municipality.objects.get(slug=SLUG)
    timings = []
    for _ in range(REPEATS):
        with schema_context(municipality.schema_name):
            request = RequestFactory().post("/graphql/", HTTP_HOST=host)
            request.tenant = municipality
            request.api_client = authenticate(token)
            from django.contrib.auth.models import AnonymousUser

            request.user = AnonymousUser()
            started = time.perf_counter()
            result = schema.execute(query, context_value=request)
            timings.append(time.perf_counter() - started)
            assert not result.errors, result.errors[:1]
        connection.set_schema_to_public()
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 appeals instead of 2,000 (under a minute)")
    options = parser.parse_args(argv)
    appeals = 500 if options.quick else 2000
    _, maintenance_url = point_django_at(BENCH_DATABASE)
    recreate_database(maintenance_url, BENCH_DATABASE)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.test import Client

        from gorodok_graphql.appeals.statistics import statistics_cost
        from gorodok_graphql.core.limits import SCHEMA_COST

        settings.GRAPHQL_TIME_BUDGET_SECONDS = 10_000
        host, token = _fill(appeals)
        limit = settings.GRAPHQL_MAX_COMPLEXITY
        most_stats = limit // (statistics_cost({"dateFrom": "2016-01-01", "dateTo": "2025-12-31"}.get) + 40)
        most_walks = limit // (SCHEMA_COST + 10)
        client = Client()
        rows = []
        figures = {}
        for name, query, baseline_query in (
            ("statistics", statistics_query(most_stats), statistics_query(100)),
            ("schema_walks", walks_query(most_walks), walks_query(30)),
            ("full_page", FULL_PAGE, None),
        ):
            seconds, status, codes = _time_http(client, host, token, query)
            assert status == 200 and not codes, (name, status, codes)
            refused = None
            if baseline_query is not None:
                _, refused_status, refused_codes = _time_http(client, host, token, baseline_query)
                refused = refused_codes == ["QUERY_TOO_COMPLEX"]
                baseline = _time_without_cost_rule(host, token, baseline_query)
                figures[f"{name}_baseline_ms"] = round(baseline * 1000, 1)
            figures[f"{name}_worst_accepted_ms"] = round(seconds * 1000, 1)
            rows.append((name, seconds, refused, figures.get(f"{name}_baseline_ms")))
    finally:
        from django.db import connections

        connections.close_all()
        recreate_database(maintenance_url, BENCH_DATABASE, drop_only=True)
    print(f"{'query':<14} {'worst accepted now':>20} {'old limit accepted':>20} {'now refused':>12}")
    for name, seconds, refused, baseline_ms in rows:
        print(f"{name:<14} {seconds * 1000:>17.1f} ms {(f'{baseline_ms:.1f} ms' if baseline_ms else '—'):>20} "
              f"{('yes' if refused else '—') if refused is not None else '—':>12}")
    ratios = {name: round(figures[f"{name}_baseline_ms"] / max(figures[f"{name}_worst_accepted_ms"], 0.1), 2)
              for name in ("statistics", "schema_walks")}
    print(json.dumps({"benchmark": "query_cost", "params": {"quick": options.quick, "appeals": appeals,
                                                            "repeats": REPEATS, "max_complexity": limit},
                      "figures": figures, "ratios": ratios}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
