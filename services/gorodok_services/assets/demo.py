"""Demo data of the property register (``make run``): a small town's register with Russian names and
Khakassia addresses, made through the services, once (a second run finds everything and makes nothing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from gorodok_services.assets import lifecycle, services
from gorodok_services.assets.housing.demo import seed_demo_housing
from gorodok_services.assets.models import Asset, Holder
from gorodok_services.core.identifiers import inn_complete, ogrn_complete


def _holder_specs(town: str) -> list[dict]:
    def ids(n: int) -> dict:
        return {"inn": inn_complete(f"19010{n:04d}"), "ogrn": ogrn_complete(f"10219010{n:04d}")}

    return [
        {"key": "admin", "kind": "administration", "name": f"Администрация муниципального образования {town}",
         "short_name": "Администрация", "address": "Республика Хакасия, ул. Ленина, 67",
         "head_name": "Петров Сергей Николаевич", "head_position": "Глава", **ids(1)},
        {"key": "treasury", "kind": "treasury", "name": f"Муниципальная казна {town}", "short_name": "Казна",
         "address": "Республика Хакасия, ул. Ленина, 67", **ids(2)},
        {"key": "school", "kind": "institution", "name": "МБОУ «Средняя общеобразовательная школа № 1»",
         "short_name": "СОШ № 1", "address": "Республика Хакасия, ул. Щетинкина, 20",
         "head_name": "Кызласова Анна Петровна", "head_position": "Директор", **ids(3)},
        {"key": "kindergarten", "kind": "institution", "name": "МБДОУ «Детский сад „Солнышко“»",
         "short_name": "Детский сад «Солнышко»", "address": "Республика Хакасия, ул. Пушкина, 5",
         "head_name": "Чебодаева Ольга Ивановна", "head_position": "Заведующая", **ids(4)},
        {"key": "utility", "kind": "enterprise", "name": "МУП «Тепловые сети»", "short_name": "МУП «Тепловые сети»",
         "address": "Республика Хакасия, ул. Промышленная, 3", "head_name": "Тодышев Алексей Викторович",
         "head_position": "Директор", **ids(5)},
    ]


REAL_ESTATE = [
    ("admin", "building", "Здание администрации", "административное", "ул. Ленина, 67", "19:01:010101:101",
     "1250.40", None, "operational_management", "18500000.00", "9200000.00", (53.7213, 91.4425)),
    ("school", "building", "Здание школы № 1", "образовательное", "ул. Щетинкина, 20", "19:01:010203:215",
     "3420.00", None, "operational_management", "64000000.00", "31000000.00", (53.7190, 91.4290)),
    ("kindergarten", "building", "Здание детского сада «Солнышко»", "дошкольное образование", "ул. Пушкина, 5",
     "19:01:010305:77", "980.50", None, "operational_management", "22000000.00", "15400000.00", (53.7255, 91.4512)),
    ("school", "land_plot", "Земельный участок под школой № 1", "для размещения школы", "ул. Щетинкина, 20",
     "19:01:010203:14", "12000.00", None, "permanent_use", "3600000.00", "3600000.00", (53.7191, 91.4288)),
    ("treasury", "land_plot", "Земельный участок у реки Абакан", "рекреация", "ул. Набережная",
     "19:01:020401:9", "25000.00", None, "ownership", "2100000.00", "2100000.00", (53.7150, 91.4100)),
    ("treasury", "building", "Многоквартирный дом", "жилое", "ул. Советская, 12", "19:01:010110:55",
     "2870.00", None, "ownership", "41000000.00", "12500000.00", (53.7230, 91.4380)),
    ("treasury", "premises", "Квартира № 14", "жилое помещение", "ул. Советская, 12, кв. 14", "19:01:010110:312",
     "48.60", None, "ownership", "1900000.00", "1300000.00", None),
    ("utility", "structure", "Тепловая сеть, участок ул. Ленина — ул. Пушкина", "теплоснабжение",
     "ул. Ленина — ул. Пушкина", "19:01:000000:1450", None, "1350.00", "economic_management", "27500000.00",
     "8100000.00", (53.7240, 91.4470)),
    ("utility", "structure", "Тепловая сеть, участок ул. Советская", "теплоснабжение", "ул. Советская",
     "19:01:000000:1451", None, "820.00", "economic_management", "16800000.00", "4900000.00", (53.7228, 91.4395)),
    ("utility", "building", "Котельная № 2", "производство тепловой энергии", "ул. Промышленная, 3",
     "19:01:030101:18", "640.00", None, "economic_management", "35000000.00", "17800000.00", (53.7102, 91.4601)),
]

MOVABLE = [
    ("admin", "vehicle", "Легковой автомобиль", {"make": "Lada", "model": "Vesta", "year": 2021,
                                                 "vin": "XTAGFK330MY512345", "plate": "Т123ТТ19"},
     "operational_management", "1150000.00", "690000.00", False),
    ("school", "vehicle", "Школьный автобус", {"make": "ПАЗ", "model": "32053-70", "year": 2019,
                                               "vin": "X1M3205BXK0001234", "plate": "А456АА19"},
     "operational_management", "3200000.00", "1280000.00", True),
    ("utility", "vehicle", "Экскаватор-погрузчик", {"make": "JCB", "model": "3CX", "year": 2018},
     "economic_management", "6100000.00", "2440000.00", False),
    ("admin", "equipment", "Сервер виртуализации", {"make": "Dell", "model": "PowerEdge R750",
                                                    "inventory_number": "ОС-0142", "serial_number": "7XK2P93"},
     "operational_management", "1480000.00", "1110000.00", False),
    ("admin", "equipment", "Система хранения данных", {"make": "Huawei", "model": "OceanStor 2200",
                                                       "inventory_number": "ОС-0143"},
     "operational_management", "920000.00", "700000.00", False),
    ("school", "equipment", "Компьютерный класс (15 рабочих мест)", {"inventory_number": "ОС-2210"},
     "operational_management", "1350000.00", "540000.00", True),
    ("admin", "equipment", "Персональный компьютер", {"make": "Aquarius", "inventory_number": "МЦ-0311"},
     "operational_management", "68000.00", "0.00", False),  # below the threshold: tracked, not in the extract
    ("treasury", "stake", "Доля в уставном капитале ООО «Водоканал»", {"share_percent": Decimal("25")},
     "ownership", "2500000.00", "2500000.00", False),
]


# Working lives of a few movables: a car under repair after a breakdown, the old computer written off.
DEMO_TRANSITIONS = {
    "Легковой автомобиль": (("under_repair", date(2025, 10, 6), "акт дефектовки № 14 от 06.10.2025"),),
    "Персональный компьютер": (("in_reserve", date(2024, 9, 2), "распоряжение № 88-р"),
                               ("written_off", date(2025, 2, 17), "акт о списании № 3 от 17.02.2025")),
}


def seed_demo_assets() -> int:
    """Create the demo register in the current schema; returns how many objects it made."""
    town = getattr(getattr(connection, "tenant", None), "name", "") or "Городок"
    made = 0
    with transaction.atomic():
        holders: dict[str, Holder] = {}
        for spec in _holder_specs(town):
            key = spec.pop("key")
            holder = Holder.objects.filter(inn=spec["inn"]).first()
            if holder is None:
                holder = services.holder_create(values=spec)
                made += 1
            holders[key] = holder
        existing = set(Asset.objects.filter(holder__in=holders.values()).values_list("name", flat=True))
        acquired = services.DocumentInput(kind="decision", number="15-р", date=date(2015, 3, 12),
                                          issuer=f"Администрация {town}")
        for (key, kind, name, purpose, address, cadastral, area, length, right, balance, residual,
             point) in REAL_ESTATE:
            if name in existing:
                continue
            values = {"kind": kind, "name": name, "purpose": purpose, "address": f"Республика Хакасия, {address}",
                      "cadastral_number": cadastral, "cadastral_date": date(2012, 6, 1), "right_type": right,
                      "holder": holders[key], "balance_value": Decimal(balance), "residual_value": Decimal(residual),
                      "values_date": date(2025, 1, 1), "included_on": date(2015, 3, 12),
                      "area": Decimal(area) if area else None, "length": Decimal(length) if length else None}
            if point:
                values["latitude"], values["longitude"] = Decimal(str(point[0])), Decimal(str(point[1]))
            asset = services.asset_create(values=values)
            services.asset_document_add(asset=asset, role="acquisition", document=acquired)
            made += 1
            if name == "Квартира № 14":
                services.asset_encumbrance_add(asset=asset, kind="lease", basis="договор социального найма № 7",
                                               beneficiary="наниматель (физическое лицо)", starts_on=date(2019, 9, 1))
        for key, kind, name, extra, right, balance, residual, valuable in MOVABLE:
            if name in existing:
                continue
            values = {"kind": kind, "name": name, "right_type": right, "holder": holders[key],
                      "balance_value": Decimal(balance), "residual_value": Decimal(residual),
                      "especially_valuable": valuable, "values_date": date(2025, 1, 1),
                      "included_on": date(2020, 2, 1), **extra}
            asset = services.asset_create(values=values)
            made += 1
            for status, on, basis in DEMO_TRANSITIONS.get(name, ()):
                lifecycle.asset_transition(asset=asset, to_status=status, on=on, basis=basis)
        made += seed_demo_housing(holders, town=town)
        from gorodok_services.assets.operations_demo import seed_demo_operations

        made += seed_demo_operations()  # the ICT fleet, licences, the maintenance log and schedules
        # Depreciation terms and one closed stock-taking (their own sub-apps), once as well.
        from gorodok_services.assets.depreciation.demo import seed_demo_depreciation
        from gorodok_services.assets.stocktaking.demo import seed_demo_stocktaking

        made += seed_demo_depreciation() + seed_demo_stocktaking()
    return made


def seed_demo_register() -> int:
    """The module's demo (``seed_demo``): the demo register, then, with the appeals module on, the demo
    appeals about heating, water and roofs tied to its networks, boiler house and apartment building."""
    from django.apps import apps

    from gorodok_tenants.modules import module_enabled

    made = seed_demo_assets()
    if apps.is_installed("gorodok_services.appeals") and module_enabled(getattr(connection, "tenant", None),
                                                                      "appeals"):
        from gorodok_services.appeals.demo import link_demo_appeals

        link_demo_appeals()
    return made
