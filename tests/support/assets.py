"""Helpers for the property register's tests: a right holder and objects made through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_services.assets import services
from gorodok_services.core.identifiers import inn_complete, ogrn_complete

SCHOOL_INN = inn_complete("190100003")
SCHOOL_OGRN = ogrn_complete("102190100003")


def holder(tenant, inn: str = SCHOOL_INN, name: str = "МБОУ «Средняя школа № 1»", **extra):
    with schema_context(tenant.schema_name):
        from gorodok_services.assets.models import Holder

        found = Holder.objects.filter(inn=inn).first()
        if found is not None:
            return found
        return services.holder_create(values={"kind": "institution", "name": name, "inn": inn,
                                              "ogrn": SCHOOL_OGRN if inn == SCHOOL_INN else "",
                                              "head_name": "Кызласова Анна Петровна", **extra})


def building_values(owner, **overrides) -> dict:
    values = {"kind": "building", "name": "Здание школы № 1", "address": "Республика Хакасия, ул. Щетинкина, 20",
              "cadastral_number": "19:01:010203:215", "right_type": "operational_management", "holder": owner,
              "balance_value": Decimal("64000000.00"), "residual_value": Decimal("31000000.00"),
              "included_on": date(2015, 3, 12), "latitude": Decimal("53.719000"), "longitude": Decimal("91.429000")}
    values.update(overrides)
    return values


def building(tenant, **overrides):
    owner = holder(tenant)
    with schema_context(tenant.schema_name):
        return services.asset_create(values=building_values(owner, **overrides))


def vehicle(tenant, **overrides):
    owner = holder(tenant)
    values = {"kind": "vehicle", "name": "Школьный автобус", "make": "ПАЗ", "model": "32053-70", "year": 2019,
              "vin": "X1M3205BXK0001234", "plate": "А456АА19", "right_type": "operational_management",
              "holder": owner, "balance_value": Decimal("3200000.00"), "residual_value": Decimal("1280000.00"),
              "included_on": date(2020, 2, 1)}
    values.update(overrides)
    with schema_context(tenant.schema_name):
        return services.asset_create(values=values)


def asset_gid(asset) -> str:
    return to_global_id("Asset", asset.pk)


def holder_gid(owner) -> str:
    return to_global_id("AssetHolder", owner.pk)


def run_queued(broker) -> int:
    """Run the queued jobs here, in their schemas, as a worker would (the test's transaction is not
    committed, so a worker thread would not see its rows)."""
    import dramatiq

    queue = broker.queues.get("default")
    done = 0
    while queue is not None and not queue.empty():
        message = dramatiq.Message.decode(queue.get_nowait())
        queue.task_done()
        with schema_context(message.options["tenant_schema"]):
            broker.get_actor(message.actor_name).fn(*message.args, **message.kwargs)
        done += 1
    return done
