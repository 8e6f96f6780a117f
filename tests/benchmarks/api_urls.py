"""The tenant URLs plus the benchmark's baseline: the appeals list as a plain Django JSON view.

It returns the very document the GraphQL query of tests/benchmarks/api.py returns (the benchmark checks
that they are equal) from the same selector, after the same permission check (an API client with
appeals:read): what differs is GraphQL's own work.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from graphql_relay import to_global_id

from gorodok_graphql.core.fields import _ordering, encode_cursor
from gorodok_platform.urls_tenant import urlpatterns as tenant_urlpatterns
from gorodok_services.appeals.models import AppealStatus, QuestionResult
from gorodok_services.appeals.selectors import appeal_is_overdue, appeal_list

MAX_PAGE_SIZE = 100


def _iso(value):
    return value.isoformat() if value is not None else None


def _appeal(appeal) -> dict:
    department, executor = appeal.department, appeal.executor
    return {
        "id": to_global_id("Appeal", appeal.pk),
        "registrationNumber": appeal.registration_number,
        "subject": appeal.subject,
        "status": AppealStatus(appeal.status).name,
        "receivedAt": _iso(appeal.received_at),
        "dueAt": _iso(appeal.due_at),
        "isOverdue": appeal_is_overdue(appeal),
        "department": None if department is None else {
            "id": to_global_id("Department", department.pk), "name": department.name},
        "executor": None if executor is None else {"email": executor.email, "fullName": executor.full_name},
        "questions": [
            {"position": question.position, "classifierCode": question.classifier_code,
             "section": question.section_code, "text": question.text,
             "result": QuestionResult(question.result).name}
            for question in appeal.questions.all()
        ],
    }


def plain_appeals(request: HttpRequest) -> JsonResponse:
    client = getattr(request, "api_client", None)
    if client is None or not client.has_scope("appeals:read"):
        return JsonResponse({"errors": [{"message": "appeals:read required"}]}, status=403)
    try:
        first = min(max(int(request.GET.get("first", 50)), 0), MAX_PAGE_SIZE)
    except ValueError:
        first = 50
    appeals = appeal_list()
    total = appeals.count()
    page = list(appeals[:first])
    body = {"data": {"appeals": {
        "totalCount": total,
        "pageInfo": {"hasNextPage": first < total,
                     "endCursor": encode_cursor(page[-1], _ordering(appeals)) if page else None},
        "edges": [{"node": _appeal(appeal)} for appeal in page],
    }}}
    return JsonResponse(body, json_dumps_params={"separators": (",", ":")})


urlpatterns = [path("bench/plain-appeals/", plain_appeals), *tenant_urlpatterns]
