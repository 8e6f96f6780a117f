"""Server CPU per request, in-process: intake against a read of one appeal, and what tenancy costs.

    GORODOK_ENV=test python tests/benchmarks/server_cpu.py [--quick] [--requests N] [--rounds R]

Works in a throwaway database (``gorodok_bench_cpu``), which it creates, fills and drops: one
municipality with 200 registered appeals and an API client holding appeals:read, appeals:write and
appeals:personal_data. Settings: tests/benchmarks/api_settings.py (Gorodok's, with database connections kept
between requests as in production). Every request goes through Django's whole stack (middleware, bearer token,
views) with Django's test client in this process; the figure is the CPU time of this process per
request (``time.process_time``), so a loaded machine changes it less than wall-clock throughput. The
client's own share (building the request, reading the answer) is small and alike for every kind.

Kinds, measured in interleaved rounds (each kind once per round, the best round kept per kind, so drift
in the machine's speed hits all alike; the two reads swap places every other round, since the one right
after an intake runs colder than the one after an identical read, which made the routed read look
slower than it is):

    read_one          POST /graphql/ appeal(id:) with the fields of an integrator's card, via host routing
    read_one_direct   the same request with routing bypassed: one schema set once, the same views and
                      middleware otherwise (TenantRoutingMiddleware replaced by one that sets the tenant)
    receive_appeal    POST /graphql/ receiveAppeal (a new external number each time: a new appeal)
    open311_post      POST /open311/v2/requests.json (a new description each time: a new appeal)

Targets: intake at most 3x the CPU of read_one (ratios read_one/intake >= 0.333), tenancy overhead at
most 1.10x (ratio read_one_direct/read_one >= 0.909). Ratios above 1 mean Gorodok is ahead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from throwaway import point_django_at, recreate_database

BENCH_DATABASE = "gorodok_bench_cpu"
SLUG = "cpubench"
APPEALS = 200
TARGETS = {"read_over_intake_cpu": 1 / 3, "direct_over_routed_cpu": 1 / 1.10}
READ = """query ($id: ID!) { appeal(id: $id) { id registrationNumber kind channel status subject text
  applicant { name email phone } receivedAt registeredAt dueAt isOverdue department { id name }
  executor { email fullName } questions { position classifierCode section text result } } }"""
RECEIVE = """mutation ($input: ReceiveAppealInput!) { receiveAppeal(input: $input) {
  created appeal { id registrationNumber status } errors { field code message } } }"""
ROAD = "0003.0009.0097.0684"
_tenant = None


class DirectTenantMiddleware:
    """Routing bypassed: the one municipality, whose schema is set once, for every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        request.tenant = _tenant
        request.urlconf = settings.ROOT_URLCONF
        return self.get_response(request)


def _fill():
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
        spec=MunicipalitySpec(name="Бенчмарк ЦП", name_en="CPU benchmark", slug=SLUG, oktmo="95000098"))
    executor = municipality_admin_create(municipality=municipality, email=f"executor@{SLUG}.example.ru",
                                         password=None)
    now = timezone.now()
    with schema_context(municipality.schema_name):
        department = Department.objects.create(name="Отдел благоустройства")
        appeals = Appeal.objects.bulk_create([
            Appeal(channel="feedback_platform", form="electronic", subject=f"Обращение № {n}", text="Прошу помочь.",
                   status="in_progress", applicant_name=f"Автор {n}", applicant_email=f"a{n}@example.ru",
                   registration_number=f"ИМП-2026-{n:05d}", received_at=now - timedelta(minutes=n),
                   registered_at=now, due_register_at=now, due_at=now + timedelta(days=30),
                   department=department, executor=executor)
            for n in range(APPEALS)])
        Question.objects.bulk_create([Question(appeal=appeal, position=1, classifier_code=ROAD, text="Ремонт")
                                      for appeal in appeals])
        _client, token = api_client_create(
            name="CPU benchmark", scopes=["appeals:read", "appeals:write", "appeals:personal_data"],
            rate_limit_per_minute=MAX_RATE_LIMIT_PER_MINUTE)
    return municipality, host_for(SLUG), token, appeals[0].pk


