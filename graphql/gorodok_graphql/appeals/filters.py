"""The API's arguments of the appeals list, checked and turned into the selectors' filters."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gorodok_graphql.appeals.errors import contains_nul
from gorodok_graphql.appeals.permissions import can_see_personal_data
from gorodok_graphql.core.enums import enum_value
from gorodok_services.appeals.selectors import (
    appeal_in_section,
    appeal_overdue_filter,
    appeal_queue,
    appeal_search,
)
from gorodok_services.classifier.models import CODE_PATTERN
from graphql import GraphQLError

ME = "me"


def _invalid(argument: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "INVALID_FILTER", "argument": argument})


def reject_nul_in_filters(**filters) -> None:
    for argument, value in filters.items():
        if contains_nul(value):
            raise _invalid(argument, _("Text may not contain NUL characters."))


def filter_appeals(queryset: QuerySet, info, *, status=None, kind=None, channel=None, section=None, assignee=None,
                   due_before=None, overdue=None, search=None, queue=None, updated_since=None) -> QuerySet:
    reject_nul_in_filters(section=section, assignee=assignee, search=search)
    if status is not None:
        queryset = queryset.filter(status=enum_value(status))
    if kind is not None:
        queryset = queryset.filter(kind=enum_value(kind))
    if channel is not None:
        queryset = queryset.filter(channel=enum_value(channel))
    if section:
        section = section.strip()
        if not CODE_PATTERN.match(section):
            raise _invalid("section", _("A classifier code or its beginning, e.g. 0003 or 0003.0009."))
        queryset = appeal_in_section(queryset, section)
    if assignee:
        assignee = assignee.strip()
        if assignee.lower() == ME:
            queryset = queryset.filter(executor_id=info.context.user.pk)
        else:
            queryset = queryset.filter(executor__email__iexact=assignee)
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    if due_before is not None:
        queryset = queryset.filter(due_at__lt=due_before)
    if overdue is not None:
        queryset = appeal_overdue_filter(queryset, overdue)
    if queue is not None:
        user = getattr(info.context, "user", None)
        queryset = appeal_queue(queryset, enum_value(queue), user if getattr(user, "is_authenticated", False) else None)
    if search and search.strip():
        queryset = appeal_search(queryset, search.strip(), personal_data=can_see_personal_data(info))
    return queryset
