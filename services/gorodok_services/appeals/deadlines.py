"""Which deadline rule applies to an appeal, and the dates it gives."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection

from gorodok_services.appeals.models import Appeal, DeadlineRule, ExtensionFrom, UnclearHandling
from gorodok_services.core.calendar import DayType, Shift, deadline

DEFAULT_RULE = DeadlineRule(kind="", category_prefix="", day_type=DayType.CALENDAR, register_days=3, forward_days=7,
                            unclear_notice_days=7, answer_days=30, max_extension_days=30, shift=Shift.NEXT,
                            extension_from=ExtensionFrom.DUE_DATE, unclear_handling=UnclearHandling.CLOSE,
                            clarification_days=30)


def tenant_timezone() -> str:
    from django.conf import settings

    return getattr(getattr(connection, "tenant", None), "timezone", None) or settings.DEFAULT_MUNICIPALITY_TIMEZONE


def rule_for(kind: str, classifier_codes: Iterable[str] = ()) -> DeadlineRule:
    """The most specific rule: the longest classifier prefix matching one of the questions, else the
    kind's general rule, else the 59-FZ defaults."""
    rules = list(DeadlineRule.objects.filter(kind=kind))
    codes = list(classifier_codes)
    specific = [r for r in rules if r.category_prefix and any(c.startswith(r.category_prefix) for c in codes)]
    if specific:
        return max(specific, key=lambda r: len(r.category_prefix))
    general = [r for r in rules if not r.category_prefix]
    return general[0] if general else DEFAULT_RULE


def due(start: datetime, days: int, rule: DeadlineRule, zone: str | None = None) -> datetime:
    """The end of a term of ``days`` from ``start`` under ``rule``: its day type and its shift."""
    return deadline(start, days, rule.day_type, zone or tenant_timezone(), shift=rule.shift)


def extended_due(appeal: Appeal, days: int, rule: DeadlineRule, zone: str | None = None) -> datetime:
    """The answer deadline after extending by ``days``, counted as the rule says: from the current due
    date (already moved off a day off), or from registration (answer term + days paused for a
    clarification + extension, moved once)."""
    if rule.extension_from == ExtensionFrom.REGISTRATION and appeal.registered_at is not None:
        return due(appeal.registered_at, rule.answer_days + appeal.paused_days + days, rule, zone)
    return due(appeal.due_at, days, rule, zone)


def appeal_rule(appeal: Appeal) -> DeadlineRule:
    return rule_for(appeal.kind, [q.classifier_code for q in appeal.questions.all()])
