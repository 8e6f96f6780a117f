"""Probes, request ids, the log context, structured logs and Sentry's scrubbing."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
import sentry_sdk
import structlog
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gorodok_platform.observability.logging import configure_logging
from gorodok_platform.observability.sentry import SCRUBBED, init_sentry, scrub_event
from tests.support.brokers import require_service

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")
QUERY = '{"query": "{ municipality { name } }"}'


@pytest.fixture(autouse=True)
def _clean_log_context():
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()


def post_graphql(client, host: str, **headers):
    return client.post("/graphql/", data=QUERY, content_type="application/json", HTTP_HOST=host, **headers)


# --- Probes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["alpha.test", "unknown-municipality.test", "evil.example.com", "bad host!"])
def test_healthz_answers_any_host_without_touching_the_database(client, db, host):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_readyz_without_broker_reports_in_process_jobs(client, db, settings):
    settings.BROKER_URL = ""
    response = client.get("/readyz", HTTP_HOST="evil.example.com")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "in-process"}}


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0", "amqp://guest:guest@127.0.0.1:1/%2F"])
def test_readyz_stays_ready_when_the_broker_is_unreachable(client, db, settings, url):
    # A broker outage must not take every web pod out of service: jobs wait in the database meanwhile.
    settings.BROKER_URL = url
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] not in ("ok", "in-process")


@pytest.mark.brokers
@pytest.mark.parametrize("service", ["redis", "rabbitmq"])
def test_readyz_with_a_reachable_broker(client, db, settings, service):
    settings.BROKER_URL = require_service(service)
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


# --- Request id and log context -------------------------------------------------------------------


def test_every_response_carries_a_fresh_request_id(client, alpha):
    first = post_graphql(client, alpha.host)
    second = post_graphql(client, alpha.host)
    assert first.status_code == 200
    assert GENERATED_ID.match(first["X-Request-ID"])
    assert GENERATED_ID.match(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert structlog.contextvars.get_contextvars()["request_id"] == second["X-Request-ID"]


def test_refused_requests_carry_a_request_id_too(client, db):
    response = post_graphql(client, "unknown-municipality.test")
    assert response.status_code == 404
    assert GENERATED_ID.match(response["X-Request-ID"])


@pytest.mark.parametrize("incoming", ["req-12345678", "0f8fad5b-d9cb-469f-a165-70867728950e", "a" * 64])
def test_sane_incoming_request_id_is_kept(client, alpha, incoming):
    response = post_graphql(client, alpha.host, HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] == incoming
    assert structlog.contextvars.get_contextvars()["request_id"] == incoming


@pytest.mark.parametrize("incoming", [
    "abc12345\r\nSet-Cookie: session=stolen",
    "abc12345\nforged log line",
    "a" * 200,
    "short",
    "<script>alert(1)</script>",
    "abc 12345 def",
])
def test_malicious_incoming_request_id_is_replaced(client, alpha, incoming):
    response = post_graphql(client, alpha.host, HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert GENERATED_ID.match(response["X-Request-ID"])
    assert structlog.contextvars.get_contextvars()["request_id"] == response["X-Request-ID"]


def test_request_binds_its_tenant_to_the_log_context(client, alpha, beta):
    assert post_graphql(client, alpha.host).status_code == 200
    assert structlog.contextvars.get_contextvars()["tenant"] == alpha.schema_name
    assert post_graphql(client, beta.host).status_code == 200
    assert structlog.contextvars.get_contextvars()["tenant"] == beta.schema_name


def test_tenant_of_a_previous_request_does_not_leak_into_the_next(client, alpha):
    assert post_graphql(client, alpha.host).status_code == 200
    assert structlog.contextvars.get_contextvars()["tenant"] == alpha.schema_name
    response = post_graphql(client, "unknown-municipality.test")
    assert response.status_code == 404
    assert "tenant" not in structlog.contextvars.get_contextvars()
    assert structlog.contextvars.get_contextvars()["request_id"] == response["X-Request-ID"]


# --- Structured logs ------------------------------------------------------------------------------


def _root_stream_handler() -> logging.StreamHandler:
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)
                and isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)]
    assert len(handlers) == 1, logging.getLogger().handlers
    return handlers[0]


@pytest.fixture
def json_log(settings):
    """Logs configured as in production (JSON lines) into a buffer; the test setup is restored after."""
    original_stream = _root_stream_handler().stream
    configure_logging(log_format="json", level="INFO")
    buffer = io.StringIO()
    _root_stream_handler().setStream(buffer)
    yield buffer
    configure_logging(log_format=settings.LOG_FORMAT, level=settings.LOG_LEVEL)
    _root_stream_handler().setStream(original_stream)


def _json_lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_json_log_lines_carry_tenant_and_request_id(json_log):
    structlog.contextvars.bind_contextvars(tenant="m_alpha", request_id="abc12345")
    logging.getLogger("gorodok.test").warning("обращение %s принято", "№7")
    [line] = _json_lines(json_log)
    assert line["event"] == "обращение №7 принято"
    assert line["level"] == "warning"
    assert line["logger"] == "gorodok.test"
    assert line["tenant"] == "m_alpha"
    assert line["request_id"] == "abc12345"
    assert "timestamp" in line


def test_json_log_keeps_an_exception_on_one_line(json_log):
    structlog.contextvars.bind_contextvars(tenant="m_beta")
    try:
        raise RuntimeError("line one\nline two")
    except RuntimeError:
        logging.getLogger("gorodok.test").exception("job crashed")
    [line] = _json_lines(json_log)
    assert line["event"] == "job crashed"
    assert line["level"] == "error"
    assert line["tenant"] == "m_beta"
    assert "RuntimeError: line one" in line["exception"]


def test_structlog_loggers_write_the_same_json(json_log):
    structlog.contextvars.bind_contextvars(tenant="m_alpha", request_id="abc12345")
    structlog.get_logger("gorodok.test").info("report built", rows=3)
    [line] = _json_lines(json_log)
    assert (line["event"], line["rows"]) == ("report built", 3)
    assert (line["tenant"], line["level"]) == ("m_alpha", "info")


# --- Sentry ---------------------------------------------------------------------------------------


def test_scrub_event_removes_personal_data():
    event = {
        "user": {"id": 7, "email": "ivanov@example.ru", "ip_address": "10.0.0.1"},
        "request": {
            "url": "https://alpha.example.ru/graphql/",
            "method": "POST",
            "data": {"query": "mutation { appeal(text: \"...\") }"},
            "cookies": {"gorodok_session": "secret"},
            "query_string": "email=ivanov@example.ru",
            "env": {"REMOTE_ADDR": "10.0.0.1"},
            "headers": {"Authorization": "Bearer token", "Cookie": "gorodok_session=secret",
                        "X-Forwarded-For": "10.0.0.1", "X-Real-IP": "10.0.0.1", "Accept": "application/json"},
        },
        "extra": {"citizen_email": "ivanov@example.ru", "Phone": "+79991234567",
                  "passport_number": "0101 123456",
                  "snils": "123-456-789 00", "api_token": "t", "full_name": "Иванов", "appeal_count": 3},
        "contexts": {"payload": {"address": "ул. Ленина, 1", "status": "new"}},
        "tags": {"tenant": "m_alpha"},
    }
    scrubbed = scrub_event(event, {})
    assert "user" not in scrubbed
    request = scrubbed["request"]
    assert not {"data", "cookies", "query_string", "env"} & set(request)
    assert request["url"] == "https://alpha.example.ru/graphql/"
    assert request["headers"] == {"Authorization": SCRUBBED, "Cookie": SCRUBBED, "X-Forwarded-For": SCRUBBED,
                                  "X-Real-IP": SCRUBBED, "Accept": "application/json"}
    assert scrubbed["extra"] == {
        "citizen_email": SCRUBBED, "Phone": SCRUBBED, "passport_number": SCRUBBED, "snils": SCRUBBED,
        "api_token": SCRUBBED, "full_name": SCRUBBED, "appeal_count": 3,
    }
    assert scrubbed["contexts"]["payload"] == {"address": SCRUBBED, "status": "new"}
    assert scrubbed["tags"] == {"tenant": "m_alpha"}
    assert "ivanov" not in json.dumps(scrubbed, ensure_ascii=False)


def test_scrub_event_accepts_events_without_request_or_extra():
    assert scrub_event({"message": "boom"}, None) == {"message": "boom"}


@pytest.fixture
def restore_sentry():
    scope = sentry_sdk.get_global_scope()
    previous = scope.client
    yield
    sentry_sdk.get_client().close(timeout=0)
    scope.set_client(previous)


def test_init_sentry_without_dsn_does_nothing(restore_sentry):
    before = sentry_sdk.get_global_scope().client
    assert init_sentry(dsn="", environment="test") is False
    assert sentry_sdk.get_global_scope().client is before
    assert not sentry_sdk.get_client().is_active()


def test_init_sentry_sends_no_personal_data(restore_sentry):
    # A local DSN on the discard port: nothing can leave this machine.
    assert init_sentry(dsn="https://public@127.0.0.1:9/1", environment="test", release="1.2.3") is True
    client = sentry_sdk.get_client()
    assert client.is_active()
    assert client.options["send_default_pii"] is False
    assert client.options["before_send"] is scrub_event
    assert client.options["max_request_body_size"] == "never"
    assert (client.options["environment"], client.options["release"]) == ("test", "1.2.3")


def test_sentry_is_off_again_after_the_previous_test():
    assert not sentry_sdk.get_client().is_active()
