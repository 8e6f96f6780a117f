"""Helpers for the ICT fleet's and maintenance's tests: equipment, licences and records made through
the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django_tenants.utils import schema_context
from graphql_relay import to_global_id

from gorodok_services.assets import services
from tests.support.assets import holder


def equipment(tenant, **overrides):
    owner = holder(tenant)
    values = {"kind": "equipment", "name": "Сервер виртуализации", "make": "Dell", "model": "PowerEdge R750",
              "inventory_number": "ОС-0142", "right_type": "operational_management", "holder": owner,
              "balance_value": Decimal("1480000.00"), "residual_value": Decimal("1110000.00"),
              "included_on": date(2020, 2, 1)}
    values.update(overrides)
    with schema_context(tenant.schema_name):
        return services.asset_create(values=values)


def gid(type_name: str, obj) -> str:
    return to_global_id(type_name, obj.pk)
