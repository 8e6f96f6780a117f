"""Throughput and latency of the tenant GraphQL API against a plain Django JSON view of the same data.

    GORODOK_ENV=test python tests/benchmarks/api.py [--quick] [--duration S] [--concurrency N] [--workers W]

Works in a throwaway database (``gorodok_bench_api`` on the server DATABASE_URL names; without
DATABASE_URL, the server ``make test`` would use), which it creates, fills and drops: one municipality
with 200 registered appeals (two questions each, a department, an executor) and an API client of the
municipality holding appeals:read, whose bearer token every request sends (no session, no CSRF).

The app is served by gunicorn (sync workers, ``-w 2`` unless told otherwise) with
``tests/benchmarks/api_settings.py``: Gorodok's settings plus one extra URL on the municipality's host,
``/bench/plain-appeals/``, a plain Django view returning the same document as the GraphQL query below
(checked equal before timing) from the same selector, behind the same middleware and token check.

    graphql   POST /graphql/  appeals(first: 50) { totalCount pageInfo edges { node { id registrationNumber
              subject status receivedAt dueAt isOverdue department { id name } executor { email fullName }
              questions { position classifierCode section text result } } } }
    plain     GET /bench/plain-appeals/?first=50

The load: N threads (8 by default), each with its own HTTP/1.1 connection to 127.0.0.1, sending the next
request as soon as the previous answer is read (a closed loop: the concurrency is the same for both).
Gunicorn's sync workers close the connection after each response, so each request also opens a
connection, alike for both. Per endpoint a warm-up (not measured), then the duration in two halves,
in the order plain, graphql, graphql, plain, so that drift in the machine's speed hits both alike.
The load generator shares the machine's CPUs with gunicorn and PostgreSQL.

SQL per request is counted in-process (Django's test client, same settings and database, the same
bearer token, after one warm-up request) at page sizes 10, 50 and 100, with and without the
``SET search_path`` django-tenants issues when it selects the municipality's schema.

Targets: graphql/plain throughput >= 0.5, GraphQL p99 latency at most 2x the plain view's, and at most 4 SQL
queries per GraphQL request at any page size.
Ratios above 1 mean Gorodok's GraphQL endpoint is ahead of the plain view (so the throughput ratio is
below 1 by construction; its target is 0.5; the p99 target is plain/GraphQL p99 >= 0.5).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from throwaway import SOURCE_ROOTS, point_django_at, recreate_database

ROOT = Path(__file__).resolve().parents[2]
BENCH_DATABASE = "gorodok_bench_api"


def _prepare_environment() -> tuple[str, str]:
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return point_django_at(BENCH_DATABASE, SETTINGS_MODULE)


def _recreate_database(maintenance_url: str, *, drop_only: bool = False) -> None:
    recreate_database(maintenance_url, BENCH_DATABASE, drop_only=drop_only)
SETTINGS_MODULE = "tests.benchmarks.api_settings"
SLUG = "bench"
APPEALS = 200
PAGE_SIZE = 50
QUERY_COUNT_PAGE_SIZES = (10, 50, 100)
TARGETS = {"graphql_over_plain_throughput": 0.5, "graphql_over_plain_p99_latency": 2.0,
           "max_sql_queries_per_graphql_request": 4}

QUERY = """query Appeals($first: Int) { appeals(first: $first) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node {
    id registrationNumber subject status receivedAt dueAt isOverdue
    department { id name }
    executor { email fullName }
    questions { position classifierCode section text result }
  } } } }"""


# --- The throwaway database ----------------------------------------------------------------------------








def _fill() -> tuple[str, str]:
    """Migrate, create the municipality, its appeals and an API client; return (host, token)."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from gorodok_platform.integrations.services import MAX_RATE_LIMIT_PER_MINUTE, api_client_create
    from gorodok_services.appeals.models import Appeal, Department, Question
    from gorodok_tenants.provisioning.municipalities import (
        MunicipalitySpec,
        host_for,
        municipality_admin_create,
        municipality_create,
    )

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    municipality = municipality_create(
        spec=MunicipalitySpec(name="Бенчмарк", name_en="Benchmark", slug=SLUG, oktmo="95000099"))
    executor = municipality_admin_create(municipality=municipality, email=f"executor@{SLUG}.example.ru",
                                         password=None)
    now = timezone.now()
    with schema_context(municipality.schema_name):
        executor.full_name = "Петрова Анна Сергеевна"
        executor.save(update_fields=["full_name"])
        departments = [Department.objects.create(name=name) for name in (
            "Отдел благоустройства", "Отдел ЖКХ", "Отдел образования", "Отдел транспорта")]
        appeals = Appeal.objects.bulk_create([
            Appeal(channel="electronic", form="electronic", subject=f"Обращение о ремонте дороги № {n}",
                   text="Прошу отремонтировать дорогу у дома.", status="in_progress",
                   applicant_name=f"Автор {n}", registration_number=f"ОГ-2026-{n:05d}",
                   received_at=now - timedelta(minutes=n), registered_at=now, due_register_at=now,
                   due_at=now + timedelta(days=30), department=departments[n % len(departments)],
                   executor=executor)
            for n in range(APPEALS)
        ])
        Question.objects.bulk_create([
            Question(appeal=appeal, position=position, classifier_code=code, text=text)
            for appeal in appeals
            for position, code, text in (
                (1, "0003.0009.0097.0705", "Ремонт дороги во дворе"),
                (2, "0002.0006.0065.0263", "Поддержка многодетных семей"),
            )
        ])
        _client, token = api_client_create(name="Benchmark", scopes=["appeals:read"],
                                           rate_limit_per_minute=MAX_RATE_LIMIT_PER_MINUTE)
    return host_for(SLUG), token


