"""Loading the classifier: the bundled fixture of sections and a representative subset, or the full
classifier from a CSV file (``code;title`` or ``code,title``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_services.classifier.models import CODE_PATTERN, ClassifierEntry

BUNDLED = Path(__file__).resolve().parent / "fixtures" / "classifier.csv"


@dataclass
class ImportResult:
    created: int
    updated: int
    errors: list[str]


def _rows(text: str) -> list[tuple[int, str, str]]:
    text = text.lstrip("\ufeff")
    delimiter = ";" if text[:2048].count(";") > text[:2048].count(",") else ","
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if not row or not row[0].strip() or row[0].strip().lower() == "code":
            continue
        rows.append((number, row[0].strip(), (row[1] if len(row) > 1 else "").strip()))
    return rows


@transaction.atomic
def classifier_import(*, text: str) -> ImportResult:
    """Create or update entries. Parents are created first (codes sorted); a row whose parent is
    neither in the file nor in the database is rejected. All rows or none: any error rolls back."""
    errors: list[str] = []
    rows = sorted(_rows(text), key=lambda r: r[1])
    created = updated = 0
    with schema_context(get_public_schema_name()):
        known = dict(ClassifierEntry.objects.values_list("code", "id"))
        for number, code, title in rows:
            if not CODE_PATTERN.match(code):
                errors.append(f"line {number}: bad code {code!r}")
                continue
            if not title:
                errors.append(f"line {number}: {code} has no title")
                continue
            parent_code = ClassifierEntry.parent_code(code)
            if parent_code and parent_code not in known:
                errors.append(f"line {number}: {code} has no parent {parent_code}")
                continue
            entry, was_created = ClassifierEntry.objects.update_or_create(
                code=code, defaults={"title": title, "level": ClassifierEntry.level_of(code),
                                     "parent_id": known.get(parent_code) if parent_code else None},
            )
            known[code] = entry.id
            created += was_created
            updated += not was_created
        if errors:
            transaction.set_rollback(True)
            raise ValidationError(errors, code="invalid_classifier")
    return ImportResult(created=created, updated=updated, errors=[])


def classifier_load_bundled() -> ImportResult:
    return classifier_import(text=BUNDLED.read_text(encoding="utf-8"))
