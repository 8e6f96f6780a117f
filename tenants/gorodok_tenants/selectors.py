"""Reads of the region's municipalities, shaped for their callers."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from gorodok_tenants.models import Domain, Municipality


def municipality_list(*, search: str | None = None) -> QuerySet[Municipality]:
    """Every municipality with its parent and hosts loaded, in a stable order."""
    queryset = (
        Municipality.objects.select_related("parent")
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("-is_primary", "domain")))
        .order_by("name", "id")
    )
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(name_en__icontains=search) | Q(oktmo__startswith=search)
        )
    return queryset
