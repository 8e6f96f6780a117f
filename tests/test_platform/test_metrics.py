"""/metrics: Prometheus series of requests, jobs, the upgrader and the schema pool, never on a public host."""

from __future__ import annotations

from django_tenants.utils import schema_context
from prometheus_client.parser import text_string_to_metric_families

from gorodok_tenants.models import MunicipalityCounter, UpgradeRun, UpgradeRunStatus
from tests.conftest import graphql

SCRAPER = "10.0.0.9:8000"  # Prometheus scrapes the pod's address


def _scrape(client):
    response = client.get("/metrics", HTTP_HOST=SCRAPER)
    assert response.status_code == 200, response.content
    families = {family.name: family for family in text_string_to_metric_families(response.content.decode())}
    return families


def _value(families, name, sample_name=None, **labels):
    family = families[name]
    for sample in family.samples:
        if sample.name == (sample_name or name) and all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    return None


def test_a_scrape_has_the_series_the_dashboard_and_alerts_use(client, alpha, db):
    before = _value(_scrape(client), "gorodok_http_requests", "gorodok_http_requests_total",
                    municipality=alpha.schema_name, method="POST", status="200") or 0
    status, _ = graphql(client, alpha.host, "{ __typename }")
    assert status == 200
    with schema_context("public"):
        UpgradeRun.objects.create(release="test-release", status=UpgradeRunStatus.HALTED)
        MunicipalityCounter.objects.update_or_create(municipality=alpha.municipality, key="appeals.overdue",
                                                     defaults={"value": 7})
        overdue = sum(MunicipalityCounter.objects.filter(key="appeals.overdue").values_list("value", flat=True))
    families = _scrape(client)

    assert _value(families, "gorodok_http_requests", "gorodok_http_requests_total",
                  municipality=alpha.schema_name, method="POST", status="200") == before + 1
    assert _value(families, "gorodok_http_request_duration_seconds", "gorodok_http_request_duration_seconds_count",
                  municipality=alpha.schema_name) >= 1
    assert _value(families, "gorodok_http_request_duration_seconds", "gorodok_http_request_duration_seconds_bucket",
                  municipality=alpha.schema_name, le="+Inf") >= 1
    assert _value(families, "gorodok_upgrade_run_status", status="halted") == 1
    assert _value(families, "gorodok_upgrade_run_status", status="done") == 0
    assert _value(families, "gorodok_region_counter", counter="appeals.overdue") == overdue >= 7
    for name in ("gorodok_database_up", "gorodok_jobs_deferred", "gorodok_jobs_failed_unresolved",
                 "gorodok_upgrade_municipalities_failed", "gorodok_municipalities_in_maintenance",
                 "gorodok_schema_pool_spares", "gorodok_schema_pool_target"):
        assert _value(families, name) is not None, name
    assert _value(families, "gorodok_database_up") == 1


def test_the_outbox_backlog_and_webhook_failures_per_municipality(client, alpha, beta, db):
    import uuid

    from gorodok_platform.integrations.models import OutboxEvent, WebhookDelivery, WebhookSubscription
    from gorodok_platform.integrations.services import api_client_create

    with schema_context(alpha.schema_name):
        for _ in range(3):
            OutboxEvent.objects.create(event_id=uuid.uuid4(), event_type="appeal.registered", payload={})
    with schema_context(beta.schema_name):
        api_client, _token = api_client_create(name="Портал", scopes=["webhooks"])
        subscription = WebhookSubscription.objects.create(client=api_client, url="https://example.ru/hook",
                                                          secret="s" * 32)
        for delivered in (False, False, True):
            WebhookDelivery.objects.create(subscription=subscription, event_uuid=uuid.uuid4(), delivered=delivered)
    families = _scrape(client)
    assert _value(families, "gorodok_outbox_backlog", municipality=alpha.schema_name) == 3
    assert _value(families, "gorodok_outbox_backlog", municipality=beta.schema_name) is None  # nothing waits
    assert _value(families, "gorodok_webhook_failures_last_hour", municipality=beta.schema_name) == 2
    assert _value(families, "gorodok_webhook_failures_last_hour", municipality=alpha.schema_name) is None


def test_metrics_are_not_served_on_municipality_or_region_hosts(client, alpha, region_host, db):
    for host in (alpha.host, region_host, "evil.example.com"):
        response = client.get("/metrics", HTTP_HOST=host)
        assert response.status_code == 404, host
        assert b"gorodok_" not in response.content
    assert client.get("/metrics", HTTP_HOST="[fd00::7]:8000").status_code == 200
    assert client.get("/metrics", HTTP_HOST="127.0.0.1:8000").status_code == 200


def test_the_shipped_alerts_and_dashboard_use_only_series_that_exist(client, alpha, db):
    import json
    import re
    from pathlib import Path

    import yaml

    monitoring = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
    rules = yaml.safe_load((monitoring / "alerts.yaml").read_text())["groups"][0]["rules"]
    dashboard = json.loads((monitoring / "grafana-dashboard.json").read_text())
    expressions = [rule["expr"] for rule in rules] + [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert {"GorodokSiteDown", "GorodokJobsFailing", "GorodokOutboxBacklogGrowing", "GorodokUpgradeFailed",
            "GorodokOverdueAppealsSurge"} <= {rule["alert"] for rule in rules}
    graphql(client, alpha.host, "{ __typename }")  # so the request series have samples
    served = set()
    for family in _scrape(client).values():
        served |= {sample.name for sample in family.samples} | {family.name}
    # The workers serve the job series (tests/test_platform/test_job_metrics.py scrapes them over HTTP).
    import dramatiq

    from gorodok_platform.jobs.metrics import job_metrics_registry

    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    for family in job_metrics_registry(dramatiq.get_broker(), {"default"}).collect():
        served |= {family.name + suffix for suffix in suffixes[family.type]}  # the series once a job ran
    used = {name for expression in expressions
            for name in re.findall(r"\b(?:gorodok|dramatiq)_[a-z_]+", expression)}
    assert used and used <= served, used - served
