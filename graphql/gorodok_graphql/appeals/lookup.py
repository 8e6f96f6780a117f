"""Global IDs of appeals and departments. A row is looked up in the schema of the request's host
only, so an ID from another municipality is simply not found."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from graphql_relay import from_global_id

from gorodok_services.appeals.models import Appeal, Department

MAX_PK = 2**31 - 1  # integer primary keys: anything larger cannot exist (and must not reach the database)


def pk_from_global_id(global_id: str, type_name: str) -> int | None:
    try:
        found_type, pk = from_global_id(global_id or "")
    except Exception:
        return None
    if found_type != type_name or not pk.isascii() or not pk.isdigit() or not 0 < int(pk) <= MAX_PK:
        return None
    return int(pk)


def appeal_from_global_id(global_id: str, field: str = "id", queryset=None) -> Appeal:
    pk = pk_from_global_id(global_id, "Appeal")
    if pk is None:
        raise ValidationError({field: ValidationError(_("Not an appeal ID."), code="invalid")})
    appeal = (queryset if queryset is not None else Appeal.objects).filter(pk=pk).first()
    if appeal is None:
        raise ValidationError({field: ValidationError(_("No such appeal."), code="not_found")})
    return appeal


def department_from_global_id(global_id: str, field: str = "department_id") -> Department:
    pk = pk_from_global_id(global_id, "Department")
    if pk is None:
        raise ValidationError({field: ValidationError(_("Not a department ID."), code="invalid")})
    department = Department.objects.filter(pk=pk, is_active=True).first()
    if department is None:
        raise ValidationError({field: ValidationError(_("No such department."), code="not_found")})
    return department