# --- SQL per request, in-process ----------------------------------------------------------------------


def _classify(sql: str) -> str:
    text = sql.lstrip().upper()
    if text.startswith("SET SEARCH_PATH"):
        return "search_path"
    if "INTEGRATIONS_APICLIENT" in text:
        return "api_client" if text.startswith("SELECT") else "api_client_update"
    if text.startswith("SELECT COUNT("):
        return "count"
    if "APPEALS_QUESTION" in text and "APPEALS_APPEAL" not in text.split("WHERE")[0]:
        return "questions"
    if "APPEALS_APPEAL" in text:
        return "page"
    return "other"


def _count_queries(host: str, token: str) -> dict:
    """{endpoint: {page_size: [labels of the queries one request ran]}}"""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.benchmarks.api_settings import PLAIN_PATH

    client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {token}")

    def graphql(first):
        return client.post("/graphql/", data=json.dumps({"query": QUERY, "variables": {"first": first}}),
                           content_type="application/json")

    def plain(first):
        return client.get(PLAIN_PATH, {"first": first})

    page_only = QUERY.replace("totalCount ", "", 1)

    def graphql_page(first):  # the same page without totalCount: no COUNT(*) is run
        return client.post("/graphql/", data=json.dumps({"query": page_only, "variables": {"first": first}}),
                           content_type="application/json")

    counts = {}
    for name, send in (("graphql", graphql), ("plain", plain), ("graphql_page", graphql_page)):
        send(1)  # warm-up: the host's routing cache, the client's once-a-minute last-use write
        counts[name] = {}
        for first in QUERY_COUNT_PAGE_SIZES:
            with CaptureQueriesContext(connection) as captured:
                response = send(first)
            body = response.json()
            if response.status_code != 200 or "errors" in body or len(body["data"]["appeals"]["edges"]) != first:
                raise RuntimeError(f"{name} first={first}: unexpected answer {response.status_code} {body}"[:500])
            counts[name][first] = [_classify(query["sql"]) for query in captured]
    connection.close()
    return counts