def _kinds(host: str, token: str, appeal_pk: int):
    from django.test import Client
    from graphql_relay import to_global_id

    headers = {"HTTP_HOST": host, "HTTP_AUTHORIZATION": f"Bearer {token}"}
    read_body = json.dumps({"query": READ, "variables": {"id": to_global_id("Appeal", appeal_pk)}})
    counter = iter(range(10**9))

    def checked(response, path):
        body = response.json()
        if response.status_code not in (200, 201) or (isinstance(body, dict) and body.get("errors")):
            raise RuntimeError(f"{path}: {response.status_code} {body}"[:500])
        return body

    def read(client):
        body = checked(client.post("/graphql/", data=read_body, content_type="application/json", **headers), "read")
        if body["data"]["appeal"] is None:
            raise RuntimeError("read: no appeal")

    def receive(client):
        number = next(counter)
        body = json.dumps({"query": RECEIVE, "variables": {"input": {
            "channel": "FEEDBACK_PLATFORM", "subject": "Нет света", "text": f"Во дворе не горят фонари ({number}).",
            "questions": [{"classifierCode": ROAD}], "applicantName": "Петров П. П.",
            "externalNumber": f"CPU-{os.getpid()}-{number}"}}})
        payload = checked(client.post("/graphql/", data=body, content_type="application/json", **headers),
                          "receive")["data"]["receiveAppeal"]
        if payload["errors"] or not payload["created"]:
            raise RuntimeError(f"receive: {payload}")

    def open311(client):
        number = next(counter)
        data = {"api_key": token, "service_code": ROAD, "address_string": "ул. Ленина, 12",
                "description": f"Глубокая яма у остановки ({number})", "first_name": "Иван", "last_name": "Петров",
                "email": "petrov@example.ru"}
        response = client.post("/open311/v2/requests.json", data, HTTP_HOST=host)
        body = json.loads(response.content)
        if response.status_code not in (200, 201) or not isinstance(body, list) or "service_request_id" not in body[0]:
            raise RuntimeError(f"open311: {response.status_code} {body}"[:500])

    return Client, {"read_one": read, "read_one_direct": read, "receive_appeal": receive, "open311_post": open311}


PROFILE: list[str] = []


