"""Demo appeals for a municipality: a few dozen realistic ones, in every state, for the development run.

Everything goes through the real services (receive, register, assign, extend, forward, answer,
close, leave without an answer, mark repeated), so numbers, deadlines, question results and the
history are what the module itself produces. The services stamp transitions with the current time;
to spread the demo over the last two months, each appeal's dates are then moved to its planned
moments with a queryset update (answer, extension, forwarding and closing dates, the overdue and
answered-late flags, the times of its history entries). The flags "taken under control" and
"considered on site" have no service yet and are set the same way.

Idempotent: each demo appeal carries the idempotency key ``demo-<n>``; the ones that exist are
skipped, so a second run creates nothing. Deterministic for a given ``seed`` and ``now``.
The names of people and organisations are fictional; e-mail addresses are left empty so the demo
sends no notifications.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from gorodok_services.appeals import services
from gorodok_services.appeals.deadlines import appeal_rule, due, tenant_timezone
from gorodok_services.appeals.models import (
    Appeal,
    AppealEvent,
    AppealKind,
    ApplicantType,
    Channel,
    Department,
    NoAnswerReason,
    Question,
    QuestionResult,
    UnclearHandling,
)
from gorodok_services.appeals.selectors import appeal_is_overdue
from gorodok_services.appeals.services import AppealIntake, QuestionInput
from gorodok_services.core.identifiers import inn_complete, ogrn_complete

KEY_PREFIX = "demo-"
DEPARTMENTS = ("Отдел ЖКХ", "Отдел благоустройства", "Отдел архитектуры и градостроительства")
HOUSING, IMPROVEMENT, ARCHITECTURE = DEPARTMENTS

# The first nine are all different, so any count from nine up shows every state.
STATES = ("closed", "in_progress", "overdue", "received", "registered", "extended", "forwarded", "answered",
          "without_answer", "closed", "answered", "in_progress")
CONTROL_REASON = "Поручение главы: обращение на контроле до полного исполнения."
ON_SITE_NOTE = "Выезд на место с осмотром, составлен акт."
# When each state's appeals arrived: days before now.
RECEIVED_DAYS_AGO = {
    "received": (0.05, 1.5), "registered": (1, 6), "in_progress": (4, 24), "overdue": (45, 60),
    "extended": (22, 42), "forwarded": (8, 58), "answered": (16, 60), "closed": (20, 60),
    "without_answer": (8, 58),
}
CHANNEL_WEIGHTS = {
    Channel.FEEDBACK_PLATFORM: 40, Channel.POST: 15, Channel.PERSONAL_RECEPTION: 15, Channel.IN_PERSON: 15,
    Channel.INTEGRATOR: 10, Channel.OTHER: 5,
}
# Proposals come from the samples written as proposals.
KIND_WEIGHTS = {AppealKind.STATEMENT: 55, AppealKind.COMPLAINT: 30, AppealKind.OTHER: 7,
                AppealKind.INFORMATION_REQUEST: 8}


@dataclass(frozen=True)
class Sample:
    """One typical appeal: its subject and text (with {street}, {house}, {house2}) and a typical answer."""

    subject: str
    text: str
    answer: str
    result: str
    proposal: bool = False
    extra: tuple[str, str] | None = None  # a second question: (classifier code, text appended to the appeal)


@dataclass(frozen=True)
class Theme:
    code: str
    department: str
    forward_to: str
    samples: tuple[Sample, ...]
    months: frozenset[int] = frozenset(range(1, 13))  # when such appeals come


ROAD_MINISTRY = "Министерство транспорта и дорожного хозяйства Республики Хакасия"
HOUSING_INSPECTION = "Государственная жилищная инспекция Республики Хакасия"
NATURE_MINISTRY = "Министерство природных ресурсов и экологии Республики Хакасия"
MEASURES, SUPPORTED, EXPLAINED, NOT_SUPPORTED = (QuestionResult.MEASURES_TAKEN, QuestionResult.SUPPORTED,
                                                 QuestionResult.EXPLAINED, QuestionResult.NOT_SUPPORTED)
SIDEWALK = ("0005.0005.0058.1163", "Просим также сделать тротуар вдоль дороги.")
WARM_MONTHS = frozenset(range(3, 12))

THEMES: tuple[Theme, ...] = (
    Theme("0003.0009.0097.0684", IMPROVEMENT, ROAD_MINISTRY, (
        Sample("Ямы на дороге по ул. {street}",
               "На проезжей части у дома {house} по ул. {street} образовались глубокие ямы. Машины объезжают их по "
               "встречной полосе, вечером ям не видно. Прошу включить участок в план ямочного ремонта.",
               "Ямочный ремонт участка выполнен, покрытие восстановлено.", MEASURES, extra=SIDEWALK),
        Sample("Разбита дорога к школе",
               "Дорога по ул. {street} от дома {house} до школы разбита, после дождя стоят лужи по щиколотку. "
               "Дети идут в школу по проезжей части.",
               "Участок включён в план ремонта дорог на следующий год; до ремонта установлены предупреждающие "
               "знаки.", SUPPORTED, extra=SIDEWALK),
        Sample("Провал асфальта у остановки",
               "Возле остановки у дома {house} по ул. {street} провалился асфальт над колодцем. Яма опасна и для "
               "машин, и для пешеходов.",
               "Колодец восстановлен, провал заделан в тот же день.", MEASURES),
    ), WARM_MONTHS),
    Theme("0005.0005.0058.1164", IMPROVEMENT, HOUSING_INSPECTION, (
        Sample("Сломанные качели во дворе",
               "Во дворе дома {house} по ул. {street} сломаны качели и горка, торчат острые края. Просим "
               "отремонтировать детскую площадку или убрать опасное оборудование.",
               "Опасное оборудование демонтировано, новые качели будут установлены весной.", MEASURES,
               extra=("0005.0005.0058.1165", "Просим также обрезать старые тополя во дворе.")),
        Sample("Благоустройство двора",
               "Предлагаем включить двор домов {house} и {house2} по ул. {street} в программу благоустройства "
               "дворовых территорий. Жители готовы участвовать в обсуждении проекта.",
               "Двор включён в перечень для рейтингового голосования по программе благоустройства.", SUPPORTED,
               proposal=True),
        Sample("Нет скамеек и урн на детской площадке",
               "На детской площадке у дома {house} по ул. {street} нет ни скамеек, ни урн. Мусор разносит по двору.",
               "Площадка находится на земельном участке многоквартирного дома; порядок её благоустройства "
               "через общее собрание собственников разъяснён.", EXPLAINED),
    ), WARM_MONTHS),
    Theme("0005.0005.0057.1153", HOUSING, HOUSING_INSPECTION, (
        Sample("Холодно в квартире",
               "В квартирах дома {house} по ул. {street} не выше +15 °C, батареи едва тёплые. Управляющая "
               "компания на звонки не отвечает. Прошу принять меры.",
               "Управляющей компании выдано предписание, система отопления промыта, температура в квартирах "
               "восстановлена.", MEASURES),
        Sample("Нет отопления",
               "С утра в доме {house} по ул. {street} нет отопления, на улице мороз. Аварийная служба сроков "
               "не называет.",
               "Авария на теплотрассе устранена, отопление дома восстановлено.", MEASURES),
        Sample("Перерасчёт за отопление",
               "В прошлом месяце в доме {house} по ул. {street} отопление не работало четыре дня. Прошу обязать "
               "ресурсоснабжающую организацию сделать перерасчёт.",
               "Перерасчёт делает ресурсоснабжающая организация по заявлению жильца; порядок обращения разъяснён.",
               EXPLAINED, extra=("0005.0005.0056.1149", "Прошу также проверить начисления за этот месяц.")),
    ), frozenset((9, 10, 11, 12, 1, 2, 3, 4, 5))),
    Theme("0005.0005.0057.1154", HOUSING, HOUSING_INSPECTION, (
        Sample("Нет холодной воды",
               "Третий день нет холодной воды в доме {house} по ул. {street}. Подвоз воды не организован, в доме "
               "много пожилых людей.",
               "Водоснабжение восстановлено; на время ремонта был организован подвоз питьевой воды.", MEASURES),
        Sample("Ржавая вода из крана",
               "Из крана в доме {house} по ул. {street} месяц идёт ржавая вода с запахом. Прошу проверить качество "
               "воды и промыть сети.",
               "Пробы воды соответствуют нормативам; промывка внутридомовых сетей включена в план работ "
               "управляющей компании.", EXPLAINED),
        Sample("Порыв водопровода",
               "На ул. {street} у дома {house} из-под асфальта бьёт вода, на дороге наледь. Прошу устранить порыв.",
               "Порыв устранён аварийной бригадой, наледь убрана.", MEASURES),
    )),
    Theme("0005.0005.0057.1160", HOUSING, NATURE_MINISTRY, (
        Sample("Не вывозят мусор",
               "С контейнерной площадки у дома {house} по ул. {street} неделю не вывозят мусор. Баки переполнены, "
               "мусор растаскивают собаки.",
               "Региональный оператор вывез мусор и изменил график вывоза.", MEASURES),
        Sample("Стихийная свалка",
               "За домом {house} по ул. {street} образовалась свалка строительного мусора. Прошу организовать вывоз.",
               "Свалка ликвидирована, место включено в график объездов.", MEASURES,
               extra=("0003.0011.0136.0999", "Просим установить знак о запрете сброса мусора.")),
        Sample("Нужна контейнерная площадка",
               "На ул. {street} нет ни одной контейнерной площадки. Предлагаем оборудовать площадку у дома {house}.",
               "Площадку на указанном месте поставить нельзя: не выдерживается расстояние до окон жилых домов.",
               NOT_SUPPORTED, proposal=True),
    )),
    Theme("0005.0005.0055.1138", HOUSING, HOUSING_INSPECTION, (
        Sample("Протекает крыша",
               "В подъезде дома {house} по ул. {street} течёт крыша, вода попадает в квартиры верхнего этажа. "
               "Управляющая компания ремонт откладывает.",
               "Управляющая компания отремонтировала кровлю над подъездом.", MEASURES,
               extra=("0005.0005.0055.1137", "Когда дом включат в программу капитального ремонта?")),
        Sample("Разбиты окна в подъезде",
               "В подъезде дома {house} по ул. {street} разбиты окна и не закрывается входная дверь. В подъезде "
               "холодно, могут замёрзнуть трубы.",
               "Окна в подъезде застеклены, дверь отремонтирована управляющей компанией.", MEASURES),
        Sample("Капитальный ремонт дома",
               "Дом {house} по ул. {street} построен в 1962 году, фасад разрушается, в подвале стоит вода. Просим "
               "сообщить, когда дом будет капитально отремонтирован.",
               "Дом включён в региональную программу капитального ремонта; сроки работ разъяснены.", EXPLAINED),
    )),
    Theme("0003.0009.0097.0690", IMPROVEMENT, ROAD_MINISTRY, (
        Sample("Не горят фонари",
               "На ул. {street} от дома {house} до перекрёстка не горят фонари. Вечером идти с работы страшно.",
               "Светильники заменены, освещение восстановлено.", MEASURES),
        Sample("Освещение пешеходного перехода",
               "Пешеходный переход у дома {house} по ул. {street} не освещён. Предлагаем поставить над ним фонарь.",
               "Освещение перехода включено в план работ на следующий год.", SUPPORTED, proposal=True),
        Sample("Фонари горят днём",
               "Уличные фонари на ул. {street} горят круглые сутки. Просим отрегулировать освещение.",
               "Реле времени на подстанции отрегулировано.", MEASURES),
    )),
    Theme("0003.0009.0097.0685", IMPROVEMENT, ROAD_MINISTRY, (
        Sample("Не убран снег",
               "Улицу {street} не чистили от снега с начала месяца. Машины буксуют, скорая не может подъехать к дому "
               "{house}.",
               "Улица очищена от снега.", MEASURES),
        Sample("Гололёд на тротуаре",
               "Тротуар вдоль ул. {street} покрыт льдом и не посыпан. У дома {house} люди падают каждый день.",
               "Уборка идёт по утверждённому графику; тротуар будет обработан противогололёдной смесью в ближайшие "
               "дни.", EXPLAINED),
        Sample("Снежный вал у въезда во двор",
               "После уборки дороги грейдер оставил снежный вал у въезда во двор дома {house} по ул. {street}. "
               "Выехать невозможно.",
               "Снежный вал убран, подрядчику указано на нарушение.", MEASURES),
    ), frozenset((11, 12, 1, 2, 3))),
)

STREETS = ("Ленина", "Советская", "Мира", "Комсомольская", "Пушкина", "Октябрьская", "Гагарина", "Победы",
           "Кирова", "Чкалова", "Школьная", "Садовая", "Молодёжная", "Лермонтова", "Строителей", "Космонавтов")
SURNAMES = (("Кызласов", "Кызласова"), ("Чебодаев", "Чебодаева"), ("Боргояков", "Боргоякова"),
            ("Тюкпеев", "Тюкпеева"), ("Сагалаков", "Сагалакова"), ("Иванов", "Иванова"), ("Смирнов", "Смирнова"),
            ("Кузнецов", "Кузнецова"), ("Попов", "Попова"), ("Соколов", "Соколова"), ("Лебедев", "Лебедева"),
            ("Новиков", "Новикова"), ("Морозов", "Морозова"), ("Волков", "Волкова"), ("Зайцев", "Зайцева"),
            ("Павлов", "Павлова"), ("Семёнов", "Семёнова"), ("Голубев", "Голубева"), ("Белов", "Белова"),
            ("Тарасов", "Тарасова"), ("Ковальчук", "Ковальчук"), ("Шевченко", "Шевченко"))
MALE_NAMES = ("Александр", "Сергей", "Андрей", "Дмитрий", "Николай", "Владимир", "Евгений", "Игорь", "Виктор",
              "Михаил", "Алексей", "Павел")
FEMALE_NAMES = ("Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Галина", "Людмила", "Марина",
                "Анна", "Валентина", "Нина")
PATRONYMICS = (("Иванович", "Ивановна"), ("Петрович", "Петровна"), ("Сергеевич", "Сергеевна"),
               ("Николаевич", "Николаевна"), ("Александрович", "Александровна"), ("Викторович", "Викторовна"),
               ("Михайлович", "Михайловна"), ("Анатольевич", "Анатольевна"), ("Геннадьевич", "Геннадьевна"))
ORGANISATIONS = ("ООО «Управляющая компания «Уютный дом»", "ТСЖ «Берёзка»", "ТСН «Солнечный»",
                 "ООО «Жилсервис»", "ООО «Сибирская торговая компания»", "АНО «Центр досуга «Радуга»")
EXTENSION_REASONS = ("Требуется выездное обследование с участием управляющей компании.",
                     "Запрошены сведения у ресурсоснабжающей организации.",
                     "Нужно согласовать работы с подрядной организацией.")
NO_ANSWER = ((NoAnswerReason.REPEATED, "Повторное обращение без новых доводов; переписка прекращена."),
             (NoAnswerReason.ANONYMOUS, "Не указаны фамилия и почтовый адрес для ответа."),
             (NoAnswerReason.OBSCENE, "Обращение содержит нецензурные и оскорбительные выражения."),
             (NoAnswerReason.UNREADABLE, "Текст письменного обращения не поддаётся прочтению."))
OFFICER_NAME = "Сагалакова Ирина Викторовна"


# --- identifiers with valid check digits ---------------------------------------------------------

def inn_legal_entity(rng: random.Random, region: str = "19") -> str:
    """A 10-digit INN of an organisation registered in the region (Khakassia: 19)."""
    return inn_complete(f"{region}{rng.randint(1, 3):02d}{rng.randint(0, 99999):05d}")


def inn_person(rng: random.Random, region: str = "19") -> str:
    """A 12-digit INN of a person (or an individual entrepreneur)."""
    return inn_complete(f"{region}{rng.randint(1, 3):02d}{rng.randint(0, 999999):06d}")


def ogrn(rng: random.Random, region: str = "19") -> str:
    """A 13-digit OGRN of an organisation."""
    return ogrn_complete(f"1{rng.randint(2, 23):02d}{region}{rng.randint(0, 9999999):07d}")


def ogrnip(rng: random.Random, region: str = "19") -> str:
    """A 15-digit OGRNIP of an individual entrepreneur."""
    return ogrn_complete(f"3{rng.randint(4, 23):02d}{region}{rng.randint(0, 999999999):09d}")


# --- the plan of one appeal ----------------------------------------------------------------------

@dataclass
class Plan:
    number: int
    state: str
    theme: Theme
    sample: Sample
    intake: AppealIntake
    received_at: datetime
    registered_at: datetime | None = None
    assigned_at: datetime | None = None
    done_at: datetime | None = None  # answered, forwarded or left without an answer
    closed_at: datetime | None = None
    extended_at: datetime | None = None
    department: str = ""
    answer: tuple[str, str] | None = None  # (answer, result of the first question)
    no_answer: tuple[str, str] | None = None
    repeated: bool = False
    under_control: bool = False
    on_site: bool = False
    executor_index: int = 0
    extra: dict = field(default_factory=dict)


def _municipality() -> tuple[str, str]:
    """The current municipality's name and slug (also under a bare ``schema_context``)."""
    tenant = connection.tenant
    name, slug = getattr(tenant, "name", ""), getattr(tenant, "slug", "")
    if not (name and slug):
        from gorodok_tenants.models import Municipality

        found = Municipality.objects.filter(schema_name=connection.schema_name).values_list("name", "slug").first()
        name, slug = found or (connection.schema_name, connection.schema_name)
    return name, slug


