"""Creating many municipalities from one CSV file (the settlements of a region, say).

Columns: ``oktmo, name, name_en, kind, parent_oktmo, slug`` and optionally ``admin_email``. Each row
is all-or-nothing: it is created completely (record, schema, host) or not at all, and the report
says which rows were created and why the others were rejected. A parent may be created by an
earlier row of the same file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gorodok_tenants.lifecycle.progress import step
from gorodok_tenants.models import Municipality, MunicipalityKind
from gorodok_tenants.provisioning.municipalities import (
    MunicipalitySpec,
    municipality_admin_invite,
    municipality_build,
    municipality_create,
)

REQUIRED_COLUMNS = ("oktmo", "name", "name_en", "kind", "parent_oktmo", "slug")
MAX_ROWS = 2000


@dataclass
class RowResult:
    line: int
    oktmo: str
    slug: str
    name: str
    status: str  # "created", "valid" (dry run) or "rejected"
    errors: list[str] = field(default_factory=list)
    link: str = ""


@dataclass
class ImportReport:
    rows: list[RowResult]
    dry_run: bool

    @property
    def created(self) -> list[RowResult]:
        return [r for r in self.rows if r.status in ("created", "valid")]

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == "rejected"]


def _kind_code(value: str) -> str:
    value = (value or "").strip()
    for code, label in MunicipalityKind.choices:
        if value.lower() in (code, str(label).lower()):
            return code
    from django.utils import translation

    for language in ("ru", "en"):
        with translation.override(language):
            for code, label in MunicipalityKind.choices:
                if value.lower() == str(label).lower():
                    return code
    return value


def read_rows(text: str) -> list[dict[str, str]]:
    """Parse the CSV (comma or semicolon, with or without a BOM). Raises ValidationError on a bad header."""
    text = text.lstrip("\ufeff")
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)},
                              code="invalid_header")
    reader.fieldnames = header
    rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("At most %(max)d rows per file.") % {"max": MAX_ROWS}, code="too_many_rows")
    return rows


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages
                if name != "schema_name" or "slug" not in error.message_dict]
    return list(error.messages)


def municipalities_import(*, text: str, actor=None, dry_run: bool = False) -> ImportReport:
    rows = read_rows(text)
    results: list[RowResult] = []
    seen_oktmo: set[str] = set()
    seen_slug: set[str] = set()
    planned: dict[str, Municipality] = {}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        step(number - 2, len(rows), _("line %(line)d of %(total)d") % {"line": number, "total": len(rows) + 1})
        spec = MunicipalitySpec(
            name=row.get("name", ""), name_en=row.get("name_en", ""), slug=row.get("slug", "").lower(),
            oktmo=row.get("oktmo", ""), kind=_kind_code(row.get("kind", "")),
            parent_oktmo=row.get("parent_oktmo") or None,
        )
        result = RowResult(line=number, oktmo=spec.oktmo, slug=spec.slug, name=spec.name, status="rejected")
        results.append(result)
        if spec.oktmo in seen_oktmo:
            result.errors.append(_("oktmo: repeated in this file."))
        if spec.slug in seen_slug:
            result.errors.append(_("slug: repeated in this file."))
        seen_oktmo.add(spec.oktmo)
        seen_slug.add(spec.slug)
        if result.errors:
            continue
        try:
            if dry_run:
                planned[spec.oktmo] = municipality_build(spec=spec, planned_parents=planned)
                result.status = "valid"
            else:
                municipality = municipality_create(spec=spec, actor=actor)
                result.status = "created"
                email = row.get("admin_email")
                if email:
                    result.link = municipality_admin_invite(municipality=municipality, email=email,
                                                            actor=actor).link
        except ValidationError as error:
            result.errors.extend(_messages(error))
    return ImportReport(rows=results, dry_run=dry_run)
