"""Reads of appeals, shaped for their callers."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from gorodok_services.appeals.models import OPEN_STATUSES, Appeal, AppealEvent, Question


def appeal_open_count() -> int:
    return Appeal.objects.filter(status__in=OPEN_STATUSES).count()


def appeal_overdue_count(now=None) -> int:
    return appeal_overdue(now=now).count()


def appeal_overdue(now=None) -> QuerySet[Appeal]:
    """Open appeals past their answer deadline, or unregistered past the registration deadline."""
    now = now or timezone.now()
    return Appeal.objects.filter(status__in=OPEN_STATUSES).filter(
        Q(due_at__lt=now) | Q(registered_at__isnull=True, due_register_at__lt=now)
    )


def appeal_is_overdue(appeal: Appeal, now=None) -> bool:
    """The same rule as ``appeal_overdue``, for one appeal already in memory."""
    now = now or timezone.now()
    if appeal.status not in OPEN_STATUSES:
        return False
    if appeal.due_at is not None and appeal.due_at < now:
        return True
    return appeal.registered_at is None and appeal.due_register_at < now


def appeal_list() -> QuerySet[Appeal]:
    """Appeals with what a list shows: department, executor and questions in two extra queries."""
    return (
        Appeal.objects.select_related("department", "executor")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("position")))
        .order_by("-received_at", "-id")
    )


def appeal_detail() -> QuerySet[Appeal]:
    return appeal_list().prefetch_related(
        Prefetch("events", queryset=AppealEvent.objects.order_by("at", "id")), "attachments"
    )
