"""A load test of the whole server: mixed traffic over every municipality's host and the region's.

    GORODOK_ENV=test python tests/benchmarks/load.py [--quick] [--duration S] [--clients N] [--workers W]
                                                      [--municipalities M]

Works in a throwaway database (``gorodok_bench_load`` on the server DATABASE_URL names; without
DATABASE_URL, the server ``make test`` would use), which it creates, fills and drops: M municipalities
(13, as the demo region; 4 with --quick), each with 40 registered appeals and an API client holding
appeals:read and appeals:write, and a regional API client holding region:read.

The server is production-like: gunicorn (sync workers, ``-w 2``), DEBUG off, database connections kept,
the cache and the job broker in Redis (CACHE_URL and BROKER_URL on 127.0.0.1:6379, databases 12 and
13, flushed first); the load generator runs on the same machine.

The load: N clients (16; 8 with --quick) in a closed loop (each sends its next request as soon as the
previous answer is read), each request to a municipality picked in turn, of a kind drawn with these
weights:

    read           50  POST /graphql/  { municipality { slug } appeals(first: 20) { ... } }   (bearer token)
    open311_get    20  GET  /open311/v2/requests.json                                         (public)
    open311_post   10  POST /open311/v2/requests.json  (api_key; an appeal received and registered)
    region         20  POST /graphql/ on the region's host  { municipalities(first: 20) { ... } }

Every answer is checked: the status, no GraphQL errors, and that it comes from the host's own
municipality (the read names its municipality; Open311 requests' ids are the registration numbers of
that municipality, whose prefix is the municipality's own; the region lists all M). Anything else is an
error. CPU time of the server is read from /proc for gunicorn's processes before and after each kind's
own phase (each kind alone for a few seconds after the mix: CPU-ms per request per kind), and the mix's
total CPU per request.

It prints throughput, p50/p95/p99 per kind, CPU-ms per request per kind and errors (zero expected),
and ends with the JSON line of DESIGN.md. There is no baseline to compare with: the ratios are the
kinds' CPU against a read's.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from throwaway import SOURCE_ROOTS, point_django_at, recreate_database

ROOT = Path(__file__).resolve().parents[2]
BENCH_DATABASE = "gorodok_bench_load"
SETTINGS_MODULE = "tests.benchmarks.api_settings"
APPEALS = 40
ROAD = "0003.0009.0097.0684"
WEIGHTS = {"read": 50, "open311_get": 20, "open311_post": 10, "region": 20}
READ = """query { municipality { slug } appeals(first: 20) { totalCount edges { node { id registrationNumber
  subject status receivedAt dueAt questions { classifierCode text } } } } }"""
REGION = "query { municipalities(first: 20) { totalCount edges { node { slug name status } } } }"
REDIS_CACHE, REDIS_BROKER = "redis://127.0.0.1:6379/12", "redis://127.0.0.1:6379/13"


def _fill(count: int) -> dict:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from gorodok_platform.integrations.services import MAX_RATE_LIMIT_PER_MINUTE, api_client_create
    from gorodok_services.appeals.models import Appeal, Question
    from gorodok_tenants.provisioning.municipalities import MunicipalitySpec, host_for, municipality_create

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    now = timezone.now()
    municipalities = []
    for index in range(count):
        slug = f"load{index:02d}"
        municipality = municipality_create(spec=MunicipalitySpec(
            name=f"Нагрузка {index}", name_en=f"Load {index}", slug=slug, oktmo=f"950001{index:02d}"))
        with schema_context(municipality.schema_name):
            appeals = Appeal.objects.bulk_create([
                Appeal(channel="electronic", form="electronic", subject=f"Ремонт дороги № {n}", text="Яма у дома.",
                       status="in_progress", applicant_name=f"Автор {n}",
                       registration_number=f"{slug.upper()}-{n:05d}", received_at=now - timedelta(minutes=n),
                       registered_at=now, due_register_at=now, due_at=now + timedelta(days=30))
                for n in range(APPEALS)])
            Question.objects.bulk_create([Question(appeal=a, position=1, classifier_code=ROAD, text="Дорога")
                                          for a in appeals])
            _client, token = api_client_create(name="Load", scopes=["appeals:read", "appeals:write"],
                                               rate_limit_per_minute=MAX_RATE_LIMIT_PER_MINUTE)
        municipalities.append({"slug": slug, "host": host_for(slug), "token": token})
    with schema_context("public"):
        _client, region_token = api_client_create(name="Load region", scopes=["region:read"],
                                                  rate_limit_per_minute=MAX_RATE_LIMIT_PER_MINUTE)
    from django.conf import settings

    return {"municipalities": municipalities, "region_host": settings.REGION_DOMAIN, "region_token": region_token}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _flush_redis() -> None:
    import redis

    for url in (REDIS_CACHE, REDIS_BROKER):
        redis.Redis.from_url(url, socket_timeout=2).flushdb()


def _start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, "LOG_LEVEL": "WARNING", "DEBUG": "false",
                "CACHE_URL": REDIS_CACHE, "BROKER_URL": REDIS_BROKER,
                "PYTHONPATH": os.pathsep.join([str(ROOT), *(str(ROOT / root) for root in SOURCE_ROOTS)])})
    command = [sys.executable, "-m", "gunicorn", "gorodok_platform.wsgi", "-w", str(workers),
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _server_cpu_seconds(root_pid: int) -> float:
    """User + system CPU of gunicorn's arbiter and its workers (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root_pid or ppid == root_pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


