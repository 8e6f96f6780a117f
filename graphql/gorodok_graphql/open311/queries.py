"""The appeals Open311 may show: registered ones with a question in one of the services, read
without the columns that hold personal data or the appeal's content."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from gorodok_services.appeals.models import OPEN_STATUSES, Appeal, Question

PUBLIC_FIELDS = (
    "id", "registration_number", "status", "problem_address", "received_at", "registered_at", "due_at",
    "extended_at", "answered_at", "closed_at", "forwarded_at", "forwarded_to", "updated_at", "department__name",
)


def open311_requests(service_codes: Iterable[str]) -> QuerySet[Appeal]:
    codes = list(service_codes)
    return (
        Appeal.objects.filter(registration_number__isnull=False)
        .filter(Exists(Question.objects.filter(appeal=OuterRef("pk"), classifier_code__in=codes)))
        .select_related("department")
        .only(*PUBLIC_FIELDS)
        .prefetch_related(Prefetch("questions", queryset=Question.objects.only("appeal_id", "position",
                                                                                 "classifier_code")
                                   .order_by("position")))
        .order_by("-received_at", "-id")
    )


def with_service_codes(queryset: QuerySet[Appeal], codes: Iterable[str]) -> QuerySet[Appeal]:
    return queryset.filter(Exists(Question.objects.filter(appeal=OuterRef("pk"), classifier_code__in=list(codes))))


def with_statuses(queryset: QuerySet[Appeal], wanted: set[str]) -> QuerySet[Appeal]:
    if wanted == {"open"}:
        return queryset.filter(status__in=OPEN_STATUSES)
    if wanted == {"closed"}:
        return queryset.exclude(status__in=OPEN_STATUSES)
    return queryset
