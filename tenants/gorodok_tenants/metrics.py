"""The municipalities layer's series on ``/metrics``: the last upgrade run, the spare schema pool and the
modules' counters summed over the region (kept current by the counter jobs, so a scrape reads one table)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Sum
from django_tenants.utils import schema_context
from prometheus_client.core import GaugeMetricFamily, Metric


def tenant_metrics() -> Iterable[Metric]:
    from gorodok_tenants.models import (
        Municipality,
        MunicipalityCounter,
        UpgradeRun,
        UpgradeRunStatus,
        UpgradeTenantState,
        UpgradeTenantStatus,
    )
    from gorodok_tenants.provisioning.pool import SPARE_PREFIX, pool_size

    with schema_context("public"):
        run = UpgradeRun.objects.order_by("-started_at").first()
        failed = (UpgradeTenantState.objects.filter(run=run, status=UpgradeTenantStatus.FAILED).count() if run else 0)
        in_maintenance = Municipality.objects.filter(maintenance_since__isnull=False).count()
        totals = list(MunicipalityCounter.objects.values_list("key").annotate(total=Sum("value")).order_by("key"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname LIKE %s",
                           [SPARE_PREFIX.replace("_", "\\_") + "%"])
            spares = cursor.fetchone()[0]
    status = GaugeMetricFamily("gorodok_upgrade_run_status", "1 for the state of the last upgrade run.",
                               labels=["status"])
    for value in UpgradeRunStatus.values:
        status.add_metric([value], 1 if run is not None and run.status == value else 0)
    yield status
    yield GaugeMetricFamily("gorodok_upgrade_municipalities_failed",
                            "Municipalities the last upgrade run could not upgrade.", value=failed)
    yield GaugeMetricFamily("gorodok_municipalities_in_maintenance",
                            "Municipalities answering 503 while their schema is upgraded or archived.",
                            value=in_maintenance)
    region = GaugeMetricFamily("gorodok_region_counter",
                               "A module's counter summed over the region's municipalities (e.g. overdue appeals).",
                               labels=["counter"])
    for key, total in totals:
        region.add_metric([key], total or 0)
    yield region
    yield GaugeMetricFamily("gorodok_schema_pool_spares", "Spare schemas ready for new municipalities.",
                            value=spares)
    yield GaugeMetricFamily("gorodok_schema_pool_target", "How many spare schemas the pool keeps.",
                            value=pool_size())
