"""A demo stock-taking (``make run``): the administration's objects checked, one found elsewhere, one
damaged (sent to repair), one not found (a write-off proposed), closed with its differences report."""

from __future__ import annotations

from datetime import timedelta

from gorodok_services.assets.models import Asset, Holder
from gorodok_services.assets.services import register_today
from gorodok_services.assets.stocktaking import services
from gorodok_services.assets.stocktaking.models import Campaign

NAME = "Годовая инвентаризация администрации"
MARKS = {
    "Здание администрации": ("found", ""),
    "Легковой автомобиль": ("found_elsewhere", "гараж МУП «Тепловые сети», ул. Промышленная, 3"),
    "Сервер виртуализации": ("damaged", ""),
    "Система хранения данных": ("not_found", ""),
}


def seed_demo_stocktaking() -> int:
    if Campaign.objects.filter(name=NAME).exists():
        return 0
    holder = Holder.objects.filter(short_name="Администрация").first()
    if holder is None or not Asset.objects.filter(holder=holder).exists():
        return 0
    today = register_today()
    campaign = services.campaign_open(
        name=NAME, starts_on=today - timedelta(days=14), ends_on=today, holder=holder,
        commission="Петров Сергей Николаевич, глава (председатель)\nИванова Мария Петровна, главный бухгалтер\n"
                   "Ким Артём Олегович, ведущий специалист по информатизации")
    for item in campaign.items.all():
        mark, place = MARKS.get(item.name, ("found", ""))
        services.item_mark(campaign=campaign, item=item, mark=mark, place=place, source="demo")
    services.campaign_close(campaign=campaign, on=today, source="demo")
    return 1
