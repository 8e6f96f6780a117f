"""Dates and times on a municipality's host are in its own time zone."""

from datetime import UTC, datetime

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from gorodok_tenants.routing import TenantTimezoneMiddleware


def _zone_during_request(tenant):
    seen = {}

    def view(request):
        seen["zone"] = str(timezone.get_current_timezone())
        seen["local"] = timezone.localtime(datetime(2026, 12, 31, 17, 30, tzinfo=UTC))
        return HttpResponse()

    request = RequestFactory().get("/")
    request.tenant = tenant
    TenantTimezoneMiddleware(view)(request)
    return seen


def test_requests_run_in_the_municipality_zone(alpha):
    seen = _zone_during_request(alpha.municipality)
    assert seen["zone"] == "Asia/Krasnoyarsk"
    # 17:30 UTC on 31 December is already 00:30 on 1 January in Krasnoyarsk (UTC+7).
    assert (seen["local"].year, seen["local"].hour, seen["local"].minute) == (2027, 0, 30)
    assert str(timezone.get_current_timezone()) == "UTC"  # deactivated after the request


def test_another_zone_is_respected(alpha):
    alpha.municipality.timezone = "Asia/Yakutsk"
    seen = _zone_during_request(alpha.municipality)
    assert seen["zone"] == "Asia/Yakutsk"
    assert seen["local"].hour == 2
