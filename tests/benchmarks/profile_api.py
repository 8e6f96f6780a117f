"""A profile of one GraphQL appeals-list request, in-process: where the time of the request goes.

    GORODOK_ENV=test python tests/benchmarks/profile_api.py [--requests N] [--top K]

Fills the same throwaway database as tests/benchmarks/api.py (one municipality, 200 appeals, an API
client with appeals:read), sends a few warm-up requests through Django's test client with the bearer
token and the municipality's host, then profiles N more with cProfile and prints the K functions with
the most cumulative and the most own time, and the mean milliseconds per request with and without the
profiler. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time

import api


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="profiled requests (default 50)")
    parser.add_argument("--top", type=int, default=25, help="functions listed (default 25)")
    options = parser.parse_args(argv)
    # One caller sends every request: its time budget (30 s a minute) would refuse the profiled ones.
    os.environ.setdefault("GRAPHQL_TIME_BUDGET_SECONDS", "100000")
    _, maintenance_url = api._prepare_environment()
    api._recreate_database(maintenance_url)
    try:
        import django

        django.setup()
        from django.test import Client

        host, token = api._fill()
        client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {token}")
        body = json.dumps({"query": api.QUERY, "variables": {"first": api.PAGE_SIZE}})

        def send():
            response = client.post("/graphql/", data=body, content_type="application/json")
            if response.status_code != 200:
                raise RuntimeError(response.content[:300])

        for _ in range(10):
            send()
        started = time.perf_counter()
        for _ in range(options.requests):
            send()
        plain_ms = (time.perf_counter() - started) * 1000 / options.requests
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(options.requests):
            send()
        profiler.disable()
        profiled_ms = (time.perf_counter() - started) * 1000 / options.requests
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(options.top)
            print(out.getvalue())
        print(json.dumps({"benchmark": "profile_api", "params": {"requests": options.requests},
                          "figures": {"ms_per_request": round(plain_ms, 2),
                                      "ms_per_request_profiled": round(profiled_ms, 2)}, "ratios": {}}))
    finally:
        from django.db import connections

        connections.close_all()
        api._recreate_database(maintenance_url, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
