"""Importing a register kept in a spreadsheet: XLSX, or CSV in UTF-8 or cp1251 with commas or
semicolons, as municipalities keep it today.

The steps: read the headers and propose a mapping of columns to fields (``import_preview``); then run
with the mapping, as a dry run or for real (``assets_import``). Every row is checked with the
register's own rules and reported as created, updated (a row whose register number is in the register)
or rejected with its reasons. It is all or nothing: one rejected row and nothing is written. Rows are
read and written a chunk at a time (bulk SQL, never a save per row), so memory does not grow with the
file; the file itself is read from disk, never loaded whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gorodok_platform.audit.services import audit_record
from gorodok_platform.integrations.models import OutboxEvent
from gorodok_platform.integrations.outbox import municipality_reference
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets.columns import IMPORT_FIELDS, REQUIRED_IMPORT_FIELDS, header_aliases, normalise_header
from gorodok_services.assets.models import (
    KIND_SECTIONS,
    Asset,
    AssetChange,
    AssetKind,
    AssetStatus,
    Holder,
    RightType,
)
from gorodok_services.assets.module import CHANGED, CREATED
from gorodok_services.assets.services import (
    ASSET_FIELDS,
    asset_event_data,
    register_today,
    take_register_numbers,
    validate_asset_values,
)
from gorodok_services.core.access import actor_email as _email

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # a register of 50,000 objects is about 10 MB as XLSX
MAX_IMPORT_ROWS = 100_000
CHUNK = 1000
REPORT_LIMIT = 100_000  # rows kept in the report (every row of an allowed file)

CREATED_ROW = "created"
UPDATED_ROW = "updated"
REJECTED_ROW = "rejected"


@dataclass(slots=True)
class RowOutcome:
    """One row of the report (kept for every row: small, no per-row dict or empty list)."""

    row: int  # the spreadsheet's row number (the headers are row 1)
    outcome: str
    register_number: str = ""
    name: str = ""
    reasons: list[str] | tuple[()] = ()


@dataclass
class ImportReport:
    dry_run: bool
    mapping: dict[str, str]
    rows: list[RowOutcome] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    rejected: int = 0
    applied: bool = False

    @property
    def total(self) -> int:
        return self.created + self.updated + self.rejected


def _error(message, code: str, **params) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code, params=params or None)})


# --- reading -----------------------------------------------------------------------------------------------

def _sniff_encoding(head: bytes) -> str:
    if b"\x00" in head:
        raise _error(_("The file is not text in UTF-8 or Windows-1251 (cp1251); save it as CSV again."),
                     codes.WRONG_ENCODING)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1251"


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


@contextmanager
def open_table(path: str | Path, filename: str = ""):
    """Yield (headers, rows): the first row and an iterator of the following ones, read lazily."""
    path = Path(path)
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise _error(_("The file is larger than %(limit)d MB; split it."), codes.FILE_TOO_LARGE,
                     limit=MAX_IMPORT_BYTES // (1024 * 1024))
    name = (filename or path.name).lower()
    with path.open("rb") as raw:
        magic = raw.read(4)
    if name.endswith((".xlsx", ".xlsm")) or magic == b"PK\x03\x04":
        yield from _open_xlsx(path)
    elif name.endswith((".csv", ".txt")):
        yield from _open_csv(path)
    else:
        raise _error(_("Upload an XLSX or CSV file."), codes.UNREADABLE_FILE)


def _open_xlsx(path: Path):
    from xml.etree.ElementTree import ParseError

    from gorodok_services.assets.xlsx_rows import NotAWorkbook, iter_rows

    unreadable = (NotAWorkbook, ParseError, KeyError, IndexError, ValueError, OSError, zipfile.BadZipFile)

    def rows() -> Iterator[list]:
        try:
            yield from iterator
        except unreadable as exc:
            raise _error(_("The file cannot be read as an XLSX workbook."), codes.UNREADABLE_FILE) from exc

    iterator = iter_rows(path)
    try:
        headers = list(next(iterator, None) or ())
    except unreadable as exc:
        raise _error(_("The file cannot be read as an XLSX workbook."), codes.UNREADABLE_FILE) from exc
    try:
        while headers and headers[-1] is None:
            headers.pop()
        yield [("" if h is None else str(h)) for h in headers], rows()
    finally:
        iterator.close()


def _open_csv(path: Path):
    with path.open("rb") as raw:
        head = raw.read(64 * 1024)
    encoding = _sniff_encoding(head)
    with path.open("r", encoding=encoding, newline="") as text:
        try:
            first = text.readline()
        except UnicodeDecodeError as exc:
            raise _error(_("The file is not text in UTF-8 or Windows-1251 (cp1251); save it as CSV again."),
                         codes.WRONG_ENCODING) from exc
        delimiter = _sniff_delimiter(first)
        headers = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])

        def rows() -> Iterator[list]:
            try:
                yield from csv.reader(text, delimiter=delimiter)
            except UnicodeDecodeError as exc:
                raise _error(_("The file is not text in UTF-8 or Windows-1251 (cp1251); save it as CSV again."),
                             codes.WRONG_ENCODING) from exc
            except csv.Error as exc:
                raise _error(_("The CSV file is malformed: %(error)s"), codes.UNREADABLE_FILE, error=str(exc)) from exc

        yield headers, rows()


# --- mapping -----------------------------------------------------------------------------------------------

def propose_mapping(headers: list[str]) -> dict[str, str]:
    """Header -> field code for the headers recognised ("" for a known column left alone); unknown
    headers are absent."""
    aliases = header_aliases()
    mapping = {}
    for header in headers:
        key = normalise_header(header)
        if key in aliases:
            mapping[header] = aliases[key]
    return mapping


def import_preview(path: str | Path, filename: str = "") -> tuple[list[str], dict[str, str]]:
    with open_table(path, filename) as (headers, _rows):
        return headers, propose_mapping(headers)


def _resolve_mapping(headers: list[str], mapping: dict[str, str] | None) -> list[str]:
    """The field of each column ("" ignored); unknown or missing columns are a file-level error."""
    proposed = propose_mapping(headers)
    chosen = {**proposed, **(mapping or {})}
    unknown = [h for h in headers if str(h).strip() and h not in chosen]
    if unknown:
        raise _error(_("Unknown columns: %(columns)s. Map each to a field or ignore it."), codes.UNKNOWN_COLUMNS,
                     columns=", ".join(unknown))
    bad = sorted({v for v in chosen.values() if v and v not in IMPORT_FIELDS})
    if bad:
        raise _error(_("Unknown fields in the mapping: %(fields)s."), codes.UNKNOWN_COLUMNS, fields=", ".join(bad))
    fields = [chosen.get(h, "") if str(h).strip() else "" for h in headers]
    duplicated = sorted({f for f in fields if f and fields.count(f) > 1})
    if duplicated:
        raise _error(_("Several columns are mapped to %(fields)s."), codes.UNKNOWN_COLUMNS,
                     fields=", ".join(duplicated))
    missing = [f for f in REQUIRED_IMPORT_FIELDS if f not in fields]
    if missing:
        raise _error(_("Required columns are missing: %(fields)s."), codes.MISSING_COLUMNS, fields=", ".join(missing))
    return fields


# --- parsing values -------------------------------------------------------------------------------------------

@cache
def _choice_lookup(choices) -> dict[str, str]:
    """A value from its code or its label, in Russian or English, in any case."""
    table = {}
    for value, label in choices.choices:
        table[value] = value
        for language in ("ru", "en"):
            with translation.override(language):
                table[normalise_header(str(label))] = value
    return table


class BadValue(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\x00", "").strip()


def _decimal(value, places: str = "0.01") -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadValue(_("not a number"))
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise BadValue(_("not a number")) from exc
    if not number.is_finite():
        raise BadValue(_("not a number"))
    try:
        return number.quantize(Decimal(places))
    except InvalidOperation as exc:
        raise BadValue(_("the number is too large")) from exc


def _date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise BadValue(_("not a date (DD.MM.YYYY)"))


def _int(value) -> int | None:
    number = _decimal(value, "1")
    return int(number) if number is not None else None


def _bool(value) -> bool:
    text = normalise_header(value)
    if text in ("", "0", "нет", "no", "false", "-"):
        return False
    if text in ("1", "да", "yes", "true", "+", "x", "х"):
        return True
    raise BadValue(_("not yes or no"))




def _parse(field_name: str, value):
    if field_name in ("balance_value", "residual_value", "cadastral_value", "area", "length"):
        return _decimal(value)
    if field_name == "share_percent":
        return _decimal(value, "0.0001")
    if field_name in ("latitude", "longitude"):
        return _decimal(value, "0.000001")
    if field_name in ("cadastral_date", "values_date", "included_on"):
        return _date(value)
    if field_name == "year":
        return _int(value)
    if field_name == "especially_valuable":
        return _bool(value)
    if field_name == "kind":
        text = normalise_header(value)
        kinds = _choice_lookup(AssetKind)
        if text not in kinds:
            raise BadValue(_("unknown kind of object"))
        return kinds[text]
    if field_name == "right_type":
        text = normalise_header(value)
        rights = _choice_lookup(RightType)
        if text not in rights:
            raise BadValue(_("unknown right type"))
        return rights[text]
    return _text(value)


def _parse_row(cells: list, fields: list[str]) -> tuple[dict, list[str]]:
    values: dict = {}
    reasons: list[str] = []
    for index, field_name in enumerate(fields):
        if not field_name:
            continue
        cell = cells[index] if index < len(cells) else None
        try:
            values[field_name] = _parse(field_name, cell)
        except BadValue as exc:
            reasons.append(f"{field_name}: {exc}")
    return values, reasons


def _messages(errors: dict[str, list[ValidationError]]) -> list[str]:
    out = []
    for name, items in errors.items():
        for item in items:
            message = item.message % item.params if item.params else item.message
            out.append(f"{name}: {message}")
    return out


# --- the run -----------------------------------------------------------------------------------------------

class _Rejected(Exception):
    """Raised inside the transaction to roll back an import with rejected rows."""


def assets_import(*, path: str | Path, filename: str = "", mapping: dict[str, str] | None = None,
                  dry_run: bool = True, actor=None) -> ImportReport:
    """Check (``dry_run``) or import a spreadsheet. Raises ValidationError for a file that cannot be
    taken at all (size, format, encoding, columns); otherwise returns the row-by-row report, with
    ``applied`` true only when every row was taken and written."""
    with open_table(path, filename) as (headers, rows):
        fields = _resolve_mapping(headers, mapping)
        report = ImportReport(dry_run=dry_run, mapping={h: f for h, f in zip(headers, fields, strict=False) if f})
        if dry_run:
            _run(report, rows, fields, write=False, actor=actor)
            return report
        try:
            with transaction.atomic():
                _run(report, rows, fields, write=True, actor=actor)
                if report.rejected:
                    raise _Rejected
                audit_record(action="asset.imported", actor=actor, after={
                    "file": filename[:200], "created": report.created, "updated": report.updated})
        except _Rejected:
            for outcome in report.rows:  # nothing was written: no row got a number
                if outcome.outcome == CREATED_ROW:
                    outcome.register_number = ""
            return report
        report.applied = True
        return report


def iter_chunks(rows: Iterator[list]) -> Iterator[list[tuple[int, list]]]:
    """The file's rows in chunks of ``CHUNK`` (row number, cells), blank lines left out: the same
    chunks every time the same file is read (an interrupted import resumes at a chunk's boundary)."""
    chunk: list[tuple[int, list]] = []
    row_number = 1
    taken = 0
    for cells in rows:
        row_number += 1
        if not any(c not in (None, "") and str(c).strip() for c in cells):
            continue  # blank lines are not rows
        taken += 1
        if taken > MAX_IMPORT_ROWS:
            raise _error(_("More than %(limit)d rows; split the file."), codes.FILE_TOO_LARGE, limit=MAX_IMPORT_ROWS)
        chunk.append((row_number, cells))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class ChunkContext:
    """What every chunk of one run shares: the holders by INN, the register numbers seen, today."""

    holders: dict
    today: date
    email: str = ""
    import_id: int | None = None
    seen_numbers: set = field(default_factory=set)

    @classmethod
    def current(cls, *, email: str = "", import_id: int | None = None) -> ChunkContext:
        return cls(holders={h.inn: h for h in Holder.objects.all()}, today=register_today(), email=email,
                   import_id=import_id)


def _run(report: ImportReport, rows: Iterator[list], fields: list[str], *, write: bool, actor) -> None:
    context = ChunkContext.current(email=_email(actor))
    for chunk in iter_chunks(rows):
        run_chunk(report, chunk, fields, context, write=write)


def run_chunk(report: ImportReport, chunk: list[tuple[int, list]], fields: list[str], context: ChunkContext, *,
              write: bool) -> None:
    """Check one chunk's rows into ``report`` and, with ``write`` and no row rejected so far, write them."""
    holders, seen_numbers, today = context.holders, context.seen_numbers, context.today
    parsed = []
    numbers = []
    for row_number, cells in chunk:
        values, reasons = _parse_row(cells, fields)
        number = values.pop("register_number", "") or ""
        parsed.append((row_number, values, reasons, number))
        if number:
            numbers.append(number)
    existing = {}
    if numbers:
        existing = {a.register_number: a
                    for a in Asset.objects.select_related("holder").filter(register_number__in=numbers)}
    to_create: list[Asset] = []
    to_update: list[tuple[Asset, dict]] = []
    for row_number, values, reasons, number in parsed:
        inn = values.pop("holder_inn", "")
        holder = holders.get(inn)
        if holder is None:
            reasons.append(_("holder_inn: no right holder with INN %(inn)s in section 3") % {"inn": inn or "—"})
        else:
            values["holder"] = holder
        if values.get("kind"):
            values["section"] = KIND_SECTIONS[values["kind"]]
        if number and number in seen_numbers:
            reasons.append(_("register_number: %(number)s appears twice in the file") % {"number": number})
        if number:
            seen_numbers.add(number)
        if len(number) > 40:
            reasons.append(_("register_number: too long"))
        current = existing.get(number)
        if current is not None:
            merged = {name: getattr(current, name) for name in ASSET_FIELDS} | values
            if current.is_removed:
                reasons.append(_("register_number: the object was removed from the register"))
        else:
            merged = dict(values)
            merged.setdefault("balance_value", Decimal("0"))
            if merged.get("residual_value") is None:
                merged["residual_value"] = merged["balance_value"] if merged["balance_value"] is not None else None
            if merged.get("balance_value") is None:
                merged["balance_value"] = Decimal("0")
            merged.setdefault("included_on", None)
            merged["included_on"] = merged["included_on"] or today
        reasons.extend(m for m in _messages(validate_asset_values(merged, today=today))
                       if not (holder is None and m.startswith("holder:")))
        name = str(values.get("name") or "")[:200]
        if reasons:
            report.rejected += 1
            _report_row(report, RowOutcome(row_number, REJECTED_ROW, number, name, reasons))
        elif current is not None:
            changes = {k: v for k, v in values.items() if getattr(current, k) != v}
            report.updated += 1
            _report_row(report, RowOutcome(row_number, UPDATED_ROW, number, name))
            if changes:
                to_update.append((current, changes))
        else:
            report.created += 1
            outcome = RowOutcome(row_number, CREATED_ROW, number, name)
            _report_row(report, outcome)
            row = {k: v for k, v in merged.items() if k in ASSET_FIELDS and v is not None}
            row["register_number"] = number
            to_create.append((outcome, row))
    if write and not report.rejected:
        _write(to_create, to_update, email=context.email, import_id=context.import_id)


def _report_row(report: ImportReport, outcome: RowOutcome) -> None:
    if len(report.rows) < REPORT_LIMIT:
        report.rows.append(outcome)


def _plain(value):
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, Holder):
        return value.inn
    return value


