"""Deadlines by the Russian production calendar, in the municipality's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from gorodok_services.appeals import services
from gorodok_services.appeals.deadlines import rule_for
from gorodok_services.appeals.models import DeadlineRule
from gorodok_services.core.calendar import add_days, deadline, is_working_day, local_date
from tests.support.appeals import dated_intake as intake

KRASNOYARSK = "Asia/Krasnoyarsk"


@pytest.mark.parametrize(("start", "days", "day_type", "expected", "why"), [
    (date(2026, 3, 3), 30, "calendar", date(2026, 4, 2), "an ordinary Thursday"),
    (date(2026, 2, 5), 30, "calendar", date(2026, 3, 10), "Sat 7 Mar → Sun 8 Mar holiday → Mon 9 Mar observed"),
    (date(2025, 12, 2), 30, "calendar", date(2026, 1, 12), "1 January: New Year holidays and 9 Jan day off"),
    (date(2025, 10, 30), 2, "working", date(2025, 11, 1), "Saturday 1 Nov 2025 was a working day"),
    (date(2025, 10, 31), 2, "working", date(2025, 11, 5), "3 Nov moved day off, 4 Nov Unity Day"),
    (date(2025, 12, 30), 1, "working", date(2026, 1, 12), "31 Dec moved day off, then the January holidays"),
    (date(2026, 4, 30), 10, "working", date(2026, 5, 18), "1 May, 9 May Saturday observed on Mon 11 May"),
])
def test_terms(start, days, day_type, expected, why):
    assert add_days(start, days, day_type) == expected, why


def test_a_term_may_end_on_a_day_off_when_the_rule_says_so():
    assert add_days(date(2026, 2, 5), 30, "calendar", shift_to_working_day=False) == date(2026, 3, 7)


def test_working_day_facts():
    assert is_working_day(date(2025, 11, 1))  # a working Saturday
    assert not is_working_day(date(2025, 11, 3))  # a day off moved from that Saturday
    assert not is_working_day(date(2026, 1, 9))


def test_midnight_in_krasnoyarsk_decides_the_day():
    before_midnight = datetime(2026, 3, 1, 16, 59, tzinfo=UTC)  # 23:59 on 1 March in Krasnoyarsk
    after_midnight = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)  # 00:00 on 2 March
    assert local_date(before_midnight, KRASNOYARSK) == date(2026, 3, 1)
    assert local_date(after_midnight, KRASNOYARSK) == date(2026, 3, 2)
    end = deadline(after_midnight, 3, "calendar", KRASNOYARSK)
    assert end.astimezone(ZoneInfo(KRASNOYARSK)).replace(tzinfo=None) == datetime(2026, 3, 5, 23, 59, 59, 999999)
    assert end.astimezone(UTC).hour == 16


@pytest.fixture
def in_alpha(alpha):
    with schema_context(alpha.schema_name):
        yield alpha


def test_registration_and_answer_deadlines_follow_the_rules(in_alpha):
    appeal, _ = services.appeal_receive(data=intake(received_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC)))
    # Received 00:30 on 2 March local: registration within 3 days → end of 5 March (Thursday) local.
    assert appeal.due_register_at.astimezone(ZoneInfo(KRASNOYARSK)).date() == date(2026, 3, 5)
    registered = services.appeal_register(appeal=appeal, registered_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC)).appeal
    local = registered.due_at.astimezone(ZoneInfo(KRASNOYARSK))
    assert (local.date(), local.hour, local.minute) == (date(2026, 4, 1), 23, 59)
    assert registered.due_forward_at.astimezone(ZoneInfo(KRASNOYARSK)).date() == date(2026, 3, 10)


def test_extension_only_once_and_within_the_maximum(in_alpha):
    appeal, _ = services.appeal_receive(data=intake())
    appeal = services.appeal_register(appeal=appeal).appeal
    with pytest.raises(ValidationError) as too_long:
        services.appeal_extend(appeal=appeal, days=31, reason="Нужна проверка на месте")
    assert too_long.value.error_dict["days"][0].code == "extension_too_long"
    with pytest.raises(ValidationError) as no_reason:
        services.appeal_extend(appeal=appeal, days=10, reason="")
    assert no_reason.value.error_dict["reason"][0].code == "reason_required"
    before = appeal.due_at
    appeal = services.appeal_extend(appeal=appeal, days=30, reason="Нужна проверка на месте")
    assert (appeal.due_at - before).days >= 30
    assert appeal.original_due_at == before
    with pytest.raises(ValidationError) as twice:
        services.appeal_extend(appeal=appeal, days=1, reason="Ещё одно продление")
    assert twice.value.code == "already_extended"


def test_platform_messages_have_ten_days_and_no_extension(in_alpha):
    data = intake(kind="platform_message", received_at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    appeal, _ = services.appeal_receive(data=data)
    appeal = services.appeal_register(appeal=appeal, registered_at=datetime(2026, 3, 2, 4, 0, tzinfo=UTC)).appeal
    assert appeal.due_at.astimezone(ZoneInfo(KRASNOYARSK)).date() == date(2026, 3, 12)
    with pytest.raises(ValidationError) as refused:
        services.appeal_extend(appeal=appeal, days=5, reason="Нужна проверка")
    assert refused.value.code == "extension_not_allowed"


def test_the_most_specific_rule_wins(in_alpha):
    DeadlineRule.objects.create(kind="statement", category_prefix="0003.0009", forward_days=5, answer_days=20)
    DeadlineRule.objects.create(kind="statement", category_prefix="0003.0009.0097", forward_days=4, answer_days=15)
    assert rule_for("statement", ["0003.0009.0097.0684"]).answer_days == 15
    assert rule_for("statement", ["0003.0009.0098.0695"]).answer_days == 20
    assert rule_for("statement", ["0005.0005.0056.1149"]).answer_days == 30
    assert rule_for("proposal", ["0003.0009.0097.0684"]).answer_days == 30


def test_invalid_transitions_are_coded_errors(in_alpha):
    appeal, _ = services.appeal_receive(data=intake())
    for action in (lambda: services.appeal_close(appeal=appeal),
                   lambda: services.appeal_answer(appeal=appeal, answer_text="Ответ"),
                   lambda: services.appeal_extend(appeal=appeal, days=5, reason="Причина продления")):
        with pytest.raises(ValidationError) as refused:
            action()
        assert refused.value.code == "invalid_transition"


def test_intake_refuses_nul_overlong_and_future_values(in_alpha):
    from datetime import timedelta

    from django.utils import timezone

    cases = {
        "subject": intake(subject="a\x00b"),
        "applicant_phone": intake(applicant_phone="1" * 40),
        "received_at": intake(received_at=timezone.now() + timedelta(days=1)),
    }
    for field, data in cases.items():
        with pytest.raises(ValidationError) as refused:
            services.appeal_receive(data=data)
        assert field in refused.value.error_dict, (field, refused.value)


def test_forwarding_tells_the_author(in_alpha, django_capture_on_commit_callbacks):
    from gorodok_services.appeals.models import Notification

    appeal, _ = services.appeal_receive(data=intake())
    appeal = services.appeal_register(appeal=appeal).appeal
    services.appeal_forward(appeal=appeal, to="Прокуратура Республики Хакасия")
    notice = Notification.objects.get(appeal=appeal, kind="forwarded_notice")
    assert notice.recipient == "ivanov@example.ru"


# --- the readings a municipality chooses (DeadlineRule.shift, DeadlineRule.extension_from) -----------

# (start, days, last day before any move, none, next working day, preceding working day, why)
SHIFT_CASES = [
    (date(2026, 3, 3), 30, date(2026, 4, 2), date(2026, 4, 2), date(2026, 4, 2),
     "a working Thursday: no reading moves it"),
    (date(2026, 12, 1), 30, date(2026, 12, 31), date(2027, 1, 11), date(2026, 12, 30),
     "31 Dec 2026 a moved day off, then the New Year holidays"),
    (date(2025, 12, 1), 30, date(2025, 12, 31), date(2026, 1, 12), date(2025, 12, 30),
     "31 Dec 2025 a moved day off, holidays to 11 Jan"),
    (date(2026, 2, 6), 30, date(2026, 3, 8), date(2026, 3, 10), date(2026, 3, 6),
     "8 March on a Sunday, observed on Monday 9 March"),
    (date(2026, 2, 5), 30, date(2026, 3, 7), date(2026, 3, 10), date(2026, 3, 6), "Saturday before 8 March"),
    (date(2026, 4, 1), 30, date(2026, 5, 1), date(2026, 5, 4), date(2026, 4, 30), "1 May 2026, days off 1-3 May"),
    (date(2026, 4, 9), 30, date(2026, 5, 9), date(2026, 5, 12), date(2026, 5, 8), "9 May 2026, days off 9-11 May"),
    (date(2025, 4, 8), 30, date(2025, 5, 8), date(2025, 5, 12), date(2025, 5, 7), "8 May 2025, days off 8-11 May"),
    (date(2025, 12, 30), 3, date(2026, 1, 2), date(2026, 1, 12), date(2025, 12, 30),
     "all days off to the end: the preceding reading stops at the day the term counts from"),
]


@pytest.mark.parametrize(("start", "days", "none", "following", "preceding", "why"), SHIFT_CASES)
def test_shift_readings(start, days, none, following, preceding, why):
    assert add_days(start, days, "calendar", shift="none") == none, why
    assert add_days(start, days, "calendar", shift="next") == following, why
    assert add_days(start, days, "calendar", shift="preceding") == preceding, why
    # The default (no rule says otherwise) is the Civil Code's reading: the next working day.
    assert add_days(start, days, "calendar") == following, why


@pytest.mark.parametrize("shift", ["none", "next", "preceding"])
def test_working_day_terms_end_on_a_working_day_whatever_the_shift(shift):
    assert add_days(date(2026, 4, 30), 10, "working", shift=shift) == date(2026, 5, 18)


# Registration at local midnight in Krasnoyarsk (UTC+7): 16:59 UTC is still 5 February, 17:00 UTC is 6 February.
BEFORE_MIDNIGHT = datetime(2026, 2, 5, 16, 59, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 2, 5, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(("registered_at", "shift", "expected"), [
    (BEFORE_MIDNIGHT, "none", date(2026, 3, 7)),
    (BEFORE_MIDNIGHT, "next", date(2026, 3, 10)),
    (BEFORE_MIDNIGHT, "preceding", date(2026, 3, 6)),
    (AFTER_MIDNIGHT, "none", date(2026, 3, 8)),
    (AFTER_MIDNIGHT, "next", date(2026, 3, 10)),
    (AFTER_MIDNIGHT, "preceding", date(2026, 3, 6)),
])
def test_answer_deadline_by_reading_at_midnight_in_krasnoyarsk(in_alpha, registered_at, shift, expected):
    DeadlineRule.objects.filter(kind="statement", category_prefix="").update(shift=shift)
    appeal, _ = services.appeal_receive(data=intake(received_at=registered_at))
    appeal = services.appeal_register(appeal=appeal, registered_at=registered_at).appeal
    local = appeal.due_at.astimezone(ZoneInfo(KRASNOYARSK))
    assert (local.date(), local.hour, local.minute) == (expected, 23, 59)


# (registered, local date; extension days; shift; from the due date; from registration; why)
EXTENSION_CASES = [
    (date(2026, 2, 5), 30, "next", date(2026, 4, 9), date(2026, 4, 6),
     "due Sat 7 Mar → Tue 10 Mar; +30 from it is 9 Apr, 60 from registration 6 Apr"),
    (date(2025, 12, 1), 30, "next", date(2026, 2, 11), date(2026, 1, 30),
     "due 31 Dec → 12 Jan; +30 is 11 Feb; 60 from registration 30 Jan"),
    (date(2026, 4, 1), 10, "next", date(2026, 5, 14), date(2026, 5, 12),
     "due 1 May → 4 May; +10 is 14 May; 40 from registration is 11 May, a day off → 12 May"),
    (date(2026, 4, 1), 10, "preceding", date(2026, 5, 8), date(2026, 5, 8),
     "due 1 May → 30 Apr; +10 is 10 May → 8 May; 40 from registration 11 May → 8 May"),
    (date(2026, 2, 6), 2, "none", date(2026, 3, 10), date(2026, 3, 10), "no move: 8 Mar + 2 either way"),
    (date(2026, 2, 6), 2, "next", date(2026, 3, 12), date(2026, 3, 10),
     "due 8 Mar → 10 Mar, +2 is 12 Mar; 32 from registration 10 Mar"),
]


@pytest.mark.parametrize(("registered", "days", "shift", "from_due", "from_registration", "why"), EXTENSION_CASES)
@pytest.mark.parametrize("reading", ["due_date", "registration"])
def test_extension_readings(in_alpha, registered, days, shift, from_due, from_registration, why, reading):
    DeadlineRule.objects.filter(kind="statement", category_prefix="").update(shift=shift, extension_from=reading)
    moment = datetime.combine(registered, datetime.min.time(), tzinfo=ZoneInfo(KRASNOYARSK)).replace(hour=10)
    appeal, _ = services.appeal_receive(data=intake(received_at=moment))
    appeal = services.appeal_register(appeal=appeal, registered_at=moment).appeal
    appeal = services.appeal_extend(appeal=appeal, days=days, reason="Нужна выездная проверка")
    expected = from_due if reading == "due_date" else from_registration
    assert appeal.due_at.astimezone(ZoneInfo(KRASNOYARSK)).date() == expected, why
    assert appeal.events.get(action="extended").data["counted_from"] == reading


def test_defaults_are_unchanged_for_a_municipality_that_chooses_nothing(in_alpha):
    general = DeadlineRule.objects.filter(category_prefix="")
    assert set(general.values_list("shift", "extension_from", "unclear_handling", "shift_to_working_day")) == {
        ("next", "due_date", "close", True)}
    assert rule_for("statement", ["0005.0005.0056.1149"]).answer_days == 30


def test_the_old_boolean_follows_the_shift_when_a_rule_is_saved(in_alpha):
    rule = DeadlineRule.objects.get(kind="statement", category_prefix="")
    rule.shift = "none"
    rule.save()
    assert DeadlineRule.objects.get(pk=rule.pk).shift_to_working_day is False
    rule.shift = "preceding"
    rule.save(update_fields=["shift"])
    assert DeadlineRule.objects.get(pk=rule.pk).shift_to_working_day is True


MIGRATION_QUESTION = "0001.0001.0004"


@pytest.mark.parametrize("kind", ["proposal", "statement", "complaint", "other"])
def test_migration_law_questions_are_forwarded_within_five_days_by_default(alpha, beta, kind):
    from gorodok_services.appeals.defaults import MIGRATION_LAW_PREFIX

    assert MIGRATION_LAW_PREFIX == MIGRATION_QUESTION
    for municipality in (alpha, beta):  # seeded in every municipality, nobody configured anything
        with schema_context(municipality.schema_name):
            rule = DeadlineRule.objects.get(kind=kind, category_prefix=MIGRATION_LAW_PREFIX)
            assert (rule.forward_days, rule.answer_days, rule.shift) == (5, 30, "next")
            assert rule_for(kind, ["0005.0005.0056.1149", MIGRATION_QUESTION]).forward_days == 5
            assert rule_for(kind, ["0005.0005.0056.1149"]).forward_days == 7


def test_a_migration_law_appeal_is_due_for_forwarding_in_five_days(in_alpha):
    registered_at = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Monday 2 March, 10:00 local
    appeal, _ = services.appeal_receive(data=intake(received_at=registered_at, questions=[
        services.QuestionInput(MIGRATION_QUESTION, "нелегальные мигранты")]))
    appeal = services.appeal_register(appeal=appeal, registered_at=registered_at).appeal
    assert appeal.due_forward_at.astimezone(ZoneInfo(KRASNOYARSK)).date() == date(2026, 3, 10)  # 7 Mar Sat → 10th
    assert appeal.due_at.astimezone(ZoneInfo(KRASNOYARSK)).date() == date(2026, 4, 1)


def _migration(name: str):
    import importlib

    return importlib.import_module(f"gorodok_services.appeals.migrations.{name}")


def test_the_data_migration_fills_the_shift_from_the_old_boolean(in_alpha):
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    # Rows as the release before wrote them: the boolean only, the new column at its database default.
    DeadlineRule.objects.filter(kind="statement", category_prefix="").update(shift_to_working_day=False,
                                                                             shift="next")
    _migration("0005_fill_shift").fill(apps, SimpleNamespace(connection=connection))
    rules = dict(DeadlineRule.objects.filter(category_prefix="").values_list("kind", "shift"))
    assert rules.pop("statement") == "none"
    assert set(rules.values()) == {"next"}


def test_the_migration_law_seed_keeps_what_a_municipality_changed(in_alpha):
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    DeadlineRule.objects.filter(kind="complaint", category_prefix=MIGRATION_QUESTION).update(forward_days=3)
    DeadlineRule.objects.filter(kind="statement", category_prefix=MIGRATION_QUESTION).delete()
    DeadlineRule.objects.filter(kind="statement", category_prefix="").update(answer_days=25, shift="preceding")
    _migration("0006_migration_law_rule").seed(apps, SimpleNamespace(connection=connection))
    statement = DeadlineRule.objects.get(kind="statement", category_prefix=MIGRATION_QUESTION)
    assert (statement.forward_days, statement.answer_days, statement.shift) == (5, 25, "preceding")
    assert DeadlineRule.objects.get(kind="complaint", category_prefix=MIGRATION_QUESTION).forward_days == 3
    assert DeadlineRule.objects.filter(category_prefix=MIGRATION_QUESTION).count() == 4


def test_registering_the_appeal_just_received_uses_the_same_rule_as_a_fresh_read(in_alpha):
    """appeal_receive hands its rule to the registration that follows in the same request; the deadlines
    are those a registration of the appeal read afresh gets."""
    from gorodok_services.appeals.models import Appeal

    DeadlineRule.objects.create(kind="statement", category_prefix="0003.0009", forward_days=4, answer_days=15)
    moment = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # after the intake's receipt (03:00)
    received, _ = services.appeal_receive(data=intake(external_number="RULE-1"))
    assert received._deadline_rule.answer_days == 15
    first = services.appeal_register(appeal=received, registered_at=moment).appeal
    other, _ = services.appeal_receive(data=intake(external_number="RULE-2"))
    second = services.appeal_register(appeal=Appeal.objects.get(pk=other.pk), registered_at=moment).appeal
    assert (first.due_at, first.due_forward_at) == (second.due_at, second.due_forward_at)
