"""Demo data of the ICT fleet and maintenance (``make run``), on top of the demo register: the
administration's ICT fleet with warranties (one ending soon), licences (one expiring this month), a
maintenance history of a few years, and schedules with overdue work. Made through the services, once
(a second run finds the fleet and the log and makes nothing); dates are relative to today."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from gorodok_services.assets import services
from gorodok_services.assets.fleet import services as fleet
from gorodok_services.assets.fleet.models import IctProfile, Licence
from gorodok_services.assets.maintenance import services as maintenance
from gorodok_services.assets.maintenance.models import MaintenanceRecord, MaintenanceSchedule
from gorodok_services.assets.maintenance.selectors import add_months
from gorodok_services.assets.models import Asset, Holder

# Below the register's threshold: tracked for operations only, not in the extract.
SMALL_ICT = [
    ("Ноутбук главы администрации", {"make": "Aquarius", "model": "Cmp NS685U", "inventory_number": "МЦ-0350"},
     "45000.00"),
    ("Коммутатор доступа, 2 этаж", {"make": "Eltex", "model": "MES2324", "inventory_number": "МЦ-0361"},
     "38000.00"),
    ("МФУ отдела имущественных отношений", {"make": "Pantum", "model": "M7300FDW", "inventory_number": "МЦ-0372"},
     "32000.00"),
]

# name -> (category, room, responsible, position, warranty in days from today, end of life in years)
PROFILES = {
    "Сервер виртуализации": ("server", "серверная, каб. 104", "Тюлюпов Игорь Алексеевич", "системный администратор",
                             20, 5),
    "Система хранения данных": ("server", "серверная, каб. 104", "Тюлюпов Игорь Алексеевич",
                                "системный администратор", 400, 6),
    "Персональный компьютер": ("computer", "каб. 211", "Боргоякова Марина Сергеевна", "главный специалист",
                               -200, 2),
    "Ноутбук главы администрации": ("laptop", "приёмная, каб. 301", "Петров Сергей Николаевич", "глава", 150, 3),
    "Коммутатор доступа, 2 этаж": ("network", "коридор 2 этажа, шкаф ШТ-2", "Тюлюпов Игорь Алексеевич",
                                   "системный администратор", 25, 7),
    "МФУ отдела имущественных отношений": ("printer", "каб. 215", "Боргоякова Марина Сергеевна",
                                           "главный специалист", 90, 4),
}


def _seed_fleet(today, admin_building: Asset | None, owner: Holder) -> int:
    made = 0
    for name, extra, balance in SMALL_ICT:
        if not Asset.objects.filter(name=name).exists():
            services.asset_create(values={"kind": "equipment", "name": name, "right_type": "operational_management",
                                          "holder": owner, "balance_value": Decimal(balance),
                                          "residual_value": Decimal("0"), "included_on": today - timedelta(days=700),
                                          **extra})
            made += 1
    for name, (category, room, who, position, warranty_days, life_years) in PROFILES.items():
        asset = Asset.objects.filter(name=name, holder=owner).order_by("pk").first()
        if asset is None or IctProfile.objects.filter(asset=asset).exists():
            continue
        fleet.ict_profile_set(asset=asset, values={
            "category": category, "building": admin_building, "room": room, "responsible_name": who,
            "responsible_position": position, "warranty_until": today + timedelta(days=warranty_days),
            "end_of_life": add_months(today, 12 * life_years)})
        made += 1
    if not Licence.objects.exists():
        installed = list(Asset.objects.filter(ict_profile__category__in=("computer", "laptop", "server")))
        for values in (
            {"product": "Kaspersky Endpoint Security для бизнеса", "vendor": "АО «Лаборатория Касперского»",
             "seats": 25, "valid_from": today - timedelta(days=345), "valid_until": today + timedelta(days=20),
             "yearly_cost": Decimal("86500.00"), "assets": installed},
            {"product": "1С:Бухгалтерия государственного учреждения", "vendor": "ООО «1С-Софт»", "seats": 3,
             "valid_from": today - timedelta(days=1500), "valid_until": None, "yearly_cost": Decimal("48600.00"),
             "note": "вечная лицензия; сопровождение ИТС оплачивается ежегодно"},
            {"product": "Astra Linux Special Edition", "vendor": "ООО «РусБИТех-Астра»", "seats": 20,
             "valid_from": today - timedelta(days=120), "valid_until": today + timedelta(days=245),
             "yearly_cost": Decimal("124000.00"), "assets": installed},
            {"product": "КриптоПро CSP", "vendor": "ООО «КРИПТО-ПРО»", "seats": 5,
             "valid_from": today - timedelta(days=900), "valid_until": None, "yearly_cost": Decimal("0.00")},
        ):
            fleet.licence_create(values=values)
            made += 1
    return made


def _seed_maintenance(today, owner: Holder) -> int:
    if MaintenanceRecord.objects.exists():
        return 0
    made = 0

    def record(name: str, work_type: str, cost: str, months_ago: int, contractor: str, description: str,
               days: int = 1, document: str = "") -> None:
        nonlocal made
        asset = Asset.objects.filter(name=name).order_by("pk").first()
        if asset is None:
            return
        started = add_months(today, -months_ago)
        started = max(started, maintenance.acquired_on(asset))
        documents = [maintenance.WorkDocument(title=document, number=f"{made + 1}-А", date=started)] if document else []
        maintenance.maintenance_record(asset=asset, values={
            "work_type": work_type, "cost": Decimal(cost), "contractor": contractor, "started_on": started,
            "finished_on": min(started + timedelta(days=days), today), "description": description},
            documents=documents)
        made += 1

    it = "ООО «Абакан-Сервис»"
    record("Сервер виртуализации", "maintenance", "18000.00", 20, it, "Чистка, замена термопасты, обновление BIOS",
           document="Акт выполненных работ")
    record("Сервер виртуализации", "maintenance", "18000.00", 14, it, "Плановое ТО")
    record("Сервер виртуализации", "upgrade", "96000.00", 9, it, "Добавлены 2 модуля памяти по 64 ГБ",
           document="Товарная накладная")
    record("Система хранения данных", "repair", "42000.00", 5, it, "Замена вышедшего из строя диска", days=3,
           document="Акт выполненных работ")
    record("МФУ отдела имущественных отношений", "repair", "7800.00", 4, "ИП Сагалаков А. В.",
           "Замена узла закрепления")
    record("Персональный компьютер", "upgrade", "6400.00", 11, it, "Установлен SSD-накопитель")
    record("Коммутатор доступа, 2 этаж", "inspection", "0.00", 2, "собственными силами", "Проверка портов и питания")
    record("Здание администрации", "repair", "1250000.00", 16, "ООО «СтройМонтаж»", "Ремонт кровли", days=45,
           document="Акт КС-2 № 14")
    record("Здание администрации", "inspection", "15000.00", 13, "ООО «Техэксперт»", "Весенний осмотр здания")
    record("Здание школы № 1", "maintenance", "380000.00", 6, "ООО «СтройМонтаж»",
           "Подготовка к отопительному сезону", days=20)
    record("Котельная № 2", "repair", "2150000.00", 7, "МУП «Тепловые сети»", "Замена котла № 1", days=30,
           document="Договор подряда № 7")
    record("Школьный автобус", "maintenance", "24500.00", 3, "ООО «Автоцентр Хакасия»", "ТО-2")

    admin_building = Asset.objects.filter(name="Здание администрации").order_by("pk").first()
    if not MaintenanceSchedule.objects.exists():
        for values in (
            {"title": "ТО серверов", "ict_category": "server", "work_type": "maintenance", "every_months": 6,
             "starts_on": today - timedelta(days=30)},
            {"title": "Осмотр зданий", "asset_kind": "building", "work_type": "inspection", "every_months": 12,
             "starts_on": today - timedelta(days=10)},
            {"title": "Обслуживание МФУ", "ict_category": "printer", "work_type": "maintenance", "every_months": 3,
             "starts_on": today + timedelta(days=14)},
        ):
            maintenance.maintenance_schedule_create(values=values)
            made += 1
        if admin_building is not None:
            maintenance.maintenance_schedule_create(values={
                "title": "Проверка пожарной сигнализации здания администрации", "asset": admin_building,
                "work_type": "inspection", "every_months": 6, "starts_on": today - timedelta(days=75)})
            made += 1
    return made


def seed_demo_operations() -> int:
    """The ICT fleet and the maintenance demo in the current schema; returns how many things it made."""
    owner = Holder.objects.filter(short_name="Администрация").order_by("pk").first()
    if owner is None:
        return 0
    today = services.register_today()
    admin_building = Asset.objects.filter(name="Здание администрации").order_by("pk").first()
    return _seed_fleet(today, admin_building, owner) + _seed_maintenance(today, owner)
