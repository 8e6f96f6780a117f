"""The templates Gorodok ships with. "Информатизация муниципального образования" is the questionnaire
the committee sent by letter (the seed letter of Chernogorsk answers it), turned into a form."""

from __future__ import annotations

from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_services.reporting.models import ReportTemplate, TemplateVersion

INFORMATIZATION = "informatization"
APPEALS_MONTHLY = "appeals-monthly"

_THOUSAND = {"type": "money", "unit": "thousand_rub", "min": "0"}

INFORMATIZATION_DEFINITION = {
    "sections": [
        {"title": "Положение дел", "fields": [
            {"code": "subsidy_share", "type": "choice", "required": True,
             "label": "Доля дотаций в бюджете муниципального образования",
             "help": "Дотации из бюджетов других уровней в доходах местного бюджета.",
             "choices": [{"value": "under_30", "label": "менее 30%"}, {"value": "30_50", "label": "30–50%"},
                         {"value": "50_70", "label": "50–70%"}, {"value": "over_70", "label": "более 70%"}]},
            {"code": "situation", "type": "text", "label": "Возможности развития информационной инфраструктуры",
             "help": "Как финансируются и внедряются информационные системы, кто их инициирует."},
            {"code": "systems_in_place", "type": "text",
             "label": "Внедрённые системы и интеграция с государственными системами",
             "help": "Например: виджет ПОС, межведомственное взаимодействие с ФНС, ПФР, Росреестром."},
            {"code": "video_meetings", "type": "yesno", "label": "Совещания и комиссии проводятся по видеосвязи"},
            {"code": "example_municipality", "type": "text",
             "label": "Муниципалитет, чей опыт цифровизации стоит перенять"},
        ]},
        {"title": "Затраты на информатизацию, тыс. руб.", "fields": [
            {"code": "digital_spent_last", **_THOUSAND, "required": True,
             "label": "Внедрение цифровых технологий в муниципальное управление — прошлый год, тыс. руб.",
             "help": "Фактические затраты за прошлый год, в тысячах рублей с точностью до копейки."},
            {"code": "ict_spent_last", **_THOUSAND, "required": True,
             "label": "Эксплуатация информационно-коммуникационных технологий — прошлый год, тыс. руб.",
             "help": "Фактические затраты за прошлый год, в тысячах рублей с точностью до копейки."},
            {"code": "digital_planned", **_THOUSAND, "required": True,
             "label": "Внедрение цифровых технологий в муниципальное управление — текущий год, тыс. руб.",
             "help": "Предусмотрено на текущий год; если финансирование не предусмотрено, укажите 0."},
            {"code": "ict_planned", **_THOUSAND, "required": True,
             "label": "Эксплуатация информационно-коммуникационных технологий — текущий год, тыс. руб.",
             "help": "Предусмотрено на текущий год."},
            {"code": "ict_items", "type": "table", "label": "Затраты на эксплуатацию ИКТ по статьям (прошлый год)",
             "help": "Необязательно: связь, обслуживание техники, лицензии и т. п.",
             "columns": [{"code": "item", "type": "text", "label": "Статья", "required": True},
                         {"code": "amount", **_THOUSAND, "label": "Сумма, тыс. руб.", "required": True}]},
        ]},
        {"title": "Планы и предложения", "fields": [
            {"code": "year_task", "type": "text", "required": True, "label": "Задача на текущий год"},
            {"code": "proposals", "type": "text",
             "label": "Предложения федеральным органам по совершенствованию государственных информационных систем"},
            {"code": "conference_useful", "type": "yesno",
             "label": "Конференция с участием малых городов и районов сейчас целесообразна"},
            {"code": "webinars_useful", "type": "yesno",
             "label": "Вебинары разработчиков и поставщиков цифровых услуг целесообразны"},
            {"code": "priority_topics", "type": "choice", "multiple": True,
             "label": "Наиболее актуальные темы для вебинаров",
             "choices": [{"value": "housing", "label": "Управление в сфере ЖКХ"},
                         {"value": "citizen_engagement",
                          "label": "Цифровые платформы вовлечения горожан в управление городом"},
                         {"value": "appeals", "label": "Работа с обращениями граждан"},
                         {"value": "property", "label": "Учёт муниципального имущества"},
                         {"value": "security", "label": "Информационная безопасность"}]},
        ]},
    ],
    "rules": [],
}

APPEALS_MONTHLY_DEFINITION = {
    "sections": [{"title": "Обращения граждан за период", "fields": [
        {"code": "received", "type": "integer", "min": "0", "required": True, "source": "appeals.received",
         "label": "Поступило обращений", "help": "Заполняется из модуля обращений; изменение — с указанием причины."},
        {"code": "late", "type": "integer", "min": "0", "required": True, "source": "appeals.considered_late",
         "label": "Рассмотрено с нарушением срока или просрочено"},
        {"code": "comment", "type": "text", "label": "Пояснения"},
    ]}],
    "rules": [{"kind": "not_above", "field": "late", "other": "received"}],
}


@transaction.atomic
def shipped_template(code: str = INFORMATIZATION) -> TemplateVersion:
    """The shipped template's published first version, created once."""
    from gorodok_services.reporting import services

    title, definition = {
        INFORMATIZATION: ("Информатизация муниципального образования", INFORMATIZATION_DEFINITION),
        APPEALS_MONTHLY: ("Обращения граждан: ежемесячные сведения", APPEALS_MONTHLY_DEFINITION),
    }[code]
    with schema_context(get_public_schema_name()):
        template = ReportTemplate.objects.filter(code=code).first()
        if template is not None:
            return template.versions.order_by("number").first()
        version = services.template_create(code=code, title=title, definition=definition)
        return services.template_version_publish(version=version)
