"""Demo depreciation terms (``make run``): the municipality's defaults per kind and one object's own
terms, made through the services once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gorodok_services.assets.depreciation import services
from gorodok_services.assets.depreciation.models import CategoryDefault
from gorodok_services.assets.models import Asset

DEFAULTS = (
    ("building", "linear", 600, None),
    ("structure", "linear", 360, None),
    ("premises", "linear", 600, None),
    ("vehicle", "reducing_balance", 84, Decimal("2.00")),
    ("equipment", "linear", 60, None),
)


def seed_demo_depreciation() -> int:
    if CategoryDefault.objects.exists():
        return 0
    for kind, method, life, coefficient in DEFAULTS:
        services.depreciation_default_set(kind=kind, method=method, useful_life_months=life, coefficient=coefficient)
    server = Asset.objects.filter(name="Сервер виртуализации").first()
    if server is not None:
        services.depreciation_profile_set(asset=server, commissioned_on=date(2020, 3, 2), useful_life_months=84)
    return len(DEFAULTS)