def _place(name: str) -> str:
    return name if "район" in name.lower() else f"г. {name}"


def _person(rng: random.Random) -> str:
    female = rng.random() < 0.55
    surname = rng.choice(SURNAMES)[female]
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    return f"{surname} {first} {rng.choice(PATRONYMICS)[female]}"


def _phone(rng: random.Random) -> str:
    return f"+7 9{rng.randint(0, 99):02d} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"


def _weighted(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _local_moment(rng: random.Random, around: datetime, zone: ZoneInfo, *, hours=(8, 18)) -> datetime:
    """A moment in office hours on the local day of ``around``."""
    day = around.astimezone(zone).date()
    minutes = rng.randint(hours[0] * 60, hours[1] * 60 - 1)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def _plan(rng: random.Random, number: int, state: str, *, now: datetime, zone: ZoneInfo, place: str) -> Plan:
    lo, hi = RECEIVED_DAYS_AGO[state]
    around = now - timedelta(days=rng.uniform(lo, hi))
    theme = rng.choice([t for t in THEMES if around.astimezone(zone).month in t.months])
    sample = rng.choice(theme.samples)
    street = rng.choice(STREETS)
    house = rng.randint(1, 120)
    words = {"street": street, "house": house, "house2": house + 2}
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    if state == "received" and channel == Channel.PERSONAL_RECEPTION:
        channel = Channel.POST  # what is said at a reception is registered at once
    kind = AppealKind.PROPOSAL if sample.proposal else _weighted(rng, KIND_WEIGHTS)
    if channel == Channel.FEEDBACK_PLATFORM and not sample.proposal and rng.random() < 0.35:
        kind = AppealKind.PLATFORM_MESSAGE
    if channel == Channel.PERSONAL_RECEPTION and kind == AppealKind.INFORMATION_REQUEST:
        kind = AppealKind.STATEMENT
    if state == "extended" and kind == AppealKind.PLATFORM_MESSAGE:
        kind = AppealKind.STATEMENT  # platform messages cannot be extended
    no_answer = NO_ANSWER[(number - 1) // len(STATES) % len(NO_ANSWER)] if state == "without_answer" else None

    applicant = {"applicant_type": ApplicantType.PERSON, "applicant_name": _person(rng), "applicant_phone": _phone(rng),
                 "applicant_address": f"{place}, ул. {rng.choice(STREETS)}, д. {rng.randint(1, 120)}, "
                                      f"кв. {rng.randint(1, 90)}"}
    roll = rng.random()
    if no_answer and no_answer[0] in (NoAnswerReason.ANONYMOUS, NoAnswerReason.UNREADABLE):
        channel = Channel.POST  # anonymous and unreadable appeals are letters
        if kind == AppealKind.PLATFORM_MESSAGE:
            kind = AppealKind.COMPLAINT
    if no_answer and no_answer[0] == NoAnswerReason.ANONYMOUS:
        applicant = {"applicant_type": ApplicantType.ANONYMOUS, "applicant_name": ""}
    elif roll < 0.12:
        if rng.random() < 0.25:
            surname, first, patronymic = applicant["applicant_name"].split()
            identity = {"applicant_name": f"ИП {surname} {first[0]}. {patronymic[0]}.",
                        "applicant_inn": inn_person(rng), "applicant_ogrn": ogrnip(rng)}
        else:
            identity = {"applicant_name": rng.choice(ORGANISATIONS), "applicant_inn": inn_legal_entity(rng),
                        "applicant_ogrn": ogrn(rng)}
        applicant = {"applicant_type": ApplicantType.LEGAL_ENTITY, **identity,
                     "applicant_phone": f"+7 (3902) {rng.randint(20, 39)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                     "applicant_address": f"{place}, ул. {rng.choice(STREETS)}, д. {rng.randint(1, 60)}, оф. "
                                          f"{rng.randint(1, 30)}"}
        if channel == Channel.PERSONAL_RECEPTION:
            channel = Channel.POST
    elif roll < 0.24:
        signatories = rng.randint(8, 64)
        applicant |= {"applicant_name": f"{applicant['applicant_name']} и другие жители (подписей: {signatories})",
                      "is_collective": True, "signatories": signatories}

    subject, text = sample.subject.format(**words), sample.text.format(**words)
    questions = [QuestionInput(theme.code, subject)]
    if sample.extra and rng.random() < 0.4:
        code, question = sample.extra
        questions.append(QuestionInput(code, question))
        text = f"{text} {question}"
    hours = (7, 23) if channel in (Channel.FEEDBACK_PLATFORM, Channel.INTEGRATOR) else (8, 18)
    received_at = min(_local_moment(rng, around, zone, hours=hours), now - timedelta(minutes=rng.randint(20, 240)))
    intake = AppealIntake(
        channel=channel, kind=kind, subject=subject, text=text, questions=questions,
        problem_address=f"{place}, ул. {street}, д. {house}",
        external_number=f"DEMO-{number}" if channel == Channel.FEEDBACK_PLATFORM else None,
        received_at=received_at, **applicant,
    )
    plan = Plan(number=number, state=state, theme=theme, sample=sample, intake=intake, received_at=received_at,
                no_answer=no_answer, executor_index=rng.randint(0, 1))
    plan.department = ARCHITECTURE if kind == AppealKind.PROPOSAL and theme.department == IMPROVEMENT \
        else theme.department
    _schedule(rng, plan, now=now)
    plan.under_control = intake.is_collective or (kind == AppealKind.COMPLAINT and rng.random() < 0.3)
    plan.on_site = plan.answer is not None and plan.answer[1] == QuestionResult.MEASURES_TAKEN and rng.random() < 0.5
    plan.repeated = (no_answer is not None and no_answer[0] == NoAnswerReason.REPEATED) or (
        state == "in_progress" and rng.random() < 0.25)
    if state == "in_progress" and number % (2 * len(STATES)) == 2 and plan.assigned_at is not None:
        # The first appeal in progress of every two dozen waits for its author's clarification.
        plan.extra["clarification_at"] = min(plan.assigned_at + timedelta(hours=26), now - timedelta(minutes=5))
    return plan


def _schedule(rng: random.Random, plan: Plan, *, now: datetime) -> None:
    """The moments of the appeal's steps, each after the previous one and before ``now``."""
    latest = now - timedelta(minutes=10)

    def after(start: datetime, lo_hours: float, hi_hours: float) -> datetime:
        return min(start + timedelta(hours=rng.uniform(lo_hours, hi_hours)), latest)

    if plan.state == "received":
        return
    fast = plan.intake.kind == AppealKind.PLATFORM_MESSAGE
    plan.registered_at = after(plan.received_at, 0.5, 18 if fast else 60)
    if plan.state == "registered":
        return
    plan.assigned_at = after(plan.registered_at, 0.5, 26)
    if plan.state == "forwarded":
        plan.done_at = after(plan.registered_at, 24, 6 * 24)
    elif plan.state == "without_answer":
        plan.done_at = after(plan.assigned_at, 24, 12 * 24)
    elif plan.state == "extended":
        plan.extended_at = after(plan.assigned_at, 18 * 24, 26 * 24)
        plan.extra["days"] = 15 if plan.intake.kind == AppealKind.INFORMATION_REQUEST else 30
        plan.extra["reason"] = rng.choice(EXTENSION_REASONS)
    elif plan.state in ("answered", "closed"):
        days = (3, 9) if fast else ((33, 38) if rng.random() < 0.15 else (6, 27))
        plan.done_at = after(plan.assigned_at, days[0] * 24, days[1] * 24)
        plan.answer = (plan.sample.answer, plan.sample.result)
        if plan.state == "closed":
            plan.closed_at = after(plan.done_at, 2, 72)


# --- carrying a plan out -------------------------------------------------------------------------

def _executors():
    from gorodok_platform.accounts.models import User
    from gorodok_platform.accounts.services import staff_user_create
    from gorodok_services.appeals.module import APPEALS_OFFICER

    _name, slug = _municipality()
    email = f"officer@{slug}.gorodok.local"
    officer = User.objects.filter(email=email).first() or staff_user_create(
        email=email, password=None, roles=[APPEALS_OFFICER], full_name=OFFICER_NAME)
    other = User.objects.filter(is_active=True, is_staff=True).exclude(pk=officer.pk).order_by("pk").first()
    return [officer, other or officer]


def _carry_out(plan: Plan, *, officer, executors, departments: dict[str, Department],
               done: list[tuple[Plan, Appeal]], now: datetime) -> Appeal:
    appeal, _created = services.appeal_receive(data=plan.intake, idempotency_key=f"{KEY_PREFIX}{plan.number}")
    moments: dict[str, datetime] = {"received": plan.received_at}
    if plan.registered_at is None:
        Appeal.objects.filter(pk=appeal.pk).update(is_overdue=appeal_is_overdue(appeal, now))
        _restamp(appeal, moments)
        return appeal
    appeal = services.appeal_register(appeal=appeal, actor=officer, registered_at=plan.registered_at).appeal
    moments["registered"] = plan.registered_at
    if plan.repeated:
        # Repeats an earlier appeal: on the same theme and answered before, else answered, else any registered.
        earlier = [(p, a) for p, a in done if p.registered_at is not None and p.registered_at < plan.registered_at]
        answered = [(p, a) for p, a in earlier if p.answer is not None and p.done_at < plan.registered_at]
        candidates = ([a for p, a in answered if p.theme is plan.theme] or [a for _p, a in answered]
                      or [a for _p, a in earlier])
        if candidates:
            appeal = services.appeal_mark_repeated(appeal=appeal, actor=officer, repeats=candidates[-1])
            moments["marked_repeated"] = plan.registered_at + timedelta(minutes=5)
    updates: dict = {}
    if plan.under_control:
        appeal = services.appeal_take_under_control(appeal=appeal, actor=officer, reason=CONTROL_REASON)
        moment = plan.registered_at + timedelta(minutes=10)
        moments["taken_under_control"] = updates["under_control_at"] = moment
    if plan.assigned_at is not None:
        department = departments[plan.department]
        appeal = services.appeal_assign(appeal=appeal, actor=officer, executor=executors[plan.executor_index],
                                        department=department if department.is_active else None)
        moments["assigned"] = plan.assigned_at
    if plan.extended_at is not None:
        appeal = services.appeal_extend(appeal=appeal, actor=officer, days=plan.extra["days"],
                                        reason=plan.extra["reason"])
        moments["extended"] = updates["extended_at"] = plan.extended_at
    if plan.state == "forwarded":
        appeal = services.appeal_forward(appeal=appeal, actor=officer, to=plan.theme.forward_to,
                                         note="Вопрос не относится к полномочиям органа местного самоуправления.")
        moments["forwarded"] = updates["forwarded_at"] = updates["closed_at"] = plan.done_at
    elif plan.state == "without_answer":
        reason, note = plan.no_answer
        appeal = services.appeal_leave_without_answer(appeal=appeal, actor=officer, reason=reason, note=note)
        moments["left_without_answer"] = updates["closed_at"] = plan.done_at
    elif plan.answer is not None:
        if plan.on_site:
            appeal = services.appeal_mark_considered_on_site(appeal=appeal, actor=officer, reason=ON_SITE_NOTE)
            moment = max(plan.done_at - timedelta(hours=3), plan.assigned_at)
            moments["considered_on_site"] = updates["considered_on_site_at"] = moment
        text, result = plan.answer
        results = {q.position: (result if q.position == 1 else QuestionResult.EXPLAINED)
                   for q in appeal.questions.all()}
        appeal = services.appeal_answer(appeal=appeal, actor=officer, answer_text=text, results=results)
        moments["answered"] = updates["answered_at"] = plan.done_at
        updates["answered_late"] = appeal.due_at is not None and plan.done_at > appeal.due_at
        if plan.closed_at is not None:
            appeal = services.appeal_close(appeal=appeal, actor=officer)
            moments["closed"] = updates["closed_at"] = plan.closed_at
    if "clarification_at" in plan.extra:
        moment = plan.extra["clarification_at"]
        appeal = services.appeal_request_clarification(
            appeal=appeal, actor=officer, handling=UnclearHandling.PAUSE,
            note="Не указано, о каком доме идёт речь: уточните адрес.")
        rule = appeal_rule(appeal)
        moments["clarification_requested"] = updates["clarification_requested_at"] = moment
        updates["due_clarification_at"] = due(moment, rule.clarification_days, rule)
        updates["unclear_notice_late"] = moment > due(appeal.registered_at, rule.unclear_notice_days, rule)
    updates["is_overdue"] = appeal_is_overdue(appeal, now)  # what the next sweep would set
    Appeal.objects.filter(pk=appeal.pk).update(**updates)
    _restamp(appeal, moments)
    appeal.refresh_from_db()
    return appeal


def _restamp(appeal: Appeal, moments: dict[str, datetime]) -> None:
    """Date the appeal's history entries at the planned moments of their steps."""
    for action, moment in moments.items():
        AppealEvent.objects.filter(appeal=appeal, action=action).update(at=moment)


def seed_demo_appeals(*, count: int = 36, seed: int | None = None, now: datetime | None = None) -> int:
    """Create up to ``count`` demo appeals in the current municipality's schema; returns how many were
    new (0 when they all exist). Run it inside the municipality's schema. ``now`` (default: the current
    time) is the moment the demo ends at; it may lie in the past, not in the future (the intake refuses
    receipts in the future)."""
    from django_tenants.utils import get_public_schema_name

    if connection.schema_name == get_public_schema_name():
        raise RuntimeError("Demo appeals belong to a municipality: activate its schema first.")
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 -- demo data, not secrets
    zone = ZoneInfo(tenant_timezone())
    name, _slug = _municipality()
    plans = [_plan(rng, number, STATES[(number - 1) % len(STATES)], now=now, zone=zone, place=_place(name))
             for number in range(1, count + 1)]
    existing = set(Appeal.objects.filter(idempotency_key__startswith=KEY_PREFIX)
                   .values_list("idempotency_key", flat=True))
    plans = [plan for plan in plans if f"{KEY_PREFIX}{plan.number}" not in existing]
    if not plans:
        return 0
    with transaction.atomic():
        executors = _executors()
        departments = {title: Department.objects.get_or_create(name=title)[0] for title in DEPARTMENTS}
        done: list[tuple[Plan, Appeal]] = []
        for plan in sorted(plans, key=lambda p: (p.received_at, p.number)):
            appeal = _carry_out(plan, officer=executors[0], executors=executors, departments=departments,
                                done=done, now=now)
            done.append((plan, appeal))
    link_demo_appeals()  # when the demo register is already there
    return len(plans)


# Which demo register objects the demo's housing and utilities questions concern: heating by the heat
# networks and the boiler house in turn, water, roofs and entrances by the apartment building.
DEMO_OBJECTS = (
    ("0005.0005.0057.1153", ("Тепловая сеть, участок ул. Ленина — ул. Пушкина", "Котельная № 2",
                             "Тепловая сеть, участок ул. Советская")),
    ("0005.0005.0057.1154", ("Многоквартирный дом",)),
    ("0005.0005.0055", ("Многоквартирный дом",)),
)


def link_demo_appeals() -> int:
    """Tie the demo appeals' housing and utilities questions to the demo register's buildings and networks,
    through the appeals service (each link is in the appeal's history); returns how many were linked. Runs
    after both demos (either may come first); questions already linked, or of anonymised appeals, stay."""
    from gorodok_services.assets.models import Asset, AssetStatus

    objects = dict(Asset.objects.filter(status=AssetStatus.IN_REGISTER).values_list("name", "pk"))
    linked = 0
    with transaction.atomic():
        for prefix, names in DEMO_OBJECTS:
            targets = [objects[name] for name in names if name in objects]
            if not targets:
                continue
            questions = (Question.objects.filter(asset__isnull=True, classifier_code__startswith=prefix,
                                                 appeal__anonymised_at__isnull=True,
                                                 appeal__idempotency_key__startswith=KEY_PREFIX)
                         .select_related("appeal").order_by("appeal__received_at", "pk"))
            for n, question in enumerate(questions):
                services.question_link_asset(question=question, asset=targets[n % len(targets)])
                linked += 1
    return linked
