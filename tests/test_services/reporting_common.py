"""Helpers for the reporting tests: a small template, a campaign asking alpha and beta, and
municipalities without schemas for the region-wide figures (their copies are all the figures read)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_services.reporting import services
from gorodok_services.reporting.models import Audience

DEFINITION = {
    "sections": [{"title": "Деньги", "fields": [
        {"code": "spent", "type": "money", "unit": "rub", "required": True, "label": "Потрачено, руб.", "min": "0"},
        {"code": "planned", "type": "money", "unit": "rub", "label": "Запланировано, руб."},
        {"code": "staff", "type": "integer", "label": "Сотрудников", "min": "0", "max": "1000"},
        {"code": "share", "type": "percent", "label": "Доля, %"},
        {"code": "appeals", "type": "integer", "label": "Обращений", "source": "appeals.received"},
        {"code": "topic", "type": "choice", "label": "Тема",
         "choices": [{"value": "housing", "label": "ЖКХ"}, {"value": "roads", "label": "Дороги"}]},
        {"code": "ok", "type": "yesno", "label": "Всё в порядке"},
        {"code": "since", "type": "date", "label": "С какого числа"},
        {"code": "note", "type": "text", "label": "Примечание"},
        {"code": "items", "type": "table", "label": "По статьям", "columns": [
            {"code": "item", "type": "text", "label": "Статья", "required": True},
            {"code": "amount", "type": "money", "unit": "rub", "label": "Сумма", "required": True}]},
    ]}],
    "rules": [{"kind": "not_above", "field": "planned", "other": "spent"}],
}


def published(code: str = "test-template", definition: dict | None = None):
    version = services.template_create(code=code, title="Проверочный отчёт", definition=definition or DEFINITION)
    return services.template_version_publish(version=version)


def open_campaign(municipalities, *, code: str = "test-template", deadline: date | None = None,
                  definition: dict | None = None):
    version = published(code, definition)
    today = timezone.localdate()
    campaign = services.campaign_create(
        version=version, title="Проверка", period_start=date(today.year - 1, 1, 1),
        period_end=date(today.year - 1, 12, 31), deadline=deadline or today + timedelta(days=10),
        audience=Audience.LIST, municipalities=[m.municipality if hasattr(m, "municipality") else m
                                                for m in municipalities])
    return services.campaign_open(campaign=campaign)


def fill_and_submit(tenant, campaign, values: dict):
    with schema_context(tenant.schema_name):
        submission = services.submission_start(campaign_id=campaign.pk)
        submission = services.submission_save(submission=submission, values=values)
        return services.submission_submit(submission=submission)


def schemaless_municipalities(count: int, *, prefix: str = "fig", kinds=("urban_okrug", "municipal_district")):
    """Municipality rows without schemas (bulk_create skips the schema creation of save())."""
    from gorodok_tenants.models import Municipality

    rows = [Municipality(name=f"{prefix}-{n:04d}", name_en=f"{prefix}-{n:04d}", slug=f"{prefix}-{n:04d}",
                         oktmo=f"9{n:07d}"[:8] if prefix == "fig" else f"8{n:07d}", kind=kinds[n % len(kinds)],
                         schema_name=f"{prefix}_{n:04d}") for n in range(count)]
    return Municipality.objects.bulk_create(rows)
