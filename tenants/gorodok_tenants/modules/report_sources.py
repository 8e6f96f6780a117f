"""Report sources: the named figures modules compute for a municipality and a period, found by key
(``<module>.<source>``, e.g. ``appeals.received``). Reporting pre-fills report fields from these."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from gorodok_platform.modules import ReportSource, module_enabled, registered_modules

# Within ``report_source_batch()``, figures computed together (a module's summary of a period) are kept
# by key so that the sources reading them cost one computation, not one each. Outside a batch nothing
# is kept, so a figure is never older than its call.
_batch: ContextVar[dict | None] = ContextVar("gorodok_report_source_batch", default=None)


@contextmanager
def report_source_batch() -> Iterator[None]:
    """Compute several report sources of the same municipalities and periods together (nested: one batch)."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def report_source_shared(key: Hashable, compute: Callable[[], dict]) -> dict:
    """``compute()`` once per ``key`` within a batch (a module's summary that many sources read)."""
    kept = _batch.get()
    if kept is None:
        return compute()
    if key not in kept:
        kept[key] = compute()
    return kept[key]


def report_sources() -> dict[str, ReportSource]:
    """Every report source of every installed module, by key."""
    return {module.report_source_key(source): source
            for module in registered_modules().values() for source in module.report_sources}


def report_source_labels() -> dict[str, str]:
    return {module.report_source_key(source): f"{module.name}: {source.label}"
            for module in registered_modules().values() for source in module.report_sources}


def report_source_compute(*, municipality, key: str, date_from: date, date_to: date) -> int | Decimal | None:
    """The figure ``key`` of ``municipality`` for the local dates ``date_from``..``date_to`` (inclusive),
    computed in its schema; None when the municipality has the module switched off."""
    source = report_sources().get(key)
    if source is None:
        raise ValidationError(_("Unknown report source: %(key)s."), code="unknown_source", params={"key": key})
    if date_to < date_from:
        raise ValidationError(_("The period ends before it starts."), code="invalid_period")
    if not module_enabled(municipality, key.split(".", 1)[0]):
        return None
    with schema_context(municipality.schema_name):
        return source.compute(date_from, date_to)


def report_source_compute_many(*, municipality, keys, date_from: date,
                               date_to: date) -> dict[str, int | Decimal | None]:
    """Several figures of one municipality and period, in one batch (figures a module computes together
    cost one computation)."""
    with report_source_batch():
        return {key: report_source_compute(municipality=municipality, key=key, date_from=date_from, date_to=date_to)
                for key in keys}