def _measure(host, token, appeal_pk, municipality, *, requests: int, rounds: int) -> dict:
    global _tenant
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    client_class, kinds = _kinds(host, token, appeal_pk)
    routed = client_class()
    routing = "gorodok_tenants.routing.TenantRoutingMiddleware"
    direct_middleware = [("server_cpu.DirectTenantMiddleware" if name == routing else name)
                         for name in settings.MIDDLEWARE]
    _tenant = municipality
    import server_cpu  # the middleware is loaded by name: this file imported as a module, not __main__

    server_cpu._tenant = municipality
    with override_settings(MIDDLEWARE=direct_middleware):
        direct = client_class()
        direct.handler.load_middleware()
    direct_handler = direct.handler

    def run(kind: str, count: int) -> float:
        send = kinds[kind]
        if kind == "read_one_direct":
            direct.handler = direct_handler
            connection.set_tenant(municipality)
            client = direct
        else:
            client = routed
        started = time.process_time()
        for _ in range(count):
            send(client)
        return (time.process_time() - started) * 1000 / count

    for kind in kinds:  # warm-up: imports, caches, the routing cache, the document cache
        run(kind, 5)
    if PROFILE:
        import cProfile
        import pstats

        for kind in PROFILE:
            profiler = cProfile.Profile()
            profiler.enable()
            run(kind, requests)
            profiler.disable()
            print(f"--- profile of {requests} x {kind} (cumulative, top 30)")
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(30)
            stats.print_callees("_create|appeal_receive|appeal_register")
    best = {kind: float("inf") for kind in kinds}
    per_round = {kind: [] for kind in kinds}
    order = list(kinds)
    swapped = [{"read_one": "read_one_direct", "read_one_direct": "read_one"}.get(kind, kind) for kind in order]
    for number in range(rounds):
        for kind in (order if number % 2 == 0 else swapped):
            value = run(kind, requests)
            per_round[kind].append(round(value, 2))
            best[kind] = min(best[kind], value)
    connection.set_schema_to_public()
    return {"best": best, "rounds": per_round}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (under a minute in all)")
    parser.add_argument("--requests", type=int, default=None, help="requests per kind per round (default 40, quick 15)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 5, quick 3)")
    parser.add_argument("--profile", action="append", default=[], metavar="KIND",
                        help="also print a cProfile of this kind (read_one, receive_appeal, open311_post, ...)")
    options = parser.parse_args(argv)
    PROFILE[:] = options.profile
    requests = options.requests or (15 if options.quick else 40)
    rounds = options.rounds or (3 if options.quick else 5)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # One caller sends every request: its GraphQL time budget would otherwise refuse the last ones.
    os.environ.setdefault("GRAPHQL_TIME_BUDGET_SECONDS", "100000")
    # Gorodok's settings with connections kept between requests, as in production (api_settings.py).
    _, maintenance_url = point_django_at(BENCH_DATABASE, "tests.benchmarks.api_settings")
    recreate_database(maintenance_url, BENCH_DATABASE)
    load_before = os.getloadavg()[0]
    try:
        import django

        django.setup()
        municipality, host, token, appeal_pk = _fill()
        measured = _measure(host, token, appeal_pk, municipality, requests=requests, rounds=rounds)
    finally:
        from django.db import connections

        connections.close_all()
        recreate_database(maintenance_url, BENCH_DATABASE, drop_only=True)
    best = measured["best"]
    intake = max(best["receive_appeal"], best["open311_post"])
    ratios = {
        "read_one_over_receive_appeal_cpu": round(best["read_one"] / best["receive_appeal"], 3),
        "read_one_over_open311_post_cpu": round(best["read_one"] / best["open311_post"], 3),
        "direct_over_routed_read_cpu": round(best["read_one_direct"] / best["read_one"], 3),
    }
    targets = {
        "intake_at_most_3x_read": best["read_one"] / intake >= TARGETS["read_over_intake_cpu"],
        "tenancy_overhead_at_most_1_10":
            best["read_one_direct"] / best["read_one"] >= TARGETS["direct_over_routed_cpu"],
    }
    params = {"quick": options.quick, "requests_per_round": requests, "rounds": rounds, "appeals": APPEALS,
              "cpus": os.cpu_count(), "statistic": "best round of process CPU ms per request",
              "loadavg_1m_before": round(load_before, 2), "loadavg_1m_after": round(os.getloadavg()[0], 2)}
    print(f"Server CPU per request, in-process (Django's whole stack, test client), best of {rounds} rounds of "
          f"{requests}; {params['cpus']} CPUs, load average {params['loadavg_1m_before']:.1f} before, "
          f"{params['loadavg_1m_after']:.1f} after.")
    print()
    print(f"{'kind':18s} {'CPU ms/request':>15s}   rounds")
    for kind, value in best.items():
        print(f"{kind:18s} {value:15.2f}   {measured['rounds'][kind]}")
    print()
    verdict = {True: "met", False: "NOT met"}
    print(f"Intake / read_one CPU: receiveAppeal {best['receive_appeal'] / best['read_one']:.2f}x, Open311 POST "
          f"{best['open311_post'] / best['read_one']:.2f}x "
          f"(target <= 3x: {verdict[targets['intake_at_most_3x_read']]}).")
    print(f"Tenancy: routed / direct read CPU = {best['read_one'] / best['read_one_direct']:.3f}x "
          f"(target <= 1.10x: {verdict[targets['tenancy_overhead_at_most_1_10']]}).")
    print(json.dumps({"benchmark": "server_cpu", "params": {**params, "targets": {
        "read_one_over_intake_cpu": 0.333, "direct_over_routed_read_cpu": 0.909}, "targets_met": targets},
        "figures": {f"{kind}_cpu_ms": round(value, 2) for kind, value in best.items()}, "ratios": ratios},
        ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
