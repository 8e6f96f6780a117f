"""The register extract in the layout of order 163n: an XLSX workbook with Russian headers and one sheet
per section, the same rows as CSV, and a GeoJSON feed of the objects with coordinates (for the city's
map). Rows are read from the database a chunk at a time and written as they come: memory does not grow
with the register. A text cell that a spreadsheet would take for a formula (it starts with =, +, -
or @) is written with a leading apostrophe, so a value such as ``=HYPERLINK(...)`` stays text."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import IO

from django.db.models import Prefetch, QuerySet
from django.utils import translation

from gorodok_services.assets.columns import ASSET_HEADERS, HOLDER_HEADERS, MOVABLE_COLUMNS, REAL_ESTATE_COLUMNS
from gorodok_services.assets.models import (
    Asset,
    AssetDocument,
    AssetKind,
    DocumentKind,
    DocumentRole,
    Encumbrance,
    EncumbranceKind,
    Holder,
    RightType,
    Section,
)
from gorodok_services.assets.selectors import asset_register

CHUNK = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEETS = (
    (Section.REAL_ESTATE, "Раздел 1. Недвижимое имущество", REAL_ESTATE_COLUMNS),
    (Section.MOVABLE, "Раздел 2. Движимое имущество", MOVABLE_COLUMNS),
)
HOLDERS_SHEET = "Раздел 3. Правообладатели"


def neutralise(value):
    """A cell value that no spreadsheet will run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Labels:
    """Choice labels in Russian (the extract's language, whatever the request's), translated once per
    extract rather than once per cell."""

    def __init__(self):
        with translation.override("ru"):
            self.kinds = {value: str(label) for value, label in AssetKind.choices}
            self.rights = {value: str(label) for value, label in RightType.choices}
            self.documents = {value: str(label) for value, label in DocumentKind.choices}
            self.encumbrances = {value: str(label) for value, label in EncumbranceKind.choices}


def _related(asset: Asset, name: str) -> list:
    cached = getattr(asset, "_prefetched_objects_cache", {}).get(name)
    return list(cached) if cached is not None else list(getattr(asset, name).all())


def _documents(asset: Asset, role: str, labels: _Labels) -> str:
    return "; ".join(f"{labels.documents.get(d.kind, d.kind)} № {d.number or '—'} {d.date:%d.%m.%Y}"
                     + (f", {d.issuer}" if d.issuer else "")
                     for d in _related(asset, "documents") if d.role == role)


def _encumbrances(asset: Asset, labels: _Labels) -> str:
    parts = []
    for e in _related(asset, "encumbrances"):
        term = f"с {e.starts_on:%d.%m.%Y}" + (f" по {e.ends_on:%d.%m.%Y}" if e.ends_on else "")
        parts.append(f"{labels.encumbrances.get(e.kind, e.kind)}: {e.beneficiary}, {e.basis}, {term}")
    return "; ".join(parts)


def _cell(asset: Asset, name: str, labels: _Labels):
    if name == "kind":
        return labels.kinds.get(asset.kind, asset.kind)
    if name == "right_type":
        return labels.rights.get(asset.right_type, asset.right_type)
    if name == "holder_name":
        return asset.holder.name
    if name == "holder_inn":
        return asset.holder.inn
    if name == "acquisition_documents":
        return _documents(asset, DocumentRole.ACQUISITION, labels)
    if name == "termination_documents":
        return _documents(asset, DocumentRole.TERMINATION, labels)
    if name == "encumbrances":
        return _encumbrances(asset, labels)
    if name == "especially_valuable":
        return "да" if asset.especially_valuable else "нет"
    value = getattr(asset, name)
    return "" if value is None else value


def extract_rows(section: str, queryset: QuerySet[Asset] | None = None) -> Iterator[list]:
    """The extract's rows of a section (objects in the register), neutralised, in register order."""
    columns = {s: c for s, _title, c in SHEETS}[section]
    queryset = (queryset if queryset is not None else asset_register()).filter(section=section)
    queryset = (queryset.select_related("holder")
                .prefetch_related(Prefetch("documents", queryset=AssetDocument.objects.order_by("date", "pk")),
                                  Prefetch("encumbrances", queryset=Encumbrance.objects.order_by("starts_on", "pk")))
                .order_by("register_number", "pk"))
    labels = _Labels()
    for asset in queryset.iterator(chunk_size=CHUNK):
        yield [neutralise(_cell(asset, name, labels)) for name in columns]


def holder_rows() -> Iterator[list]:
    for holder in Holder.objects.order_by("name", "pk").iterator(chunk_size=CHUNK):
        with translation.override("ru"):
            kind = holder.get_kind_display()
        yield [neutralise(kind if name == "kind" else getattr(holder, name)) for name in HOLDER_HEADERS]


def headers(section: str) -> list[str]:
    if section == "holders":
        return list(HOLDER_HEADERS.values())
    columns = {s: c for s, _title, c in SHEETS}[section]
    return [ASSET_HEADERS[name] for name in columns]


def write_xlsx(target: IO[bytes] | str, queryset: QuerySet[Asset] | None = None) -> None:
    """The whole extract as one workbook (write-only: rows go to disk as they are written)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for section, title, _columns in SHEETS:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(headers(section))
        for row in extract_rows(section, queryset):
            sheet.append(row)
    sheet = workbook.create_sheet(HOLDERS_SHEET[:31])
    sheet.append(headers("holders"))
    for row in holder_rows():
        sheet.append(row)
    workbook.save(target)


def _csv_text(value) -> str:
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(section: str, queryset: QuerySet[Asset] | None = None) -> Iterator[str]:
    """A section of the extract as CSV lines, as Russian Excel reads them: UTF-8 with a BOM, semicolons,
    decimal commas, dates DD.MM.YYYY."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(headers(section))
    rows: Iterable[list] = holder_rows() if section == "holders" else extract_rows(section, queryset)
    for row in rows:
        yield writer.writerow([_csv_text(v) for v in row])


def geojson_chunks(queryset: QuerySet[Asset] | None = None) -> Iterator[str]:
    """Objects of the register with coordinates as a GeoJSON FeatureCollection (longitude first)."""
    queryset = (queryset if queryset is not None else asset_register()).filter(
        latitude__isnull=False, longitude__isnull=False).select_related("holder").order_by("register_number", "pk")
    labels = _Labels()
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for asset in queryset.iterator(chunk_size=CHUNK):
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(asset.longitude), float(asset.latitude)]},
            "properties": {
                "register_number": asset.register_number, "name": asset.name, "kind": asset.kind,
                "kind_label": labels.kinds.get(asset.kind, asset.kind), "section": asset.section,
                "address": asset.address,
                "cadastral_number": asset.cadastral_number, "right_type": asset.right_type,
                "holder": asset.holder.name,
            },
        }
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}"
