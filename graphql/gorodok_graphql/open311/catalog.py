"""Which classifier entries a city's 311 client shows as services.

A service is an active question-level (level 4) classifier entry under one of the configured
topics: roads, transport, the environment, housing management, utilities and yards by default.
``OPEN311_SERVICE_PREFIXES`` in the settings replaces the list. The service code is the classifier
code itself, so an appeal created through Open311 counts in the monthly statistics unchanged."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from gorodok_services.classifier.models import ClassifierEntry, ClassifierLevel

DEFAULT_SERVICE_PREFIXES = (
    "0003.0009.0097",  # roads: repair, snow and litter, street lighting
    "0003.0009.0098",  # public transport
    "0003.0011.0136",  # pollution, dumping, waste
    "0005.0005.0055",  # management of apartment buildings: repairs, maintenance of common property
    "0005.0005.0057",  # utilities: heating, water, electricity, refuse collection
    "0005.0005.0058",  # improvement: yards, playgrounds, pavements, greenery
)


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    group: str
    theme: str

    @property
    def description(self) -> str:
        return f"{self.group}: {self.name}" if self.group else self.name

    @property
    def keywords(self) -> str:
        return ", ".join(word for word in (self.group, self.theme) if word)


def service_prefixes() -> tuple[str, ...]:
    return tuple(getattr(settings, "OPEN311_SERVICE_PREFIXES", DEFAULT_SERVICE_PREFIXES))


def open311_services() -> dict[str, Service]:
    """The services by code, in code order: two queries (entries, then their topics and themes)."""
    condition = Q()
    for prefix in service_prefixes():
        condition |= Q(code=prefix) | Q(code__startswith=f"{prefix}.")
    if not condition:
        return {}
    entries = list(
        ClassifierEntry.objects.filter(condition, level=ClassifierLevel.QUESTION, is_active=True)
        .order_by("code").values_list("code", "title")
    )
    ancestors = {code.rsplit(".", 1)[0] for code, _ in entries} | {code.rsplit(".", 2)[0] for code, _ in entries}
    titles = dict(ClassifierEntry.objects.filter(code__in=ancestors).values_list("code", "title"))
    return {
        code: Service(code=code, name=title, group=titles.get(code.rsplit(".", 1)[0], ""),
                      theme=titles.get(code.rsplit(".", 2)[0], ""))
        for code, title in entries
    }


def open311_service(code: str) -> Service | None:
    """One service by its code (what creating a request needs): the entry and its two ancestors by code in
    one query, instead of the whole catalogue."""
    prefixes = service_prefixes()
    if not code or not any(code == prefix or code.startswith(f"{prefix}.") for prefix in prefixes):
        return None
    group, theme = code.rsplit(".", 1)[0], code.rsplit(".", 2)[0]
    rows = {entry_code: (title, level, active) for entry_code, title, level, active in
            ClassifierEntry.objects.filter(code__in=(code, group, theme)).values_list("code", "title", "level",
                                                                                      "is_active")}
    title, level, active = rows.get(code, (None, None, False))
    if title is None or level != ClassifierLevel.QUESTION or not active:
        return None
    return Service(code=code, name=title, group=rows.get(group, ("",))[0], theme=rows.get(theme, ("",))[0])