@cache
def _asset_columns() -> tuple[list[str], list[tuple[str, object]]]:
    """The asset table's columns for COPY, and per column the row key and the default of its field
    (auto timestamps are filled in per chunk)."""
    columns, sources = [], []
    for model_field in Asset._meta.concrete_fields:
        columns.append(model_field.column)
        key = "holder" if model_field.name == "holder" else model_field.name
        default = None if model_field.primary_key or getattr(model_field, "auto_now", False) or getattr(
            model_field, "auto_now_add", False) else model_field.get_default()
        sources.append((key, default))
    return columns, sources


def _history_json(changes: dict) -> str:
    return json.dumps(changes, default=str, ensure_ascii=False)


def _write(to_create: list[tuple[RowOutcome, dict]], to_update: list[tuple[Asset, dict]], *, email: str = "",
           import_id: int | None = None) -> None:
    """One chunk in bulk: numbers for new objects (under the section's lock), the objects, their history
    and their webhook events, each table in one COPY of plain tuples (no model instance per row)."""
    by_section: dict[str, list[tuple[RowOutcome, dict]]] = {}
    for outcome, row in to_create:
        if not row["register_number"]:
            by_section.setdefault(row["section"], []).append((outcome, row))
    for section, items in by_section.items():
        for (outcome, row), number in zip(items, take_register_numbers(section, len(items)), strict=True):
            row["register_number"] = number
            outcome.register_number = number
    now = timezone.now()
    created = [row for _outcome, row in to_create]
    history: list[tuple] = []
    events: list[tuple[str, dict]] = []
    if created:
        ids = _next_ids(Asset, len(created))
        columns, sources = _asset_columns()
        tuples = []
        for pk, row in zip(ids, created, strict=True):
            row["id"], row["created_at"], row["updated_at"] = pk, now, now
            holder = row["holder"]
            tuples.append([holder.pk if key == "holder" else row.get(key, default) for key, default in sources])
            changes = {}
            for name in ASSET_FIELDS:  # what ``asset_create`` records: the values given, in the fields' order
                value = row.get(name)
                if value is None or value is False or (type(value) is str and not value):
                    continue
                changes[name] = [None, holder.inn if name == "holder" else value]
            history.append((pk, "created", changes))
            events.append((CREATED, _event_data(row)))
        _copy_rows(Asset._meta.db_table, columns, tuples)
    fields = sorted({name for _asset, changes in to_update for name in changes})
    updated = []
    for asset, changes in to_update:
        for name, value in changes.items():
            setattr(asset, name, value)
        asset.updated_at = now
        updated.append(asset)
        history.append((asset.pk, "changed", {n: [None, _plain(v)] for n, v in changes.items()}))
        events.append((CHANGED, asset_event_data(asset, changed=sorted(changes))))
    if updated:
        Asset.objects.bulk_update(updated, [*fields, "updated_at"], batch_size=CHUNK)
    _copy_rows(AssetChange._meta.db_table, ["asset_id", "at", "actor_email", "action", "changes", "source",
                                            "import_run_id"],
               [(pk, now, email, action, _history_json(changes), "import", import_id)
                for pk, action, changes in history])
    _events(events)


