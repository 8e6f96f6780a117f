"""The public status lookup reserves an attempt before it checks a code: concurrent requests, each
with several aliases, never check more codes than the attempts left."""

from __future__ import annotations

import json
import threading

from django.db import connection
from django.test import Client

ALIASES = 3
THREADS = 12
QUERY = "query {" + " ".join(
    f'a{n}: appealStatus(registrationNumber: "ОГ-1999-0000{n}", accessCode: "WRONG{n}") {{ status }}'
    for n in range(ALIASES)) + " }"


def _post(host: str) -> dict:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/graphql/", data=json.dumps({"query": QUERY}), content_type="application/json", HTTP_HOST=host)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _checked(body: dict) -> int:
    """How many aliases were evaluated (answered null without a RATE_LIMITED error)."""
    limited = {error["path"][0] for error in body.get("errors", ())
               if error.get("extensions", {}).get("code") == "RATE_LIMITED"}
    other = [error for error in body.get("errors", ()) if error.get("extensions", {}).get("code") != "RATE_LIMITED"]
    assert not other, other
    return sum(1 for name in body["data"] if name not in limited)


def test_concurrent_aliased_lookups_never_exceed_the_attempts_left(municipalities, django_db_blocker, settings):
    settings.APPEAL_STATUS_LOOKUP_ATTEMPTS = 10
    alpha = municipalities["alpha"]
    with django_db_blocker.unblock():
        first = _post(alpha.host)  # three attempts spent: seven left
        assert _checked(first) == ALIASES
        barrier = threading.Barrier(THREADS)
        bodies: list = [None] * THREADS

        def run(index: int) -> None:
            try:
                barrier.wait(timeout=10)
                bodies[index] = _post(alpha.host)
            except Exception as error:  # shown by the assertion below
                bodies[index] = error
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert all(isinstance(body, dict) for body in bodies), bodies
    checked = sum(_checked(body) for body in bodies)
    assert checked == 10 - ALIASES, checked


def test_a_single_request_with_many_aliases_stops_at_the_limit(client, alpha, settings):
    settings.APPEAL_STATUS_LOOKUP_ATTEMPTS = 2
    body = _post(alpha.host)
    assert _checked(body) == 2
    assert {error["extensions"]["code"] for error in body["errors"]} == {"RATE_LIMITED"}