class Traffic:
    """Builds and checks one request of a kind for a municipality."""

    def __init__(self, world: dict):
        self.world = world
        self.counter = itertools.count()

    def request(self, kind: str, municipality: dict) -> tuple[str, str, bytes | None, dict]:
        if kind == "read":
            body = json.dumps({"query": READ}).encode()
            return "POST", "/graphql/", body, {"Host": municipality["host"], "Content-Type": "application/json",
                                              "Authorization": f"Bearer {municipality['token']}"}
        if kind == "open311_get":
            return "GET", "/open311/v2/requests.json", None, {"Host": municipality["host"]}
        if kind == "open311_post":
            number = next(self.counter)
            body = urllib.parse.urlencode({
                "api_key": municipality["token"], "service_code": ROAD, "address_string": "ул. Ленина, 12",
                "description": f"Яма у остановки ({os.getpid()}-{number})", "first_name": "Иван",
                "last_name": "Петров", "email": "petrov@example.ru"}).encode()
            return "POST", "/open311/v2/requests.json", body, {
                "Host": municipality["host"], "Content-Type": "application/x-www-form-urlencoded"}
        body = json.dumps({"query": REGION}).encode()
        return "POST", "/graphql/", body, {"Host": self.world["region_host"], "Content-Type": "application/json",
                                          "Authorization": f"Bearer {self.world['region_token']}"}

    def problem(self, kind: str, municipality: dict, status: int, body: bytes) -> str | None:
        """Why the answer is wrong (None when it is right)."""
        try:
            data = json.loads(body)
        except ValueError:
            return f"{kind}: HTTP {status}, not JSON"
        if kind == "read":
            if status != 200 or data.get("errors"):
                return f"read: HTTP {status} {str(data)[:200]}"
            if data["data"]["municipality"]["slug"] != municipality["slug"]:
                return "read: another municipality answered"
            numbers = [e["node"]["registrationNumber"] for e in data["data"]["appeals"]["edges"]]
            if not numbers or any(not n.startswith(municipality["slug"].upper()) for n in numbers
                                  if not n.startswith(("ОГ", "Ж"))):
                return "read: appeals of another municipality"
            return None
        if kind == "open311_get":
            if status != 200 or not isinstance(data, list):
                return f"open311_get: HTTP {status}"
            foreign = [r for r in data if str(r.get("service_request_id", "")).startswith("LOAD")
                       and not str(r["service_request_id"]).startswith(municipality["slug"].upper())]
            return "open311_get: requests of another municipality" if foreign else None
        if kind == "open311_post":
            if status not in (200, 201) or not isinstance(data, list) or "service_request_id" not in data[0]:
                return f"open311_post: HTTP {status} {str(data)[:200]}"
            return None
        if status != 200 or data.get("errors"):
            return f"region: HTTP {status} {str(data)[:200]}"
        if data["data"]["municipalities"]["totalCount"] < len(self.world["municipalities"]):
            return "region: municipalities missing"
        return None


