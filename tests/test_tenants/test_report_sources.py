"""Report sources are found in the registry and computed inside the municipality's schema."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from gorodok_tenants.modules import municipality_set_module
from gorodok_tenants.modules.report_sources import report_source_compute, report_source_labels, report_sources
from tests.support.appeals import receive, register


def test_the_appeals_sources_are_registered():
    assert {"appeals.received", "appeals.questions", "appeals.open_at_end", "appeals.considered_late"} <= set(
        report_sources())
    with translation.override("ru"):
        assert report_source_labels()["appeals.received"] == "Обращения граждан: обращений поступило за период"


def test_figures_are_each_municipalitys_own(alpha, beta):
    today = timezone.localdate()
    window = {"date_from": today - timedelta(days=1), "date_to": today + timedelta(days=1)}
    before = {m.schema_name: report_source_compute(municipality=m.municipality, key="appeals.received", **window)
              for m in (alpha, beta)}
    register(alpha, receive(alpha, external_number="RS-1"))
    receive(alpha, external_number="RS-2")
    after = report_source_compute(municipality=alpha.municipality, key="appeals.received",
                                  date_from=today - timedelta(days=1), date_to=today + timedelta(days=1))
    assert after == before[alpha.schema_name] + 2
    assert report_source_compute(municipality=beta.municipality, key="appeals.received",
                                 date_from=today - timedelta(days=1),
                                 date_to=today + timedelta(days=1)) == before[beta.schema_name]
    assert report_source_compute(municipality=alpha.municipality, key="appeals.open_at_end",
                                 date_from=today - timedelta(days=1), date_to=today + timedelta(days=1)) >= 2


def test_switched_off_unknown_and_reversed(alpha):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        report_source_compute(municipality=alpha.municipality, key="nothing.here", date_from=today, date_to=today)
    with pytest.raises(ValidationError):
        report_source_compute(municipality=alpha.municipality, key="appeals.received", date_from=today,
                              date_to=today - timedelta(days=1))
    switched_off = municipality_set_module(municipality=alpha.municipality, code="appeals", enabled=False)
    assert report_source_compute(municipality=switched_off, key="appeals.received", date_from=today,
                                 date_to=today) is None