def _event_data(row: dict) -> dict:
    """``asset_event_data`` of a new object from its row."""
    from gorodok_services.assets.services import asset_global_id

    return {"id": asset_global_id(row["id"]), "register_number": row["register_number"], "section": row["section"],
            "kind": row["kind"], "name": row["name"], "status": row.get("status") or AssetStatus.IN_REGISTER,
            "right_type": row["right_type"], "holder_inn": row["holder"].inn,
            "balance_value": str(row["balance_value"]), "residual_value": str(row["residual_value"]),
            "included_on": row["included_on"], "removed_on": None}


def _next_ids(model, count: int) -> list[int]:
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, count])
        return [pk for (pk,) in cursor.fetchall()]


def _copy_rows(table: str, columns: list[str], rows: list) -> None:
    """COPY ``rows`` (sequences in ``columns``' order) into ``table``: PostgreSQL's bulk load."""
    if not rows:
        return
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns))
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _events(items: list[tuple[str, dict]]) -> None:
    """Webhook events of an import, in bulk: the same rows ``outbox_emit`` writes, left for the periodic
    dispatcher (one queue message per row of a 10,000-row file would flood the broker)."""
    if not items:
        return
    reference = municipality_reference()
    now = timezone.now()
    occurred = now.isoformat()
    rows = []
    for event_type, data in items:
        event_id = uuid.uuid4()
        payload = {"id": str(event_id), "type": event_type, "occurred_at": occurred, "municipality": reference,
                   "data": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}}
        rows.append((event_id, event_type, json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False), now, None))
    _copy_rows(OutboxEvent._meta.db_table, ["event_id", "event_type", "payload", "created_at", "dispatched_at"], rows)