def _run(port: int, traffic: Traffic, *, clients: int, seconds: float, kinds: list[str]) -> dict:
    """Closed loop for ``seconds``: per kind, latencies (ms) and errors."""
    results = {kind: {"latencies": [], "errors": []} for kind in WEIGHTS}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    weights = [WEIGHTS[kind] for kind in kinds]
    municipalities = traffic.world["municipalities"]

    def client(index: int) -> None:
        chooser = random.Random(index)
        start = index % len(municipalities)
        turn = itertools.cycle(municipalities[start:] + municipalities[:start])
        while time.monotonic() < stop_at:
            kind = chooser.choices(kinds, weights)[0]
            municipality = next(turn)
            method, path, body, headers = traffic.request(kind, municipality)
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                status, answer = response.status, response.read()
                connection.close()
            except OSError as error:
                with lock:
                    results[kind]["errors"].append(f"{kind}: {error}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            problem = traffic.problem(kind, municipality, status, answer)
            with lock:
                if time.monotonic() <= stop_at:
                    results[kind]["latencies"].append(elapsed)
                if problem:
                    results[kind]["errors"].append(problem)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 municipalities, 8 clients, 15 s (about a minute)")
    parser.add_argument("--duration", type=float, default=None, help="seconds of mixed load (60; 15 --quick)")
    parser.add_argument("--clients", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--municipalities", type=int, default=None)
    options = parser.parse_args(argv)
    count = options.municipalities or (4 if options.quick else 13)
    clients = options.clients or (8 if options.quick else 16)
    duration = options.duration or (15.0 if options.quick else 60.0)
    solo = 4.0 if options.quick else 10.0

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _, maintenance_url = point_django_at(BENCH_DATABASE, SETTINGS_MODULE)
    recreate_database(maintenance_url, BENCH_DATABASE)
    process = None
    try:
        import django

        django.setup()
        from django.db import connections

        world = _fill(count)
        connections.close_all()
        _flush_redis()
        port = _free_port()
        process = _start_gunicorn(port, options.workers)
        traffic = Traffic(world)
        deadline = time.monotonic() + 60
        while True:  # serving, and a warm-up of every kind in every municipality
            try:
                warm = _run(port, traffic, clients=2, seconds=2, kinds=list(WEIGHTS))
                if all(not r["errors"] for r in warm.values()):
                    break
                raise RuntimeError(next(e for r in warm.values() for e in r["errors"]))
            except RuntimeError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(1)
        cpu_before = _server_cpu_seconds(process.pid)
        mixed = _run(port, traffic, clients=clients, seconds=duration, kinds=list(WEIGHTS))
        mixed_cpu = _server_cpu_seconds(process.pid) - cpu_before
        alone = {}
        for kind in WEIGHTS:  # each kind on its own, for its CPU per request
            before = _server_cpu_seconds(process.pid)
            result = _run(port, traffic, clients=clients, seconds=solo, kinds=[kind])
            alone[kind] = (result[kind], _server_cpu_seconds(process.pid) - before)
    finally:
        if process is not None:
            _stop(process)
        from django.db import connections

        connections.close_all()
        recreate_database(maintenance_url, BENCH_DATABASE, drop_only=True)

    total = sum(len(r["latencies"]) for r in mixed.values())
    errors = sum(len(r["errors"]) for r in mixed.values()) + sum(len(r["errors"]) for r, _cpu in alone.values())
    print(f"Load: {count} municipalities and the region, {clients} clients, {duration:.0f} s mixed, gunicorn -w "
          f"{options.workers}, Redis cache and broker, {os.cpu_count()} CPUs shared with the load generator.")
    print()
    print(f"{'kind':14s} {'requests':>9s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} "
          f"{'CPU-ms/req':>11s} {'errors':>7s}")
    cpu_per = {}
    for kind, result in mixed.items():
        latencies = result["latencies"]
        solo_result, solo_cpu = alone[kind]
        cpu_per[kind] = solo_cpu * 1000 / max(1, len(solo_result["latencies"]))
        print(f"{kind:14s} {len(latencies):9d} {len(latencies) / duration:8.1f} {_percentile(latencies, .5):8.1f} "
              f"{_percentile(latencies, .95):8.1f} {_percentile(latencies, .99):8.1f} {cpu_per[kind]:11.1f} "
              f"{len(result['errors']) + len(solo_result['errors']):7d}")
    mixed_cpu_per = mixed_cpu * 1000 / max(1, total)
    print(f"{'mix':14s} {total:9d} {total / duration:8.1f} {'':>8s} {'':>8s} {'':>8s} {mixed_cpu_per:11.1f} "
          f"{errors:7d}")
    for kind, result in mixed.items():
        for problem in sorted(set(result["errors"]))[:5]:
            print(f"  error ({kind}): {problem}")
    print(f"Errors: {errors} (expected 0); every answer checked to come from its host's municipality.")
    summary = {
        "benchmark": "load",
        "params": {"quick": options.quick, "municipalities": count, "clients": clients, "duration_s": duration,
                   "workers": options.workers, "weights": WEIGHTS, "cpus": os.cpu_count(),
                   "no_errors": errors == 0},
        "figures": {
            "throughput_requests_per_second": round(total / duration, 1),
            "errors_count": errors, "mix_cpu_ms_per_request": round(mixed_cpu_per, 1),
            **{f"{kind}_p{p}_ms": round(_percentile(result["latencies"], p / 100), 1)
               for kind, result in mixed.items() for p in (50, 95, 99)},
            **{f"{kind}_cpu_ms_per_request": round(value, 1) for kind, value in cpu_per.items()},
        },
        "ratios": {f"{kind}_cpu_over_read": round(cpu_per[kind] / max(cpu_per["read"], 1e-9), 2)
                   for kind in WEIGHTS if kind != "read"},
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
