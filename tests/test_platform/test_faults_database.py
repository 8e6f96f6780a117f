"""Database faults: a PostgreSQL the test starts on a free port, then stops or freezes (SIGSTOP).

During an outage every API answers a 503 in its own error shape with Retry-After, the back office a
readable page; a frozen database fails a request within the connect timeout instead of hanging it.
"""

from __future__ import annotations

import json
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from tests.conftest import login
from tests.support.faults import PostgresInstance, deadline, pointed_at

pytestmark = pytest.mark.faults

GOOD_LOOKING_TOKEN = "gk_0123456789ab_" + "a" * 43


@pytest.fixture(scope="module")
def private_pg():
    server = PostgresInstance().start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def no_raise_client():
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")


def _graphql(client, host: str, **extra):
    return client.post("/graphql/", data=json.dumps({"query": "{ __typename }"}), content_type="application/json",
                       HTTP_HOST=host, **extra)


def _assert_graphql_503(response) -> None:
    assert response.status_code == 503, response.content[:300]
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert body["errors"][0]["message"]
    assert int(response["Retry-After"]) > 0


def test_a_database_outage_answers_503_in_the_shape_of_each_surface(municipalities, private_pg, django_db_blocker,
                                                                    no_raise_client, region_host):
    alpha = municipalities["alpha"]
    client = no_raise_client
    with django_db_blocker.unblock():
        # The database is up: the host is resolved once and cached (no query for it afterwards).
        assert client.get("/open311/v2/services.json", HTTP_HOST=alpha.host).status_code == 200
        login(client, alpha.host, alpha.admin_email)  # a clerk signed in to the back office
        private_pg.stop()
        with pointed_at(connection, private_pg.database_settings(connection.settings_dict)), deadline(60):
            # The API-client lookup (middleware, before the view) is the first to need the database.
            _assert_graphql_503(_graphql(client, alpha.host, HTTP_AUTHORIZATION=f"Bearer {GOOD_LOOKING_TOKEN}"))
            _assert_graphql_503(_graphql(client, region_host, HTTP_AUTHORIZATION=f"Bearer {GOOD_LOOKING_TOKEN}"))

            listing = client.get("/open311/v2/requests.json", HTTP_HOST=alpha.host)
            assert listing.status_code == 503 and listing["Retry-After"]
            assert listing.json()[0]["code"] == 503 and listing.json()[0]["description"]
            xml = client.get("/open311/v2/requests.xml", HTTP_HOST=alpha.host)
            assert xml.status_code == 503 and b"<errors><error><code>503</code>" in xml.content

            page = client.get("/admin/", HTTP_HOST=alpha.host, HTTP_ACCEPT_LANGUAGE="ru")
            assert page.status_code == 503 and page["Content-Type"].startswith("text/html")
            assert 'lang="ru"' in page.content.decode() and "Сервис временно недоступен" in page.content.decode()

            cache.clear()  # host routing itself needs the database now
            _assert_graphql_503(_graphql(client, alpha.host))
            other = client.get("/nothing-here/", HTTP_HOST=alpha.host)
            assert other.status_code == 503 and other.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        private_pg.start()


def test_a_frozen_database_fails_requests_fast_instead_of_hanging_them(municipalities, private_pg,
                                                                        django_db_blocker, no_raise_client, settings):
    from gorodok_platform.observability.health import PROBE_TIMEOUT_SECONDS

    alpha = municipalities["alpha"]
    with django_db_blocker.unblock(), \
            pointed_at(connection, private_pg.database_settings(connection.settings_dict)), deadline(40):
        private_pg.freeze()
        try:
            started = time.monotonic()
            response = _graphql(no_raise_client, alpha.host)
            graphql_seconds = time.monotonic() - started
            _assert_graphql_503(response)
        finally:
            private_pg.thaw()
        # The process's own connection is open when the server freezes: the probe does not use it.
        connection.ensure_connection()
        private_pg.freeze()
        try:
            started = time.monotonic()
            ready = no_raise_client.get("/readyz")
            readyz_seconds = time.monotonic() - started
            assert ready.status_code == 503 and ready.json()["checks"]["database"] != "ok"
        finally:
            private_pg.thaw()
    print(f"frozen database: GraphQL answered 503 in {graphql_seconds:.2f} s, /readyz in {readyz_seconds:.2f} s")
    assert graphql_seconds < settings.DATABASE_CONNECT_TIMEOUT + 3
    assert readyz_seconds < PROBE_TIMEOUT_SECONDS + 2


def test_a_request_on_a_connection_opened_before_the_freeze_is_cut_at_the_deadline(
        municipalities, private_pg, django_db_blocker, no_raise_client, settings):
    """The server cannot enforce its statement timeout while frozen: the request's deadline does."""
    settings.DATABASE_REQUEST_DEADLINE = 2
    alpha = municipalities["alpha"]
    with django_db_blocker.unblock(), \
            pointed_at(connection, private_pg.database_settings(connection.settings_dict)), deadline(30):
        # Kept between requests, the connection is open when the server freezes.
        connection.ensure_connection()
        connection.close_if_unusable_or_obsolete = lambda: None  # as with CONN_MAX_AGE: kept, not checked
        private_pg.freeze()
        try:
            started = time.monotonic()
            response = _graphql(no_raise_client, alpha.host)
            seconds = time.monotonic() - started
        finally:
            private_pg.thaw()
    print(f"frozen database, open connection: GraphQL answered 503 in {seconds:.2f} s")
    _assert_graphql_503(response)
    assert seconds < settings.DATABASE_REQUEST_DEADLINE + 2