# --- Serving and load ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "GORODOK_ENV": os.environ["GORODOK_ENV"],
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT), *(str(ROOT / root) for root in SOURCE_ROOTS)]),
    })
    command = [sys.executable, "-m", "gunicorn", "gorodok_platform.wsgi", "-w", str(workers),
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # the arbiter stops its workers gracefully
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Endpoint:
    def __init__(self, name: str, method: str, path: str, body: bytes | None, headers: dict[str, str]):
        self.name, self.method, self.path, self.body, self.headers = name, method, path, body, headers

    def send(self, connection: http.client.HTTPConnection) -> tuple[int, bytes]:
        connection.request(self.method, self.path, body=self.body, headers=self.headers)
        response = connection.getresponse()
        return response.status, response.read()


def _endpoints(host: str, token: str) -> dict[str, Endpoint]:
    from tests.benchmarks.api_settings import PLAIN_PATH

    headers = {"Host": host, "Authorization": f"Bearer {token}", "Accept": "application/json"}
    body = json.dumps({"query": QUERY, "variables": {"first": PAGE_SIZE}}).encode()
    return {
        "graphql": Endpoint("graphql", "POST", "/graphql/", body,
                            {**headers, "Content-Type": "application/json", "Content-Length": str(len(body))}),
        "plain": Endpoint("plain", "GET", f"{PLAIN_PATH}?first={PAGE_SIZE}", None, headers),
    }


def _wait_until_serving(port: int, endpoint: Endpoint, process: subprocess.Popen, timeout: float = 60) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            status, body = endpoint.send(connection)
            connection.close()
            if status == 200:
                return body
            raise RuntimeError(f"{endpoint.name}: HTTP {status}: {body[:300]!r}")
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def _load(port: int, endpoint: Endpoint, concurrency: int, seconds: float) -> dict:
    """Closed-loop load for ``seconds``: latencies (ms) of the answers completed in the window, errors."""
    stop_at = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    sizes = [0] * concurrency

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        own = latencies[index]
        while True:
            started = time.perf_counter()
            if started >= stop_at:
                break
            try:
                status, body = endpoint.send(connection)
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                connection.close()
                continue
            finished = time.perf_counter()
            if finished > stop_at:
                break
            if status != 200:
                errors[index] += 1
            else:
                own.append((finished - started) * 1000)
                sizes[index] = len(body)
        connection.close()

    threads = [threading.Thread(target=worker, args=(index,), daemon=True) for index in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"latencies": [value for own in latencies for value in own], "errors": sum(errors),
            "seconds": elapsed, "bytes": max(sizes)}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def _serve_and_measure(host: str, token: str, *, duration: float, warmup: float, concurrency: int,
                       workers: int) -> dict:
    endpoints = _endpoints(host, token)
    port = _free_port()
    process = _start_gunicorn(port, workers)
    try:
        answers = {name: _wait_until_serving(port, endpoint, process) for name, endpoint in endpoints.items()}
        graphql_document, plain_document = (json.loads(answers[name]) for name in ("graphql", "plain"))
        if graphql_document != plain_document:
            raise RuntimeError("the plain view and the GraphQL endpoint do not return the same document")
        for endpoint in endpoints.values():  # warm-up: every worker's imports, caches and connections
            _load(port, endpoint, concurrency, warmup)
        runs: dict[str, list[dict]] = {"graphql": [], "plain": []}
        for name in ("plain", "graphql", "graphql", "plain"):
            runs[name].append(_load(port, endpoints[name], concurrency, duration / 2))
    finally:
        _stop_gunicorn(process)
    results = {}
    for name, parts in runs.items():
        latencies = [value for part in parts for value in part["latencies"]]
        seconds = sum(part["seconds"] for part in parts)
        results[name] = {
            "requests": len(latencies), "errors": sum(part["errors"] for part in parts), "seconds": seconds,
            "rps": len(latencies) / seconds, "mean_ms": statistics.fmean(latencies),
            "p50_ms": _percentile(latencies, 0.50), "p95_ms": _percentile(latencies, 0.95),
            "p99_ms": _percentile(latencies, 0.99), "response_bytes": max(part["bytes"] for part in parts),
        }
    return {"http": results, "items": len(graphql_document["data"]["appeals"]["edges"])}


# --- Report --------------------------------------------------------------------------------------------


def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return version


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def report(result: dict, *, params: dict) -> dict:
    http_results, counts = result["http"], result["queries"]
    graphql, plain = http_results["graphql"], http_results["plain"]
    throughput = graphql["rps"] / plain["rps"]
    with_path = {first: len(labels) for first, labels in counts["graphql"].items()}
    without_path = {first: sum(label != "search_path" for label in labels)
                    for first, labels in counts["graphql"].items()}
    limit = TARGETS["max_sql_queries_per_graphql_request"]
    targets = {
        "graphql_over_plain_throughput_at_least_one_half": throughput >= TARGETS["graphql_over_plain_throughput"],
        "graphql_p99_at_most_twice_plain":
            graphql["p99_ms"] <= TARGETS["graphql_over_plain_p99_latency"] * plain["p99_ms"],
        "graphql_sql_queries_at_most_4_without_search_path": max(without_path.values()) <= limit,
        "graphql_sql_queries_at_most_4_with_search_path": max(with_path.values()) <= limit,
        "graphql_sql_queries_constant_over_page_sizes": len(set(with_path.values())) == 1,
    }
    print(f"Appeals list, {result['items']} items with questions, department and executor: GraphQL against a "
          f"plain Django JSON view. PostgreSQL {params['postgres']}, gunicorn {params['workers']} sync workers, "
          f"{params['cpus']} CPUs shared with the load generator and the database "
          f"(load average {params['loadavg_1m_before']:.1f} before, {params['loadavg_1m_after']:.1f} after).")
    print(f"Closed loop, {params['concurrency']} connections, {params['duration_s']:g} s per endpoint "
          f"(plain, graphql, graphql, plain halves) after {params['warmup_s']:g} s of warm-up each, not measured.")
    print()
    print(f"{'endpoint':34s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'mean ms':>8s} "
          f"{'requests':>9s} {'errors':>7s} {'bytes':>7s}")
    labels = {"graphql": "GraphQL  POST /graphql/", "plain": "plain    GET /bench/plain-appeals/"}
    for name in ("graphql", "plain"):
        row = http_results[name]
        print(f"{labels[name]:34s} {row['rps']:8.1f} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['p99_ms']:8.1f} "
              f"{row['mean_ms']:8.1f} {row['requests']:9d} {row['errors']:7d} {row['response_bytes']:7d}")
    print()
    print(f"Throughput GraphQL / plain = {throughput:.3f} (target >= 0.5: "
          f"{_verdict(targets['graphql_over_plain_throughput_at_least_one_half'])}); "
          f"p50 latency plain / GraphQL = {plain['p50_ms'] / graphql['p50_ms']:.3f}; "
          f"p99 latency plain / GraphQL = {plain['p99_ms'] / graphql['p99_ms']:.3f} (target >= 0.5, i.e. GraphQL "
          f"p99 at most 2x plain: {_verdict(targets['graphql_p99_at_most_twice_plain'])}).")
    print()
    print("SQL queries per request (in-process, bearer token, after a warm-up request):")
    for name in ("graphql", "plain", "graphql_page"):
        for first, queries in counts[name].items():
            print(f"  {name:8s} first={first:<4d} {len(queries)} ({sum(q != 'search_path' for q in queries)} without "
                  f"SET search_path): {', '.join(queries)}")
    print(f"GraphQL: at most {max(without_path.values())} queries without SET search_path "
          f"(target <= {limit}: {_verdict(targets['graphql_sql_queries_at_most_4_without_search_path'])}), "
          f"{max(with_path.values())} with it "
          f"({_verdict(targets['graphql_sql_queries_at_most_4_with_search_path'])}); the same at every page size: "
          f"{'yes' if targets['graphql_sql_queries_constant_over_page_sizes'] else 'NO'}.")
    figures = {
        "graphql_rps": round(graphql["rps"], 1),
        "plain_rps": round(plain["rps"], 1),
        "graphql_p50_ms": round(graphql["p50_ms"], 2), "graphql_p95_ms": round(graphql["p95_ms"], 2),
        "graphql_p99_ms": round(graphql["p99_ms"], 2),
        "plain_p50_ms": round(plain["p50_ms"], 2), "plain_p95_ms": round(plain["p95_ms"], 2),
        "plain_p99_ms": round(plain["p99_ms"], 2),
        "graphql_errors_count": graphql["errors"], "plain_errors_count": plain["errors"],
    }
    for first in QUERY_COUNT_PAGE_SIZES:
        figures[f"graphql_sql_queries_first_{first}_count"] = with_path[first]
        figures[f"graphql_sql_queries_first_{first}_without_search_path_count"] = without_path[first]
        figures[f"plain_sql_queries_first_{first}_count"] = len(counts["plain"][first])
        figures[f"graphql_without_total_count_sql_queries_first_{first}_count"] = len(counts["graphql_page"][first])
    summary = {
        "benchmark": "api",
        "params": {**params, "targets": {"graphql_over_plain_throughput": 0.5, "plain_over_graphql_p99_latency": 0.5,
                                         "max_sql_queries_per_graphql_request": limit},
                   "targets_met": targets},
        "figures": figures,
        "ratios": {
            "graphql_over_plain_throughput": round(throughput, 3),
            "plain_over_graphql_p50_latency": round(plain["p50_ms"] / graphql["p50_ms"], 3),
            "plain_over_graphql_p99_latency": round(plain["p99_ms"] / graphql["p99_ms"], 3),
        },
    }
    print(json.dumps(summary, ensure_ascii=False))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 s per endpoint (under a minute in all)")
    parser.add_argument("--duration", type=float, default=None, help="seconds per endpoint (default 10, quick 3)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections at once (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    options = parser.parse_args(argv)
    duration = options.duration or (3.0 if options.quick else 10.0)
    warmup = 1.0 if options.quick else 2.0

    _, maintenance_url = _prepare_environment()
    _recreate_database(maintenance_url)
    try:
        import django

        django.setup()
        host, token = _fill()
        version = _server_version()
        queries = _count_queries(host, token)
        load_before = os.getloadavg()[0]
        measured = _serve_and_measure(host, token, duration=duration, warmup=warmup,
                                      concurrency=options.concurrency, workers=options.workers)
    finally:
        from django.db import connections

        connections.close_all()
        _recreate_database(maintenance_url, drop_only=True)
    params = {
        "quick": options.quick, "appeals": APPEALS, "page_size": PAGE_SIZE, "concurrency": options.concurrency,
        "duration_s": duration, "warmup_s": warmup, "workers": options.workers, "worker_class": "sync",
        "cpus": os.cpu_count(), "postgres": version, "auth": "bearer", "statistic": "closed-loop rps, percentiles",
        "warmup_excluded": True, "loadavg_1m_before": round(load_before, 2),
        "loadavg_1m_after": round(os.getloadavg()[0], 2),
    }
    report({**measured, "queries": queries}, params=params)
    return 0


if __name__ == "__main__":
    sys.exit(main())
