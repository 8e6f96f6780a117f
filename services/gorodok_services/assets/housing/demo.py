"""Demo housing stock and utilities (``make run``): apartment buildings of every condition, one recognised in
disrepair by a decision, a municipal flat in one of them, heat and water network sections and a boiler
house, made through the services once (a second run finds them and makes nothing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gorodok_services.assets import services as asset_services
from gorodok_services.assets.housing import services
from gorodok_services.assets.housing.models import HousingProfile, UtilityProfile
from gorodok_services.assets.models import Asset, Holder

# name, address, cadastral number, area, balance, residual, housing profile
BUILDINGS = [
    ("Многоквартирный дом, ул. Космонавтов, 7", "ул. Космонавтов, 7", "19:01:010120:40", "4310.00",
     "98000000.00", "86000000.00",
     {"year_built": 2012, "floors": 9, "entrances": 4, "apartments": 144, "living_area": "3020.00",
      "wall_material": "panel", "wear_percent": 12}),
    ("Многоквартирный дом, ул. Юбилейная, 3", "ул. Юбилейная, 3", "19:01:010125:12", "3150.00",
     "52000000.00", "34000000.00",
     {"year_built": 1986, "floors": 5, "entrances": 4, "apartments": 80, "living_area": "2240.00",
      "wall_material": "brick", "wear_percent": 38}),
    ("Многоквартирный дом, ул. Пушкина, 41", "ул. Пушкина, 41", "19:01:010130:8", "1240.00",
     "14000000.00", "3100000.00",
     {"year_built": 1961, "floors": 2, "entrances": 2, "apartments": 16, "living_area": "870.00",
      "wall_material": "wood", "wear_percent": 67}),
    ("Многоквартирный дом, ул. Шахтёрская, 15", "ул. Шахтёрская, 15", "19:01:010140:21", "690.00",
     "4200000.00", "210000.00",
     {"year_built": 1948, "floors": 2, "entrances": 1, "apartments": 8, "living_area": "512.00",
      "wall_material": "frame", "wear_percent": 84, "emergency": True, "emergency_decision_number": "118-п",
      "emergency_decision_date": date(2023, 11, 20), "planned_action": "demolition",
      "resettlement_planned_on": date(2026, 12, 31)}),
]
# The register's own demo objects (assets/demo.py) that get profiles here.
EXISTING_HOUSING = {
    "Многоквартирный дом": {"housing_kind": "apartment_building", "year_built": 1974, "floors": 5, "entrances": 3,
                            "apartments": 60, "total_area": "2870.00", "living_area": "2010.00",
                            "wall_material": "block", "wear_percent": 52, "wear_assessed_on": date(2024, 6, 10)},
}
EXISTING_UTILITY = {
    "Тепловая сеть, участок ул. Ленина — ул. Пушкина": {
        "kind": "heat_network", "length_m": "1350.00", "diameter_mm": 219, "year_laid": 1979, "wear_percent": 72},
    "Тепловая сеть, участок ул. Советская": {
        "kind": "heat_network", "length_m": "820.00", "diameter_mm": 159, "year_laid": 2009, "wear_percent": 28},
    "Котельная № 2": {"kind": "boiler_house", "capacity": "12.500", "capacity_unit": "gcal_h", "wear_percent": 46},
}
NETWORKS = [
    ("Водопровод, участок ул. Космонавтов — ул. Юбилейная", "ул. Космонавтов — ул. Юбилейная",
     "19:01:000000:1460", "2100.00", "9800000.00", "2900000.00",
     {"kind": "water_supply", "length_m": "2100.00", "diameter_mm": 150, "year_laid": 1984, "wear_percent": 63}),
    ("Канализационный коллектор, ул. Шахтёрская", "ул. Шахтёрская", "19:01:000000:1461", "940.00",
     "6300000.00", "1500000.00",
     {"kind": "sewer", "length_m": "940.00", "diameter_mm": 300, "year_laid": 1969, "wear_percent": 81}),
]


def seed_demo_housing(holders: dict[str, Holder], *, town: str) -> int:
    """Create the demo housing and utilities in the current schema; returns how many things it made."""
    made = 0
    treasury, utility = holders["treasury"], holders["utility"]
    existing = {asset.name: asset for asset in Asset.objects.filter(holder__in=holders.values())}
    acquired = asset_services.DocumentInput(kind="decision", number="15-р", date=date(2015, 3, 12),
                                            issuer=f"Администрация {town}")

    def object_for(name, kind, address, cadastral, holder, right, balance, residual, **measure) -> Asset:
        nonlocal made
        if name in existing:
            return existing[name]
        asset = asset_services.asset_create(values={
            "kind": kind, "name": name, "address": f"Республика Хакасия, {address}", "cadastral_number": cadastral,
            "right_type": right, "holder": holder, "balance_value": Decimal(balance),
            "residual_value": Decimal(residual), "values_date": date(2025, 1, 1), "included_on": date(2015, 3, 12),
            **{k: Decimal(v) for k, v in measure.items()}})
        asset_services.asset_document_add(asset=asset, role="acquisition", document=acquired)
        made += 1
        existing[name] = asset
        return asset

    def housing(asset: Asset, values: dict) -> None:
        nonlocal made
        if not HousingProfile.objects.filter(asset=asset).exists():
            services.housing_profile_set(asset=asset, values=values)
            made += 1

    def utility_profile(asset: Asset, values: dict) -> None:
        nonlocal made
        if not UtilityProfile.objects.filter(asset=asset).exists():
            services.utility_profile_set(asset=asset, values=values)
            made += 1

    for name, address, cadastral, area, balance, residual, profile in BUILDINGS:
        asset = object_for(name, "building", address, cadastral, treasury, "ownership", balance, residual, area=area)
        housing(asset, {"housing_kind": "apartment_building", "total_area": area,
                        "wear_assessed_on": date(2024, 6, 10), **profile})
    for name, values in EXISTING_HOUSING.items():
        if name in existing:
            housing(existing[name], values)
    flat = existing.get("Квартира № 14")
    building = existing.get("Многоквартирный дом")
    if flat is not None:
        housing(flat, {"housing_kind": "municipal_premises", "building": building, "total_area": "48.60",
                       "living_area": "31.20", "wear_percent": 52, "wear_assessed_on": date(2024, 6, 10)})
    for name, values in EXISTING_UTILITY.items():
        if name in existing:
            utility_profile(existing[name], {"wear_assessed_on": date(2024, 9, 1), **values})
    for name, address, cadastral, length, balance, residual, profile in NETWORKS:
        asset = object_for(name, "structure", address, cadastral, utility, "economic_management", balance,
                           residual, length=length)
        utility_profile(asset, {"wear_assessed_on": date(2024, 9, 1), **profile})
    return made
