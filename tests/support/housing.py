"""Helpers for the housing and utilities tests: register objects with profiles, made through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django_tenants.utils import schema_context

from gorodok_services.assets import services as asset_services
from gorodok_services.assets.housing import services
from tests.support.assets import building, holder

APARTMENT_BUILDING = {"housing_kind": "apartment_building", "year_built": 1974, "floors": 5, "entrances": 3,
                      "apartments": 60, "total_area": Decimal("2870.00"), "living_area": Decimal("2010.00"),
                      "wall_material": "brick", "wear_percent": 52, "wear_assessed_on": date(2024, 6, 10)}
HEAT_NETWORK = {"kind": "heat_network", "length_m": Decimal("1350.00"), "diameter_mm": 219, "year_laid": 1979,
                "wear_percent": 72}
BOILER_HOUSE = {"kind": "boiler_house", "capacity": Decimal("12.5"), "capacity_unit": "gcal_h", "wear_percent": 46}


def real_estate(tenant, kind: str, name: str, cadastral: str = "", included_on: date = date(2015, 3, 12), **extra):
    return building(tenant, kind=kind, name=name, cadastral_number=cadastral, latitude=None, longitude=None,
                    included_on=included_on, **extra)


def apartment_building(tenant, name: str = "Многоквартирный дом, ул. Советская, 12", **profile):
    asset = real_estate(tenant, "building", name)
    with schema_context(tenant.schema_name):
        services.housing_profile_set(asset=asset, values={**APARTMENT_BUILDING, **profile})
    return asset


def network(tenant, name: str = "Тепловая сеть, участок ул. Ленина", **profile):
    asset = real_estate(tenant, "structure", name)
    with schema_context(tenant.schema_name):
        services.utility_profile_set(asset=asset, values={**HEAT_NETWORK, **profile})
    return asset


def remove(tenant, asset, on: date) -> None:
    with schema_context(tenant.schema_name):
        asset_services.asset_remove(asset=asset, removed_on=on, reason="снос", document=asset_services.DocumentInput(
            kind="write_off", number="1", date=on))


__all__ = ["APARTMENT_BUILDING", "BOILER_HOUSE", "HEAT_NETWORK", "apartment_building", "holder", "network",
           "real_estate", "remove"]
