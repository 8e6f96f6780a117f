"""Appeals and departments by global ID (see ``gorodok_graphql.core.ids``). A row is looked up in the
schema of the request's host only, so an ID from another municipality is simply not found."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gorodok_graphql.core.ids import object_from_global_id
from gorodok_services.appeals.models import Appeal, Department


def appeal_from_global_id(global_id: str, field: str = "id", queryset=None) -> Appeal:
    return object_from_global_id(global_id, "Appeal", queryset if queryset is not None else Appeal,
                                 field=field, message=_("No such appeal."))


def department_from_global_id(global_id: str, field: str = "department_id") -> Department:
    return object_from_global_id(global_id, "Department", Department.objects.filter(is_active=True),
                                 field=field, message=_("No such department."))
